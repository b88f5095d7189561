"""Startup time of `dbt-cloud --help`, `dbt-cloud job list --help` and one Tab of shell completion,
beside a bare interpreter start and beside dbt-cloud-cli 0.9.1's same three, measured side by side in
one run (interleaved, median of many) and written to benchmarks/results/startup.json. Ratios, not
absolute times, are what carry between machines. Both the wall time and the CPU time (user + system)
of each start are kept: on a shared machine the wall time also measures the other processes, the CPU
time mostly our own.

dbt-cloud-cli is installed by this script into its own venv (benchmarks/.venv-dbt-cloud-cli, made
once, with `pip install dbt-cloud-cli==0.9.1`), so the two tools never share a site-packages.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import venv
from pathlib import Path

from floors import floor_row

RUNS = 15
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "startup.json"
BASELINE_VENV = HERE / ".venv-dbt-cloud-cli"
BASELINE_PACKAGE = "dbt-cloud-cli==0.9.1"

#: What the results must show (the issue's targets), as (case, reference, at most this ratio).
TARGETS = [
    ("dbt-cloud --help", "dbt-cloud-cli 0.9.1 --help", 0.2),
    ("dbt-cloud --help", "python -c pass", 4.0),
    ("dbt-cloud job list --help", "dbt-cloud-cli 0.9.1 job list --help", 0.5),
    # A Tab runs the program once: it must cost about what a help does, whichever word it completes.
    ("dbt-cloud Tab: job run --wa", "dbt-cloud job list --help", 1.5),
    ("dbt-cloud Tab: job run --wa", "dbt-cloud-cli 0.9.1 Tab: job run --wa", 0.5),
]

#: What the shell's completion function sets before it runs the program (click's protocol; the
#: variable's name comes from the program's, so dbt-cloud-cli answers to it too).
TAB_JOB_RUN_WA = ["env", "_DBT_CLOUD_COMPLETE=bash_complete", "COMP_WORDS=dbt-cloud job run --wa", "COMP_CWORD=3"]


def baseline_script() -> Path:
    """dbt-cloud-cli 0.9.1's console script, installed on first use."""
    script = BASELINE_VENV / "bin" / "dbt-cloud"
    if not script.exists():
        print(f"installing {BASELINE_PACKAGE} into {BASELINE_VENV.relative_to(HERE.parent)}", file=sys.stderr)
        venv.EnvBuilder(with_pip=True, clear=True).create(BASELINE_VENV)
        python = BASELINE_VENV / "bin" / "python"
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", BASELINE_PACKAGE], check=True)
    return script


def compile_bytecode() -> None:
    """Compile our package's bytecode, as `pip install` of a wheel does (dbt-cloud-cli's was, when
    its venv was made): an editable install under PYTHONDONTWRITEBYTECODE would otherwise compile
    every module from source on every start, which no installed user pays."""
    import compileall

    import dbt_cloud

    compileall.compile_dir(str(Path(dbt_cloud.__file__).parent), quiet=1)


def cases() -> dict[str, list[str]]:
    # The console scripts, as users run them (python -m adds runpy's own import time).
    ours = str(Path(sys.executable).parent / "dbt-cloud")
    theirs = str(baseline_script())
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "dbt-cloud --help": [ours, "--help"],
        "dbt-cloud job list --help": [ours, "job", "list", "--help"],
        "dbt-cloud-cli 0.9.1 --help": [theirs, "--help"],
        "dbt-cloud-cli 0.9.1 job list --help": [theirs, "job", "list", "--help"],
        # Through env(1), which adds its own exec (about a millisecond) to both.
        "dbt-cloud Tab: job run --wa": [*TAB_JOB_RUN_WA, ours],
        "dbt-cloud-cli 0.9.1 Tab: job run --wa": [*TAB_JOB_RUN_WA, theirs],
    }


def measure(commands: dict[str, list[str]]) -> tuple[dict[str, float], dict[str, float]]:
    """Median wall and CPU seconds of each command."""
    for command in commands.values():  # warm the file cache, and fail early on a broken command
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(RUNS):
        for name, command in commands.items():  # interleaved, so drift affects every case alike
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            wall[name].append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return (
        {name: statistics.median(values) for name, values in wall.items()},
        {name: statistics.median(values) for name, values in cpu.items()},
    )


def check(medians: dict[str, float]) -> list[dict[str, object]]:
    checks: list[dict[str, object]] = []
    for case, reference, limit in TARGETS:
        ratio = medians[case] / medians[reference]
        checks.append(
            {"case": case, "reference": reference, "ratio": round(ratio, 3), "at_most": limit, "met": ratio <= limit}
        )
    return checks


def main() -> int:
    compile_bytecode()
    wall, cpu = measure(cases())
    report: dict[str, object] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "runs": RUNS,
    }
    met = True
    for label, medians in (("wall", wall), ("cpu", cpu)):
        baseline = medians["python -c pass"]
        checks = check(medians)
        met = met and all(c["met"] for c in checks)
        report[label] = {
            "median_seconds": {name: round(value, 4) for name, value in medians.items()},
            "ratio_to_bare_python": {name: round(value / baseline, 2) for name, value in medians.items()},
            "targets": checks,
        }
        print(f"-- {label} time (median of {RUNS})")
        for name, value in medians.items():
            print(f"{name:40} {value * 1000:7.1f} ms  {value / baseline:5.2f}x python -c pass")
        for c in checks:
            verdict = "ok" if c["met"] else "MISSED"
            print(f"{c['case']} / {c['reference']}: {c['ratio']:.3f} (at most {c['at_most']}) {verdict}")
    report["floors"] = [
        floor_row(f"{name} ({label} time)", round(medians[name], 4), round(medians["python -c pass"], 4),
                  "python -c pass")
        for label, medians in (("wall", wall), ("cpu", cpu))
        for name in medians
        if name.startswith("dbt-cloud ")
    ]  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {RESULTS}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
