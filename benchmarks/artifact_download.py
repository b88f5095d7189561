"""Downloading a large artifact: peak memory and throughput of `dbt-cloud run get-artifact` beside
`curl` on the same URL, and beside dbt-cloud-cli 0.9.1 (installed in its own venv), measured side by
side in one run (interleaved rounds, medians) and written to benchmarks/results/artifact_download.json.

The artifact (1 GiB of bytes that do not compress) is generated here and served by the bundled local
runner, planted in a finished run of its own. dbt-cloud-cli 0.9.1 only speaks HTTPS, which the local
runner does not, so the clients are also compared over HTTPS, on benchmarks/bench_server.py with a
certificate of its own. Every download goes to a file that did not exist before, on
the same file system: a tmpfs (/dev/shm) where there is one with room, so that what is measured is
the client's work and not the shared disk's writeback (on the shared machine a gigabyte to disk
took 1 to 8 seconds whoever wrote it). Several files at once (`--output-dir` with four `--path`, 256 MB each) are
measured beside `curl --parallel` fetching the same four. What must hold: our peak RSS under 80 MB,
our throughput at least 0.8 of curl's, over HTTP and HTTPS, one file or several.

The package is byte-compiled first, as `pip install` leaves it: with PYTHONDONTWRITEBYTECODE set
(as on the shared benchmark machine) every start would otherwise compile our modules again and
count that against the download.
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
from bench_server import ACCOUNT_ID, RUN_ID, TOKEN, Content, serve, write_artifact
from floors import floor_row, load_average

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from dbt_cloud.local.planning import run_dir_of
from tests.support.local_runner import LocalRunner

SIZE = 1 << 30
#: Several files at once: PARTS artifacts of PART_SIZE bytes (hard links of one file).
PARTS = 4
PART_SIZE = SIZE // PARTS
ROUNDS = 4
HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
RESULTS = HERE / "results" / "artifact_download.json"
SCRIPT = str(Path(sys.executable).parent / "dbt-cloud")
PACKAGE = HERE.parent / "dbt_cloud"
#: Ours runs this checkout's package (the venv's may be another checkout's editable install);
#: dbt-cloud-cli 0.9.1 runs its own venv's, with no path of ours in front of it.
OURS = {"PYTHONPATH": str(HERE.parent)}
NOT_OURS = {"PYTHONPATH": ""}
MAX_RSS_MB = 80
MIN_THROUGHPUT_VS_CURL = 0.8
#: Per case: (wall seconds, peak RSS bytes, CPU seconds) of each round.
Samples = dict[str, list[tuple[float, int, float]]]


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


def download_folder() -> Path:
    """Where the downloads go: a tmpfs with room for them all, or else beside the artifact."""
    shm = Path("/dev/shm")
    if shm.is_dir() and shutil.disk_usage(shm).free > 4 * SIZE:
        folder = shm / f"dbt-cloud-bench-{os.getpid()}"
        folder.mkdir(exist_ok=True)
        return folder
    return WORK


def parts_of(folder: Path) -> list[Path]:
    """PARTS artifacts of PART_SIZE bytes, under names of their own (hard links of one file)."""
    first = folder / "part-1.bin"
    if not first.exists() or first.stat().st_size != PART_SIZE:
        write_artifact(first, PART_SIZE)
    parts = [first]
    for number in range(2, PARTS + 1):
        link = folder / f"part-{number}.bin"
        link.unlink(missing_ok=True)
        os.link(first, link)
        parts.append(link)
    return parts


def main() -> None:
    load = [round(value, 2) for value in os.getloadavg()]
    WORK.mkdir(exist_ok=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(PACKAGE)], check=True, stdout=subprocess.DEVNULL)
    artifact = WORK / "large_artifact.bin"
    if not artifact.exists() or artifact.stat().st_size != SIZE:
        print(f"writing a {SIZE >> 20} MB artifact to {artifact}")
        write_artifact(artifact, SIZE)
    parts = parts_of(WORK)
    downloads = download_folder()
    target = downloads / "downloaded.bin"
    several = downloads / "downloaded"
    old_cli, old_cli_note = dbt_cloud_cli()

    def ours(run_id: int) -> list[str]:
        return [SCRIPT, "run", "get-artifact", "--run-id", str(run_id), "--path", artifact.name, "-f", str(target)]

    runner, run_id = local_runner_with(artifact)
    round_loads: list[list[float]] = []
    try:
        local_url = f"{runner.base_url}/api/v2/accounts/{runner.account_id}/runs/{run_id}/artifacts/{artifact.name}"
        tls_path = f"/api/v2/accounts/{ACCOUNT_ID}/runs/{RUN_ID}/artifacts/"
        with serve(Content(artifact=artifact, more_artifacts=tuple(parts)), tls_folder=WORK) as https:
            curl_tls = ["curl", "-sS", "--fail", "--cacert", str(https.ca_file), "-H", f"Authorization: Token {TOKEN}"]
            part_paths = [arg for part in parts for arg in ("--path", part.name)]
            curl_parts = [
                arg for part in parts for arg in (https.url + tls_path + part.name, "-o", str(several / part.name))
            ]
            cases: dict[str, tuple[list[str], dict[str, str]]] = {
                "curl": (["curl", "-sS", "--fail", "-o", str(target), "-H", f"Authorization: Token {runner.token}",
                          local_url], {}),
                "dbt-cloud": (ours(run_id), {**runner.env(), **OURS}),
                "curl (https)": ([*curl_tls, "-o", str(target), https.url + tls_path + artifact.name], {}),
                "dbt-cloud (https)": (ours(RUN_ID), {**https.env(), **OURS}),
                "python ssl loop (https)": ([sys.executable, str(HERE / "tls_floor.py"),
                                             https.url + tls_path + artifact.name, str(https.ca_file), TOKEN,
                                             str(target)], {}),
                "curl --parallel (https, 4 files)": ([*curl_tls, "--parallel", *curl_parts], {}),
                "dbt-cloud (https, 4 files)": ([SCRIPT, "run", "get-artifact", "--run-id", str(RUN_ID), *part_paths,
                                                "--output-dir", str(several)], {**https.env(), **OURS}),
            }  # fmt: skip
            if old_cli is not None:
                env = {**https.env(), "DBT_CLOUD_HOST": host_for_0_9_1(https.url), **NOT_OURS}
                cases["dbt-cloud-cli 0.9.1 (https)"] = ([str(old_cli), *ours(RUN_ID)[1:]], env)
            samples: Samples = {name: [] for name in cases}
            for round_number in range(1, ROUNDS + 1):
                round_loads.append(load_average())
                for name, (command, env) in cases.items():  # interleaved: drift affects every case alike
                    target.unlink(missing_ok=True)
                    shutil.rmtree(several, ignore_errors=True)
                    several.mkdir()
                    os.sync()  # start each download with no other writes pending
                    samples[name].append(measure(command, env))
                    check_written(name, target, several)
                    print(f"round {round_number} {name:34} {samples[name][-1][0]:6.2f} s", flush=True)
    finally:
        runner.stop()
        target.unlink(missing_ok=True)
        shutil.rmtree(several, ignore_errors=True)
        if downloads != WORK:
            shutil.rmtree(downloads, ignore_errors=True)
    report(samples, old_cli_note, load, round_loads, downloads)


def check_written(name: str, target: Path, several: Path) -> None:
    """Each case wrote all its bytes, or the benchmark stops."""
    if "4 files" in name:
        sizes = sorted(path.stat().st_size for path in several.iterdir())
        if sizes != [PART_SIZE] * PARTS:
            raise SystemExit(f"{name} wrote files of {sizes} bytes, not {PARTS} of {PART_SIZE}")
    elif target.stat().st_size != SIZE:
        raise SystemExit(f"{name} wrote {target.stat().st_size} bytes, not {SIZE}")


def report(
    samples: Samples, old_cli_note: str, load: list[float], round_loads: list[list[float]], downloads: Path
) -> None:
    rows = {}
    for name, values in samples.items():
        seconds = statistics.median(value[0] for value in values)
        rows[name] = {
            "median_seconds": round(seconds, 3),
            "throughput_mb_per_s": round(SIZE / seconds / 1e6, 1),
            "peak_rss_mb": round(max(value[1] for value in values) / 1e6, 1),
            "median_cpu_seconds": round(statistics.median(value[2] for value in values), 3),
            "seconds_each_round": [round(value[0], 3) for value in values],
        }

    def vs(ours: str, floor: str) -> float:
        return float(rows[ours]["throughput_mb_per_s"]) / float(rows[floor]["throughput_mb_per_s"])

    def each_round(ours: str, floor: str) -> float:
        """The median of the rounds' own ratios: each pair ran back to back, under the same load."""
        pairs = zip(samples[ours], samples[floor], strict=True)
        return round(statistics.median(floor_run[0] / our_run[0] for our_run, floor_run in pairs), 2)

    ratio = vs("dbt-cloud", "curl")
    ratio_tls = vs("dbt-cloud (https)", "curl (https)")
    ratio_several = vs("dbt-cloud (https, 4 files)", "curl --parallel (https, 4 files)")
    peak = max(rows[name]["peak_rss_mb"] for name in ("dbt-cloud", "dbt-cloud (https)", "dbt-cloud (https, 4 files)"))
    result = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "artifact_bytes": SIZE,
        "several_files": f"{PARTS} files of {PART_SIZE} bytes at once (--output-dir)",
        "rounds": ROUNDS,
        "downloads_to": "tmpfs (/dev/shm)" if downloads != WORK else "the disk, beside the artifact",
        "server": "HTTP: the bundled local runner (uvicorn); HTTPS: benchmarks/bench_server.py (Python ssl)",
        "note": "a 2-core machine shared with other work: figures move with the load; ratios, measured "
        "alternated in each round, much less",
        "load_average_at_start": load,
        "load_average_each_round": round_loads,
        "load_average_at_end": load_average(),
        "dbt_cloud_cli_0_9_1": old_cli_note,
        "cases": rows,
        "ratios": {
            "dbt_cloud_throughput_vs_curl": round(ratio, 2),
            "dbt_cloud_throughput_vs_curl_https": round(ratio_tls, 2),
            "dbt_cloud_throughput_vs_curl_https_4_files": round(ratio_several, 2),
            "dbt_cloud_peak_rss_mb": peak,
            "median_of_each_rounds_ratio": {
                "http": each_round("dbt-cloud", "curl"),
                "https": each_round("dbt-cloud (https)", "curl (https)"),
                "https_4_files": each_round("dbt-cloud (https, 4 files)", "curl --parallel (https, 4 files)"),
            },
        },
        "requirements": {
            f"peak RSS under {MAX_RSS_MB} MB": peak < MAX_RSS_MB,
            f"throughput at least {MIN_THROUGHPUT_VS_CURL} of curl's": ratio >= MIN_THROUGHPUT_VS_CURL,
            f"HTTPS throughput at least {MIN_THROUGHPUT_VS_CURL} of curl's": ratio_tls >= MIN_THROUGHPUT_VS_CURL,
            f"HTTPS, {PARTS} files at once, at least {MIN_THROUGHPUT_VS_CURL} of curl --parallel's": (
                ratio_several >= MIN_THROUGHPUT_VS_CURL
            ),
        },
        "floors": [
            floor_row("HTTP throughput", rows["dbt-cloud"]["throughput_mb_per_s"], rows["curl"]["throughput_mb_per_s"],
                      "curl", "MB/s"),
            floor_row("HTTPS throughput", rows["dbt-cloud (https)"]["throughput_mb_per_s"],
                      rows["curl (https)"]["throughput_mb_per_s"], "curl", "MB/s"),
            floor_row(f"HTTPS throughput, {PARTS} files at once",
                      rows["dbt-cloud (https, 4 files)"]["throughput_mb_per_s"],
                      rows["curl --parallel (https, 4 files)"]["throughput_mb_per_s"], "curl --parallel", "MB/s"),
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
        print(f"{name:34} {row['median_seconds']:6.2f} s {row['throughput_mb_per_s']:7.1f} MB/s "
              f"{row['peak_rss_mb']:8.1f} MB peak RSS")  # fmt: skip
    for requirement, met in result["requirements"].items():
        print(f"{'met' if met else 'NOT MET':8} {requirement}")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
