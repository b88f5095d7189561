"""`dbt-cloud run list --all` over 10,000 runs beside fetching the same pages one by one (the same
client, one request after the other, as a script or dbt-cloud-cli's `--paginate` does), and beside
dbt-cloud-cli 0.9.1's `run list --paginate` itself; side by side in one run (interleaved rounds,
medians), written to benchmarks/results/run_list_all.json.

Every answer of the server waits `LATENCY` seconds before it is sent: that is the network and the
service, which a loopback server does not have and dbt Cloud does (a page of 100 runs takes it a
good part of a second). The run also records the ratio with no added latency, where both ways are
bound by the CPU of one small machine. What must hold: `--all` at least 3x faster than page by page.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline import dbt_cloud_cli, host_for_0_9_1, measure
from bench_server import ACCOUNT_ID, TOKEN, Content, serve
from floors import floor_row, load_average

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.local_runner import LocalRunner

RUNS = 10_000
LATENCY = 0.1
ROUNDS = 3
HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
RESULTS = HERE / "results" / "run_list_all.json"
SCRIPT = str(Path(sys.executable).parent / "dbt-cloud")
MIN_SPEEDUP = 3.0

#: The same pages, one after the other, with the same client and command model.
PAGE_BY_PAGE = """
import json, sys
from dbt_cloud import DbtCloudClient, Settings
from dbt_cloud.api.operations.run import RunList

runs, offset = [], 0
settings = Settings.resolve({})
with DbtCloudClient(settings) as client:
    while True:
        page = client.send(RunList(account_id=settings.account_id, offset=offset, limit=100))
        runs += page.data
        offset += len(page.data)
        if not page.data or offset >= (page.total_count or 0):
            break
json.dump({"data": runs}, sys.stdout)
"""


def check_all_pages(env: dict[str, str]) -> None:
    """`--all` answers every run once, in order: speed without that would mean nothing."""
    output = subprocess.run(
        [SCRIPT, "run", "list", "--all"], env={**os.environ, **env}, capture_output=True, text=True, check=True
    ).stdout
    ids = [run["id"] for run in json.loads(output)["data"]]
    if len(set(ids)) != RUNS or len(ids) != RUNS:
        raise SystemExit(f"run list --all answered {len(ids)} runs ({len(set(ids))} distinct), not {RUNS}")


def curl_every_page(url: str) -> list[str]:
    """The floor: curl fetching the same pages, PAGE_WORKERS at a time, to /dev/null (nothing parsed)."""
    from dbt_cloud.http.client import PAGE_WORKERS

    command = ["curl", "-sS", "--fail", "--parallel", "--parallel-max", str(PAGE_WORKERS)]
    command += ["-H", f"Authorization: Token {TOKEN}"]
    for offset in range(0, RUNS, 100):
        command += ["-o", os.devnull, f"{url}/api/v2/accounts/{ACCOUNT_ID}/runs/?offset={offset}&limit=100"]
    return command


def compare(latency: float, rounds: int, old_cli: Path | None) -> dict[str, list[float]]:
    content = Content(run_count=RUNS, list_latency=latency)
    with serve(content) as http, serve(content, tls_folder=WORK) as https:
        check_all_pages(http.env())
        cases: dict[str, tuple[list[str], dict[str, str]]] = {
            "dbt-cloud run list --all": ([SCRIPT, "run", "list", "--all"], http.env()),
            "page by page (same client)": ([sys.executable, "-c", PAGE_BY_PAGE], http.env()),
            "curl, every page": (curl_every_page(http.url), {}),
        }
        if old_cli is not None:
            env = {**https.env(), "DBT_CLOUD_HOST": host_for_0_9_1(https.url)}
            old_command = [str(old_cli), "run", "list", "--paginate"]
            cases["dbt-cloud-cli 0.9.1 run list --paginate (https)"] = (old_command, env)
            cases["dbt-cloud run list --all (https)"] = ([SCRIPT, "run", "list", "--all"], https.env())
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for round_number in range(1, rounds + 1):
            for name, (command, env) in cases.items():
                samples[name].append(measure(command, env)[0])
                print(f"latency {latency:.2f}s round {round_number} {name:48} {samples[name][-1]:6.2f} s", flush=True)
    return samples


def on_local_runner(rounds: int) -> dict[str, list[float]]:
    """The same two ways against the bundled local runner holding 10,000 runs (no added latency)."""
    data_dir = WORK / "local-runner-runs"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    runner = LocalRunner(data_dir).prepare().start()
    try:
        runner.seed_runs(runner.jobs["build"], RUNS, status=10)
        check_all_pages(runner.env())
        cases = {
            "dbt-cloud run list --all": [SCRIPT, "run", "list", "--all"],
            "page by page (same client)": [sys.executable, "-c", PAGE_BY_PAGE],
        }
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for round_number in range(1, rounds + 1):
            for name, command in cases.items():
                samples[name].append(measure(command, runner.env())[0])
                print(f"local runner round {round_number} {name:43} {samples[name][-1]:6.2f} s", flush=True)
        return samples
    finally:
        runner.stop()


def main() -> None:
    load = [round(value, 2) for value in os.getloadavg()]
    WORK.mkdir(exist_ok=True)
    old_cli, old_cli_note = dbt_cloud_cli()
    with_latency = compare(LATENCY, ROUNDS, old_cli)
    without = compare(0.0, ROUNDS, None)
    local = on_local_runner(ROUNDS)
    medians_local = {name: round(statistics.median(values), 3) for name, values in local.items()}
    medians = {name: round(statistics.median(values), 3) for name, values in with_latency.items()}
    medians_0 = {name: round(statistics.median(values), 3) for name, values in without.items()}
    speedup = medians["page by page (same client)"] / medians["dbt-cloud run list --all"]
    result = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "runs": RUNS,
        "pages": RUNS // 100,
        "rounds": ROUNDS,
        "server": "benchmarks/bench_server.py on 127.0.0.1, and the bundled local runner",
        "load_average_at_start": load,
        "dbt_cloud_cli_0_9_1": old_cli_note,
        f"latency_{LATENCY}s": {"median_seconds": medians},
        "latency_0s": {"median_seconds": medians_0},
        "local_runner": {"median_seconds": medians_local},
        "ratios": {
            "all_speedup_vs_page_by_page": round(speedup, 2),
            "all_speedup_vs_page_by_page_without_latency": round(
                medians_0["page by page (same client)"] / medians_0["dbt-cloud run list --all"], 2
            ),
            "all_speedup_vs_page_by_page_local_runner": round(
                medians_local["page by page (same client)"] / medians_local["dbt-cloud run list --all"], 2
            ),
        },
        "requirements": {f"--all at least {MIN_SPEEDUP}x faster than page by page": speedup >= MIN_SPEEDUP},
        "load_average_at_end": load_average(),
        "floors": [
            floor_row(f"run list --all, {label}", table["dbt-cloud run list --all"], table["curl, every page"],
                      "curl --parallel, the same pages")
            for label, table in ((f"{LATENCY} s per page", medians), ("no latency", medians_0))
        ],
    }  # fmt: skip
    old_name = "dbt-cloud-cli 0.9.1 run list --paginate (https)"
    if old_name in medians:
        result["ratios"]["all_speedup_vs_dbt_cloud_cli_0_9_1_https"] = round(
            medians[old_name] / medians["dbt-cloud run list --all (https)"], 2
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    for name, seconds in medians.items():
        print(f"{name:50} {seconds:6.2f} s   (no latency: {medians_0.get(name, float('nan')):5.2f} s)")
    for requirement, met in result["requirements"].items():
        print(f"{'met' if met else 'NOT MET':8} {requirement}: {speedup:.1f}x")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
