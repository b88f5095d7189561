"""`make demo`: the CLI end to end, with no dbt Cloud account.

Until the bundled local runner lands, the demo starts the test suite's recorded API, a real HTTP
server on 127.0.0.1 that answers with responses captured from dbt Cloud, and drives the installed
`dbt-cloud` command against it: list, trigger, inspect a run, download an artifact, and show what
an error looks like. Every step prints the command it runs.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.recorded_api import RecordedApi  # noqa: E402 - after the path is set

TOKEN = "demo-token-not-a-secret"
OUTPUT = ROOT / "demo" / "output"


def step(title: str, *args: str, env: dict[str, str], expect: int = 0, capture: bool = False) -> str:
    print(f"\n== {title}\n$ dbt-cloud {shlex.join(args)}", flush=True)
    executable = Path(sys.executable).parent / "dbt-cloud"
    result = subprocess.run(
        [str(executable), *args], env=env, check=False, stdout=subprocess.PIPE if capture else None, text=True
    )
    if result.returncode != expect:
        raise SystemExit(f"demo step failed: exit {result.returncode}, expected {expect}")
    if expect:
        print(f"(exit code {result.returncode}, as expected)", flush=True)
    return result.stdout or ""


def main() -> None:
    api = RecordedApi(token=TOKEN).start()
    api.add_runs(250, status=10, status_humanized="Success")
    print(f"Recorded dbt Cloud API listening on {api.url}")
    env = {
        **os.environ,
        "DBT_CLOUD_HOST": api.url,
        "DBT_CLOUD_API_TOKEN": TOKEN,
        "DBT_CLOUD_ACCOUNT_ID": "123456",
        "COLUMNS": "100",
    }
    OUTPUT.mkdir(parents=True, exist_ok=True)
    try:
        step("Who am I: the account", "account", "get", "-o", "table", env=env)
        step("The jobs of the account", "job", "list", "-o", "table", env=env)
        step(
            "Trigger a run of a job (JSON, as dbt-cloud-cli printed it)",
            "job",
            "run",
            "--job-id",
            "43167",
            "--cause",
            "make demo",
            "-f",
            str(OUTPUT / "triggered_run.json"),
            env=env,
        )
        ids = step(
            "Every run: all pages, fetched concurrently", "run", "list", "--all", "-o", "ids", env=env, capture=True
        )
        print(f"{len(ids.split())} runs, ids {ids.split()[0]} to {ids.split()[-1]}")
        step("A run", "run", "get", "--run-id", "34929305", "-o", "table", env=env)
        step("Its artifacts", "run", "list-artifacts", "--run-id", "34929305", "-o", "table", env=env)
        step(
            "Download run_results.json (written whole, or not at all)",
            "run",
            "get-artifact",
            "--run-id",
            "34929305",
            "--path",
            "run_results.json",
            "-f",
            str(OUTPUT / "run_results.json"),
            env=env,
        )
        step(
            "An error is one line, and never shows the token",
            "job",
            "get",
            "--job-id",
            "1",
            env={**env, "DBT_CLOUD_API_TOKEN": "wrong-token"},
            expect=1,
        )
        print(f"\nDemo finished: {len(api.requests)} requests served. Files in {OUTPUT}")
    finally:
        api.stop()


if __name__ == "__main__":
    main()
