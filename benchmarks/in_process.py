"""What running commands in process saves: `dbt-cloud run get` as a subprocess per call (what a
script or an orchestrator task does without the library) beside `DbtCloudRunner.invoke` in one
thread and from 8 threads, and the typed client, against the recorded API on 127.0.0.1.

Measured in one run, written to benchmarks/results/in_process.json; the ratios to the subprocess
baseline, not the absolute times, are what carry between machines.
"""

from __future__ import annotations

import json
import os
import platform
import socketserver
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from floors import floor_row, load_average

from dbt_cloud import DbtCloud, DbtCloudRunner
from tests.support.recorded_api import RecordedApi

TOKEN = "bench-token-5b21"
ACCOUNT = "123456"
SUBPROCESS_CALLS = 5
IN_PROCESS_CALLS = 300
THREADS = 8
RESULTS = Path(__file__).resolve().parent / "results" / "in_process.json"
SCRIPT = str(Path(sys.executable).parent / "dbt-cloud")


def per_call(calls: int, run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) / calls


def main() -> None:
    # The recorded API writes headers and body apart; without TCP_NODELAY, Nagle's algorithm holds
    # each body for the client's delayed ACK (40 ms), which would measure the server, not us.
    socketserver.StreamRequestHandler.disable_nagle_algorithm = True
    api = RecordedApi(token=TOKEN).start()
    os.environ.update(DBT_CLOUD_API_TOKEN=TOKEN, DBT_CLOUD_HOST=api.url, DBT_CLOUD_ACCOUNT_ID=ACCOUNT)
    args = ["run", "get", "--run-id", "1"]

    def subprocesses() -> None:
        for _ in range(SUBPROCESS_CALLS):
            subprocess.run([SCRIPT, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)

    runner = DbtCloudRunner()
    runner.invoke(args)  # the first call imports the group's module: not what repeated calls pay

    def sequential() -> None:
        for _ in range(IN_PROCESS_CALLS):
            assert runner.invoke(args).success

    def threaded() -> None:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            assert all(result.success for result in pool.map(lambda _: runner.invoke(args), range(IN_PROCESS_CALLS)))

    cloud = DbtCloud()

    def typed() -> None:
        for _ in range(IN_PROCESS_CALLS):
            cloud.run.get(run_id=1)

    # The floor: the same GET through a bare httpx client, nothing of ours in the way.
    bare = httpx.Client(base_url=api.url, headers={"Authorization": f"Token {TOKEN}"})

    def bare_get() -> None:
        for _ in range(IN_PROCESS_CALLS):
            bare.get(f"/api/v2/accounts/{ACCOUNT}/runs/1/").raise_for_status().json()

    samples: dict[str, list[float]] = {"subprocess per call": [], "runner": [], f"runner, {THREADS} threads": []}
    samples["typed client"] = []
    samples["bare httpx GET"] = []
    for _ in range(3):  # interleaved rounds, so drift affects every case alike
        samples["subprocess per call"].append(per_call(SUBPROCESS_CALLS, subprocesses))
        samples["runner"].append(per_call(IN_PROCESS_CALLS, sequential))
        samples[f"runner, {THREADS} threads"].append(per_call(IN_PROCESS_CALLS, threaded))
        samples["typed client"].append(per_call(IN_PROCESS_CALLS, typed))
        samples["bare httpx GET"].append(per_call(IN_PROCESS_CALLS, bare_get))
    bare.close()
    runner.close()
    cloud.close()
    api.stop()
    medians = {name: statistics.median(values) for name, values in samples.items()}
    baseline = medians["subprocess per call"]
    report = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "command": "dbt-cloud " + " ".join(args),
        "median_seconds_per_call": {name: round(value, 5) for name, value in medians.items()},
        "speedup_over_subprocess": {name: round(baseline / value, 1) for name, value in medians.items()},
        "load_average_at_end": load_average(),
        "floors": [
            floor_row(f"{name}, per call", round(medians[name], 5), round(medians["bare httpx GET"], 5),
                      "a bare httpx GET of the same URL")
            for name in ("typed client", "runner", f"runner, {THREADS} threads", "subprocess per call")
        ],
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    for name, value in medians.items():
        print(f"{name:24} {value * 1000:8.2f} ms per call  {baseline / value:6.1f}x the subprocess")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
