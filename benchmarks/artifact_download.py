"""Downloading a large artifact: peak memory and throughput of `dbt-cloud run get-artifact` beside
`curl` on the same URL, and beside dbt-cloud-cli 0.9.1 (installed in its own venv), measured side by
side in one run (interleaved rounds, medians) and written to benchmarks/results/artifact_download.json.

The artifact (1 GiB of bytes that do not compress) is generated here and served by the bundled local
runner, planted in a finished run of its own. dbt-cloud-cli 0.9.1 only speaks HTTPS, which the local
runner does not, so the clients are also compared over HTTPS, on benchmarks/bench_server.py with a
certificate of its own. Every download goes to a file that did not exist before, on
the same file system. What must hold: our peak RSS under 80 MB, our throughput at least 0.8 of curl's.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline import dbt_cloud_cli, host_for_0_9_1, measure
from bench_server import ACCOUNT_ID, RUN_ID, TOKEN, Content, serve, write_artifact
from floors import floor_row, load_average

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from dbt_cloud.local.planning import run_dir_of
from tests.support.local_runner import LocalRunner

SIZE = 1 << 30
ROUNDS = 3
HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
RESULTS = HERE / "results" / "artifact_download.json"
SCRIPT = str(Path(sys.executable).parent / "dbt-cloud")
MAX_RSS_MB = 80
MIN_THROUGHPUT_VS_CURL = 0.8


def local_runner_with(artifact: Path) -> tuple[LocalRunner, int]:
    """The bundled local runner, started, with a finished run whose target/ holds the artifact
    (a hard link: the gigabyte is not copied)."""
    data_dir = WORK / "local-runner"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    runner = LocalRunner(data_dir).prepare().start()
    (run_id,) = runner.seed_runs(runner.jobs["build"], 1, status=10)
    target_dir = run_dir_of(data_dir, run_id) / "target"
    target_dir.mkdir(parents=True, exist_ok=True)
    os.link(artifact, target_dir / artifact.name)
    return runner, run_id


def main() -> None:
    load = [round(value, 2) for value in os.getloadavg()]
    WORK.mkdir(exist_ok=True)
    artifact = WORK / "large_artifact.bin"
    if not artifact.exists() or artifact.stat().st_size != SIZE:
        print(f"writing a {SIZE >> 20} MB artifact to {artifact}")
        write_artifact(artifact, SIZE)
    target = WORK / "downloaded.bin"
    old_cli, old_cli_note = dbt_cloud_cli()

    def ours(run_id: int) -> list[str]:
        return [SCRIPT, "run", "get-artifact", "--run-id", str(run_id), "--path", artifact.name, "-f", str(target)]

    runner, run_id = local_runner_with(artifact)
    try:
        local_url = f"{runner.base_url}/api/v2/accounts/{runner.account_id}/runs/{run_id}/artifacts/{artifact.name}"
        tls_path = f"/api/v2/accounts/{ACCOUNT_ID}/runs/{RUN_ID}/artifacts/{artifact.name}"
        with serve(Content(artifact=artifact), tls_folder=WORK) as https:
            cases: dict[str, tuple[list[str], dict[str, str]]] = {
                "curl": (["curl", "-sS", "--fail", "-o", str(target), "-H", f"Authorization: Token {runner.token}",
                          local_url], {}),
                "dbt-cloud": (ours(run_id), runner.env()),
                "curl (https)": (["curl", "-sS", "--fail", "--cacert", str(https.ca_file), "-o", str(target),
                                  "-H", f"Authorization: Token {TOKEN}", https.url + tls_path], {}),
                "dbt-cloud (https)": (ours(RUN_ID), https.env()),
                "python ssl loop (https)": ([sys.executable, str(HERE / "tls_floor.py"), https.url + tls_path,
                                             str(https.ca_file), TOKEN, str(target)], {}),
            }  # fmt: skip
            if old_cli is not None:
                env = {**https.env(), "DBT_CLOUD_HOST": host_for_0_9_1(https.url)}
                cases["dbt-cloud-cli 0.9.1 (https)"] = ([str(old_cli), *ours(RUN_ID)[1:]], env)
            samples: dict[str, list[tuple[float, int, float]]] = {name: [] for name in cases}
            for round_number in range(1, ROUNDS + 1):
                for name, (command, env) in cases.items():  # interleaved: drift affects every case alike
                    target.unlink(missing_ok=True)
                    os.sync()  # start each download with no other writes pending
                    samples[name].append(measure(command, env))
                    if target.stat().st_size != SIZE:
                        raise SystemExit(f"{name} wrote {target.stat().st_size} bytes, not {SIZE}")
                    print(f"round {round_number} {name:30} {samples[name][-1][0]:6.2f} s", flush=True)
    finally:
        runner.stop()
        target.unlink(missing_ok=True)
    report(samples, old_cli_note, load)


def report(samples: dict[str, list[tuple[float, int, float]]], old_cli_note: str, load: list[float]) -> None:
    rows = {}
    for name, values in samples.items():
        seconds = statistics.median(value[0] for value in values)
        rows[name] = {
            "median_seconds": round(seconds, 3),
            "throughput_mb_per_s": round(SIZE / seconds / 1e6, 1),
            "peak_rss_mb": round(max(value[1] for value in values) / 1e6, 1),
            "median_cpu_seconds": round(statistics.median(value[2] for value in values), 3),
        }
    ratio = rows["dbt-cloud"]["throughput_mb_per_s"] / rows["curl"]["throughput_mb_per_s"]
    ratio_tls = rows["dbt-cloud (https)"]["throughput_mb_per_s"] / rows["curl (https)"]["throughput_mb_per_s"]
    peak = max(rows["dbt-cloud"]["peak_rss_mb"], rows["dbt-cloud (https)"]["peak_rss_mb"])
    result = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "artifact_bytes": SIZE,
        "rounds": ROUNDS,
        "server": "HTTP: the bundled local runner (uvicorn); HTTPS: benchmarks/bench_server.py (Python ssl)",
        "load_average_at_start": load,
        "load_average_at_end": load_average(),
        "dbt_cloud_cli_0_9_1": old_cli_note,
        "cases": rows,
        "ratios": {
            "dbt_cloud_throughput_vs_curl": round(ratio, 2),
            "dbt_cloud_throughput_vs_curl_https": round(ratio_tls, 2),
            "dbt_cloud_peak_rss_mb": peak,
        },
        "requirements": {
            f"peak RSS under {MAX_RSS_MB} MB": peak < MAX_RSS_MB,
            f"throughput at least {MIN_THROUGHPUT_VS_CURL} of curl's": ratio >= MIN_THROUGHPUT_VS_CURL,
            f"HTTPS throughput at least {MIN_THROUGHPUT_VS_CURL} of curl's": ratio_tls >= MIN_THROUGHPUT_VS_CURL,
        },
        "floors": [
            floor_row("HTTP throughput", rows["dbt-cloud"]["throughput_mb_per_s"], rows["curl"]["throughput_mb_per_s"],
                      "curl", "MB/s"),
            floor_row("HTTPS throughput", rows["dbt-cloud (https)"]["throughput_mb_per_s"],
                      rows["curl (https)"]["throughput_mb_per_s"], "curl", "MB/s"),
            floor_row("HTTPS throughput, Python floor", rows["dbt-cloud (https)"]["throughput_mb_per_s"],
                      rows["python ssl loop (https)"]["throughput_mb_per_s"], "a bare ssl-socket loop (tls_floor.py)",
                      "MB/s"),
            floor_row("HTTPS CPU seconds", rows["dbt-cloud (https)"]["median_cpu_seconds"],
                      rows["curl (https)"]["median_cpu_seconds"], "curl"),
        ],
    }  # fmt: skip
    if "dbt-cloud-cli 0.9.1 (https)" in rows:
        old = rows["dbt-cloud-cli 0.9.1 (https)"]
        result["ratios"]["dbt_cloud_cli_0_9_1_peak_rss_vs_ours"] = round(old["peak_rss_mb"] / peak, 1)
        result["ratios"]["dbt_cloud_throughput_vs_dbt_cloud_cli_0_9_1_https"] = round(
            rows["dbt-cloud (https)"]["throughput_mb_per_s"] / old["throughput_mb_per_s"], 2
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    for name, row in rows.items():
        print(f"{name:30} {row['median_seconds']:6.2f} s {row['throughput_mb_per_s']:7.1f} MB/s "
              f"{row['peak_rss_mb']:8.1f} MB peak RSS")  # fmt: skip
    for requirement, met in result["requirements"].items():
        print(f"{'met' if met else 'NOT MET':8} {requirement}")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
