"""A bounded load test of the local runner's list and get endpoints: a fixed number of requests
from a few concurrent clients on loopback, beside its floor (a bare Starlette endpoint answering
the same bytes, bare_endpoint.py) in alternated rounds; throughput and latency percentiles of both
written to benchmarks/results/load.json. It stops by itself and fails if any request fails."""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from floors import floor_row, load_average  # noqa: E402

from tests.support.local_runner import LocalRunner  # noqa: E402 - after the path is set

REQUESTS = 3000
CLIENTS = 8
SEEDED_RUNS = 2000
ROUNDS = 3
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "load.json"


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
        finally:
            runner.stop()
            if bare is not None:
                bare.terminate()
                bare.wait(10)
    share = REQUESTS // ROUNDS
    throughput = {side: round(share / statistics.median(seconds[side]), 1) for side in sides}
    summaries = {side: summary(latencies[side]) for side in sides}
    ours, floor = summaries["local runner"], summaries["bare Starlette endpoint"]
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
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, e.g. {failures[:3]}")


if __name__ == "__main__":
    main()
