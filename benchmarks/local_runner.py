"""A job's trigger -> success time through the local runner (warm), beside `dbt build` run from the
command line on the same project, measured side by side in one run (interleaved, median) and
written to benchmarks/results/local_runner.json.

Both sides run the same `dbt build` of demo/project on their own DuckDB file. The command line
keeps its target directory between runs, as a user's does, so it gets partial parsing too; the
runner's edge is that its workers fork from a process that has imported dbt-core already.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from floors import floor_row, load_average  # noqa: E402 - benchmarks/ is on the path (the script's folder)

from tests.support.local_runner import LocalRunner  # noqa: E402 - after the path is set

RUNS = 5
RESULTS = Path(__file__).resolve().parent / "results" / "local_runner.json"
PROJECT = ROOT / "demo" / "project"
DBT = str(Path(sys.executable).parent / "dbt")


def through_runner(runner: LocalRunner) -> float:
    with runner.http() as http:
        started = time.perf_counter()
        run = http.post(
            f"/api/v2/accounts/{runner.account_id}/jobs/{runner.jobs['build']}/run/", json={"cause": "benchmark"}
        ).json()["data"]
        while True:
            answer = http.get(f"/api/v2/accounts/{runner.account_id}/runs/{run['id']}/").json()["data"]
            if answer["is_complete"]:
                elapsed = time.perf_counter() - started
                if answer["status"] != 10:
                    raise SystemExit(f"benchmark run failed: {answer['status_message']}")
                return elapsed
            time.sleep(0.02)


def through_command_line(work: Path) -> float:
    environment = {**os.environ, "DBT_CLOUD_DEMO_DUCKDB_PATH": str(work / "cli.duckdb")}
    environment["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    command = [DBT, "build", "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT)]
    command += ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    started = time.perf_counter()
    subprocess.run(command, env=environment, cwd=work, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    load_at_start = load_average()  # the machine is shared: the load says how noisy the run was
    with tempfile.TemporaryDirectory(prefix="dbt-cloud-bench-") as folder:
        work = Path(folder)
        runner = LocalRunner(work / "runner").prepare().start()
        try:
            through_runner(runner)  # warm-up: the forkserver imports dbt, the parse cache fills
            through_command_line(work)  # the same for the command line: target/ and OS caches
            samples: dict[str, list[float]] = {"local runner (trigger -> success)": [], "dbt build (CLI)": []}
            for _ in range(RUNS):
                samples["local runner (trigger -> success)"].append(through_runner(runner))
                samples["dbt build (CLI)"].append(through_command_line(work))
        finally:
            runner.stop()
    medians = {name: statistics.median(values) for name, values in samples.items()}
    ratio = medians["local runner (trigger -> success)"] / medians["dbt build (CLI)"]
    report = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "runs": RUNS,
        "median_seconds": {name: round(value, 3) for name, value in medians.items()},
        "ratio_runner_to_cli": round(ratio, 3),
        "target": "ratio_runner_to_cli <= 1.0 (no slower than plain dbt build)",
        "met": ratio <= 1.0,
        "load_average_at_start": load_at_start,
        "load_average_at_end": load_average(),
        "floors": [
            floor_row("a run: trigger -> success", round(medians["local runner (trigger -> success)"], 3),
                      round(medians["dbt build (CLI)"], 3), "plain dbt build"),
        ],
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    for name, value in medians.items():
        print(f"{name:36} {value:6.2f} s")
    print(f"ratio runner / CLI: {ratio:.2f} ({'met' if ratio <= 1.0 else 'NOT met'}: no slower than dbt build)")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
