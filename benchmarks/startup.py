"""Startup time of `dbt-cloud --help` and `dbt-cloud job list --help`, beside a bare interpreter
start, measured side by side in one run (interleaved, median of many) and written to
benchmarks/results/startup.json. Ratios, not absolute times, are what carry between machines."""

from __future__ import annotations

import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 15
RESULTS = Path(__file__).resolve().parent / "results" / "startup.json"

# The console script, as users run it (python -m adds runpy's own import time).
SCRIPT = str(Path(sys.executable).parent / "dbt-cloud")
CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "dbt-cloud --help": [SCRIPT, "--help"],
    "dbt-cloud job list --help": [SCRIPT, "job", "list", "--help"],
}


def measure() -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(RUNS):
        for name, command in CASES.items():  # interleaved, so drift affects every case alike
            started = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    medians = measure()
    baseline = medians["python -c pass"]
    report = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "runs": RUNS,
        "median_seconds": {name: round(value, 4) for name, value in medians.items()},
        "ratio_to_bare_python": {name: round(value / baseline, 2) for name, value in medians.items()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    for name, value in medians.items():
        print(f"{name:28} {value * 1000:7.1f} ms  {value / baseline:5.2f}x python -c pass")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
