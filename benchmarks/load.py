"""A bounded load test of the local runner's list and get endpoints: a fixed number of requests
from a few concurrent clients on loopback, throughput and latency percentiles written to
benchmarks/results/load.json. It stops by itself and fails if any request fails."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.local_runner import LocalRunner  # noqa: E402 - after the path is set

REQUESTS = 3000
CLIENTS = 8
SEEDED_RUNS = 2000
RESULTS = Path(__file__).resolve().parent / "results" / "load.json"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="dbt-cloud-load-") as folder:
        runner = LocalRunner(Path(folder)).prepare().start()
        try:
            run_ids = runner.seed_runs(runner.jobs["build"], SEEDED_RUNS)
            account = f"/api/v2/accounts/{runner.account_id}"
            paths = [
                f"{account}/runs/?limit=100&offset={(index * 100) % SEEDED_RUNS}&order_by=-id"
                if index % 3 == 0
                else f"{account}/runs/{run_ids[index % len(run_ids)]}/"
                if index % 3 == 1
                else f"{account}/jobs/{runner.jobs['build']}/"
                for index in range(REQUESTS)
            ]
            latencies: dict[str, list[float]] = {"list runs": [], "get run": [], "get job": []}
            failures: list[str] = []
            client = httpx.Client(
                base_url=runner.base_url,
                headers={"Authorization": f"Token {runner.token}"},
                limits=httpx.Limits(max_connections=CLIENTS),
                timeout=30,
            )

            def call(path: str) -> None:
                kind = "list runs" if "/runs/?" in path else "get run" if "/runs/" in path else "get job"
                started = time.perf_counter()
                response = client.get(path)
                latencies[kind].append(time.perf_counter() - started)
                if response.status_code != 200 or not response.json()["status"]["is_success"]:
                    failures.append(f"{path}: {response.status_code}")

            with client, ThreadPoolExecutor(max_workers=CLIENTS) as pool:
                started = time.perf_counter()
                list(pool.map(call, paths))
                elapsed = time.perf_counter() - started
        finally:
            runner.stop()
    everything = [value for values in latencies.values() for value in values]
    report = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "requests": REQUESTS,
        "concurrent_clients": CLIENTS,
        "errors": len(failures),
        "throughput_per_second": round(REQUESTS / elapsed, 1),
        "latency_ms": {
            kind: {
                "p50": round(statistics.median(values) * 1000, 2),
                "p99": round(percentile(values, 0.99) * 1000, 2),
                "count": len(values),
            }
            for kind, values in {**latencies, "all": everything}.items()
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, e.g. {failures[:3]}")


if __name__ == "__main__":
    main()
