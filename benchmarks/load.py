"""GET throughput and latency of the local runner under load, beside its floor, in one run.

The load: 8 clients on kept-alive connections (one httpx client, 8 threads) asking for
`/runs/{id}/` of 2,000 seeded runs. The floor: a bare Starlette endpoint (benchmarks/floor_server.py)
served by uvicorn the same way, answering a body of the same size, under the same load generator.
Rounds alternate runner, floor, runner, floor, ... so both meet the same machine; the figures of
each side are pooled over its rounds. Written to benchmarks/results/load.json with the ratio of
throughputs (runner / floor; the target is 0.5 or better). It stops by itself and fails if any
request fails.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from floors import floor_row, load_average  # noqa: E402 - beside this file

from tests.support.local_runner import LocalRunner  # noqa: E402 - after the path is set

ROUNDS = 4
REQUESTS_PER_ROUND = 1500
CLIENTS = 8
SEEDED_RUNS = 2000
RESULTS = Path(__file__).resolve().parent / "results" / "load.json"
FLOOR_SERVER = Path(__file__).resolve().parent / "floor_server.py"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def load(client: httpx.Client, paths: list[str], check: Callable[[httpx.Response], bool]) -> tuple[float, list[float]]:
    """All the paths through 8 keep-alive clients: the seconds it took, and each request's latency."""
    latencies: list[float] = []
    failures: list[str] = []

    def call(path: str) -> None:
        started = time.perf_counter()
        response = client.get(path)
        latencies.append(time.perf_counter() - started)
        if not check(response):
            failures.append(f"{path}: {response.status_code}")

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        started = time.perf_counter()
        list(pool.map(call, paths))
        elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, e.g. {failures[:3]}")
    return elapsed, latencies


def start_floor(size: int) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, str(FLOOR_SERVER), str(size)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"listening on (http://\S+)", line)
    if match is None:
        process.kill()
        raise SystemExit(f"the floor server did not start: {line}")
    return process, match.group(1)


def summary(elapsed: float, latencies: list[float]) -> dict[str, float | int]:
    return {
        "requests": len(latencies),
        "throughput_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
    }


def main() -> None:
    started_load = load_average()
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    with tempfile.TemporaryDirectory(prefix="dbt-cloud-load-") as folder:
        runner = LocalRunner(Path(folder)).prepare().start()
        floor = None
        try:
            run_ids = runner.seed_runs(runner.jobs["build"], SEEDED_RUNS)
            account = f"/api/v2/accounts/{runner.account_id}"
            paths = [f"{account}/runs/{run_ids[index % len(run_ids)]}/" for index in range(REQUESTS_PER_ROUND)]
            headers = {"Authorization": f"Token {runner.token}"}
            with httpx.Client(base_url=runner.base_url, headers=headers, timeout=30) as probe:
                body_size = len(probe.get(paths[0]).content)
            floor, floor_url = start_floor(body_size)
            sides = {
                "runner": (runner.base_url, lambda r: r.status_code == 200 and r.json()["status"]["is_success"]),
                "floor": (floor_url, lambda r: r.status_code == 200 and len(r.content) == body_size),
            }
            pooled: dict[str, tuple[float, list[float]]] = {side: (0.0, []) for side in sides}
            for _ in range(ROUNDS):
                for side, (url, check) in sides.items():
                    with httpx.Client(base_url=url, headers=headers, limits=limits, timeout=30) as client:
                        client.get(paths[0])  # the connection is open before the clock starts
                        elapsed, latencies = load(client, paths, check)
                    total, every = pooled[side]
                    pooled[side] = (total + elapsed, every + latencies)
        finally:
            if floor is not None:
                floor.kill()
                floor.wait()
            runner.stop()
    figures = {side: summary(*pooled[side]) for side in sides}
    report = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "what": "GET /api/v2/accounts/{id}/runs/{id}/ of 2,000 seeded runs; floor: bare Starlette, same body size",
        "load": f"{CLIENTS} keep-alive clients (httpx, threads), {ROUNDS} alternated rounds of {REQUESTS_PER_ROUND}",
        "body_bytes": body_size,
        "runner": figures["runner"],
        "floor": figures["floor"],
        "ratio": {
            "throughput_runner_vs_floor": round(
                float(figures["runner"]["throughput_per_second"]) / float(figures["floor"]["throughput_per_second"]), 2
            ),
            "target": 0.5,
        },
        "load_average_at_start": started_load,
        "floors": [
            floor_row(
                "GET throughput",
                figures["runner"]["throughput_per_second"],
                figures["floor"]["throughput_per_second"],
                "bare Starlette endpoint, same body",
                "req/s",
            ),
            floor_row(
                "GET p50",
                figures["runner"]["p50_ms"],
                figures["floor"]["p50_ms"],
                "bare Starlette endpoint, same body",
                "ms",
            ),
            floor_row(
                "GET p99",
                figures["runner"]["p99_ms"],
                figures["floor"]["p99_ms"],
                "bare Starlette endpoint, same body",
                "ms",
            ),
        ],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
