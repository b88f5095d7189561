"""A bounded load test of the local runner's list and get endpoints: a fixed number of requests
from a few concurrent clients on loopback, beside its floor (a bare Starlette endpoint answering
the same bytes, bare_endpoint.py) in alternated rounds; throughput and latency percentiles of both
written to benchmarks/results/load.json. It stops by itself and fails if any request fails."""
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
import socket
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

from floors import floor_row, load_average  # noqa: E402

from tests.support.local_runner import LocalRunner  # noqa: E402 - after the path is set

ROUNDS = 4
REQUESTS_PER_ROUND = 1500
CLIENTS = 8
SEEDED_RUNS = 2000
ROUNDS = 3
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "load.json"
RESULTS = Path(__file__).resolve().parent / "results" / "load.json"
FLOOR_SERVER = Path(__file__).resolve().parent / "floor_server.py"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_bare_endpoint(answers: dict[str, str], folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The floor (bare_endpoint.py) in a process of its own, as the runner is, once it answers."""
    recorded = folder / "answers.json"
    recorded.write_text(json.dumps(answers))
    port = free_port()
    process = subprocess.Popen([sys.executable, str(HERE / "bare_endpoint.py"), str(port), str(recorded)])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/ready", timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the bare Starlette endpoint did not start")


def kind_of(path: str) -> str:
    return "list runs" if "/runs/?" in path else "get run" if "/runs/" in path else "get job"


def hammer(
    base_url: str, token: str, paths: list[str], latencies: dict[str, list[float]], failures: list[str]
) -> float:
    """Send `paths` from CLIENTS threads on kept-alive connections: the seconds it took."""
    client = httpx.Client(
        base_url=base_url,
        headers={"Authorization": f"Token {token}"},
        limits=httpx.Limits(max_connections=CLIENTS),
        timeout=30,
    )
def load(client: httpx.Client, paths: list[str], check: Callable[[httpx.Response], bool]) -> tuple[float, list[float]]:
    """All the paths through 8 keep-alive clients: the seconds it took, and each request's latency."""
    latencies: list[float] = []
    failures: list[str] = []

    def call(path: str) -> None:
        started = time.perf_counter()
        response = client.get(path)
        latencies[kind_of(path)].append(time.perf_counter() - started)
        if response.status_code != 200 or not response.json()["status"]["is_success"]:
            failures.append(f"{path}: {response.status_code}")

    with client, ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        started = time.perf_counter()
        list(pool.map(call, paths))
        return time.perf_counter() - started


def summary(latencies: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    everything = [value for values in latencies.values() for value in values]
    return {
        kind: {
            "p50": round(statistics.median(values) * 1000, 2),
            "p99": round(percentile(values, 0.99) * 1000, 2),
            "count": len(values),
        }
        for kind, values in {**latencies, "all": everything}.items()
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
    load = load_average()
    sides = ("local runner", "bare Starlette endpoint")
    latencies = {side: {"list runs": [], "get run": [], "get job": []} for side in sides}
    seconds: dict[str, list[float]] = {side: [] for side in sides}
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="dbt-cloud-load-") as folder:
        runner = LocalRunner(Path(folder)).prepare().start()
        bare = None
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
            headers = {"Authorization": f"Token {runner.token}"}
            answers = {kind_of(path): httpx.get(runner.base_url + path, headers=headers).text for path in paths[:3]}
            bare, bare_url = start_bare_endpoint(answers, Path(folder))
            urls = {"local runner": runner.base_url, "bare Starlette endpoint": bare_url}
            share = REQUESTS // ROUNDS
            for round_number in range(ROUNDS):  # alternated: a busier moment hits both sides
                chunk = paths[round_number * share : (round_number + 1) * share]
                for side in sides:
                    seconds[side].append(hammer(urls[side], runner.token, chunk, latencies[side], failures))
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
            if bare is not None:
                bare.terminate()
                bare.wait(10)
    share = REQUESTS // ROUNDS
    throughput = {side: round(share / statistics.median(seconds[side]), 1) for side in sides}
    summaries = {side: summary(latencies[side]) for side in sides}
    ours, floor = summaries["local runner"], summaries["bare Starlette endpoint"]
    figures = {side: summary(*pooled[side]) for side in sides}
    report = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_at_start": load,
        "requests": REQUESTS,
        "rounds": ROUNDS,
        "concurrent_clients": CLIENTS,
        "errors": len(failures),
        "throughput_per_second": throughput["local runner"],
        "latency_ms": ours,
        "floor": {
            "what": "a bare Starlette app under uvicorn answering the runner's recorded bytes, alternated",
            "throughput_per_second": throughput["bare Starlette endpoint"],
            "latency_ms": floor,
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
        "floors": [
            floor_row("throughput, requests/s", throughput["local runner"], throughput["bare Starlette endpoint"],
                      "bare Starlette endpoint", "req/s"),
            *(
                floor_row(f"p50 latency, {kind}", ours[kind]["p50"], floor[kind]["p50"], "bare Starlette endpoint",
                          "ms")
                for kind in ("list runs", "get run", "get job", "all")
            ),
        ],
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
