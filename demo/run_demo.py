"""`make demo`: the whole product with no dbt Cloud account.

It starts the bundled local runner (a dbt-Cloud-compatible API on 127.0.0.1 that runs dbt-core),
registers the demo dbt project (demo/project, DuckDB), and drives the installed `dbt-cloud`
command against it exactly as against dbt Cloud: trigger a job and wait for it, show its steps as
a table and the telling lines of their logs (a real `dbt build` with real row counts), list and
download its artifacts, show a run that fails and an error line, and end with the catalog
explorer's view of one model. Every step prints the command it runs; a line that condenses an
answer rather than printing it starts with "summary:".
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "demo" / "output"
DATA_DIR = OUTPUT / "local-runner"
EXECUTABLE = Path(sys.executable).parent / "dbt-cloud"


def step(title: str, *args: str, env: dict[str, str], expect: int = 0, capture: bool = False) -> str:
    print(f"\n== {title}\n$ dbt-cloud {shlex.join(args)}", flush=True)
    result = subprocess.run(
        [str(EXECUTABLE), *args], env=env, check=False, stdout=subprocess.PIPE if capture else None, text=True
    )
    if result.returncode != expect:
        raise SystemExit(f"demo step failed: exit {result.returncode}, expected {expect}")
    if expect:
        print(f"(exit code {result.returncode}, as expected)", flush=True)
    return result.stdout or ""


def quiet(*args: str, env: dict[str, str]) -> str:
    """A command whose output the demo reads rather than shows (it would print a token)."""
    return subprocess.run([str(EXECUTABLE), *args], env=env, check=True, stdout=subprocess.PIPE, text=True).stdout


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    command = [str(EXECUTABLE), "local", "serve", "--data-dir", str(DATA_DIR), "--port", "0"]
    print(f"\n== Start the local runner in the background\n$ dbt-cloud {shlex.join(command[1:])} &", flush=True)
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert server.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        match = re.search(r"listening on (http://\S+)", line)
        if match:
            print(line.rstrip(), flush=True)
            return server, match.group(1)
    server.kill()
    raise SystemExit("the local runner did not start")


def wait_for(run_id: int, env: dict[str, str]) -> dict[str, Any]:
    """Poll the run with `run get`, printing each status change (what `job run --wait` does)."""
    print(f"$ dbt-cloud run get --run-id {run_id}   (every second, until it completes)", flush=True)
    last = None
    while True:
        run = json.loads(quiet("run", "get", "--run-id", str(run_id), env=env))["data"]
        if run["status_humanized"] != last:
            last = run["status_humanized"]
            print(f"  run {run_id}: {last}", flush=True)
        if run["is_complete"]:
            return dict(run)
        time.sleep(1)


def has_option(env: dict[str, str], command: list[str], option: str) -> bool:
    return option in quiet(*command, "--help", env=env)


def trigger_and_wait(job_id: int, cause: str, env: dict[str, str], expect: int) -> dict[str, Any]:
    if has_option(env, ["job", "run"], "--wait"):
        output = step(
            f"Trigger job {job_id} and wait for it",
            "job", "run", "--job-id", str(job_id), "--cause", cause, "--wait",
            env=env, expect=expect, capture=True,
        )  # fmt: skip
        return dict(json.loads(output)["data"] if '"data"' in output else json.loads(output))
    output = step(
        f"Trigger job {job_id}",
        "job", "run", "--job-id", str(job_id), "--cause", cause, "-o", "ids",
        env=env, capture=True,
    )  # fmt: skip
    run = wait_for(int(output.split()[0]), env)
    if (run["status"] == 10) != (expect == 0):
        raise SystemExit(f"demo run ended {run['status_humanized']}: {run['status_message']}")
    return run


#: Log lines worth showing: rows loaded, models built, failures, and each step's summary.
WORTH_SHOWING = re.compile(
    r"INSERT \d+|OK created|FAIL|ERROR|Got \d+ results|Done\.|PASS freshness|Catalog written|Rows in "
)


def summary(text: str) -> None:
    """A line that condenses an answer the demo read, told apart from the commands' own output."""
    print(f"summary: {text}", flush=True)


def show_step_logs(run_id: int, env: dict[str, str]) -> None:
    step(f"The steps of run {run_id}", "run", "get", "--run-id", str(run_id), "--include-related", "run_steps",
         "-o", "table", env=env)  # fmt: skip
    print(f"\n== The telling lines of their logs\n$ dbt-cloud run logs {run_id} -o json", flush=True)
    steps = json.loads(quiet("run", "logs", str(run_id), "-o", "json", env=env))
    for run_step in steps:
        lines = [line for line in run_step["logs"].splitlines() if WORTH_SHOWING.search(line)]
        summary(f"step {run_step['index']}: {run_step['name']} ({run_step['status_humanized']})")
        for line in lines:
            print(f"   {line}", flush=True)


def first_model(catalog: dict[str, Any]) -> str:
    """The name of the catalog's first model, for the explorer's view of one."""
    models = sorted(key for key in catalog["nodes"] if key.startswith("model."))
    return str(catalog["nodes"][models[0]]["metadata"]["name"])


def main() -> None:
    shutil.rmtree(DATA_DIR, ignore_errors=True)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    base_env = {key: value for key, value in os.environ.items() if not key.startswith("DBT_CLOUD_")}
    base_env.update({"COLUMNS": "110", "DBT_CLOUD_CONFIG": str(OUTPUT / "config.toml")})

    ids = json.loads(
        step(
            "Register the demo dbt project (demo/project) with an environment and jobs",
            "local",
            "init",
            "--data-dir",
            str(DATA_DIR),
            "--save-profile",
            "",
            env=base_env,
            capture=True,
        )
    )
    print(json.dumps(ids, indent=2))
    token = quiet("local", "token", "create", "--data-dir", str(DATA_DIR), "--name", "demo", env=base_env).strip()
    print("\n== Create an API token for the demo (kept in a variable, not shown)")
    print(f"$ DBT_CLOUD_API_TOKEN=$(dbt-cloud local token create --data-dir {DATA_DIR})")

    server, url = start_server(base_env)
    env = {
        **base_env,
        "DBT_CLOUD_HOST": url,
        "DBT_CLOUD_API_TOKEN": token,
        "DBT_CLOUD_ACCOUNT_ID": str(ids["account_id"]),
        "DBT_CLOUD_PROJECT_ID": str(ids["project_id"]),
    }
    try:
        step("The account, as dbt Cloud's API answers it", "account", "list", "-o", "table", env=env)
        step("Its jobs", "job", "list", "-o", "table", env=env)
        run = trigger_and_wait(ids["jobs"]["docs"], "make demo", env, expect=0)
        summary(f"run {run['id']}: {run['status_humanized']} in {run['duration_humanized']}")
        show_step_logs(run["id"], env)
        print(f"\n== Its artifacts\n$ dbt-cloud run list-artifacts --run-id {run['id']}", flush=True)
        listed = json.loads(quiet("run", "list-artifacts", "--run-id", str(run["id"]), env=env))["data"]
        top = [name for name in listed if "/" not in name]
        summary(f"{len(listed)} files: {', '.join(top)}, and compiled/ and run/ SQL for each node")
        catalog = OUTPUT / "catalog.json"
        step(
            "Download catalog.json and manifest.json (each streamed to a temporary file, renamed when complete)",
            "run", "get-artifact", "--run-id", str(run["id"]), "--path", "catalog.json", "--path", "manifest.json",
            "--output-dir", str(OUTPUT),
            env=env,
        )  # fmt: skip
        document = json.loads(catalog.read_text())
        nodes = document["nodes"]
        summary(f"{catalog.relative_to(ROOT)}: {len(nodes)} nodes, e.g. {', '.join(sorted(nodes)[:3])}")
        failed = trigger_and_wait(ids["jobs"]["failing"], "show a failure", env, expect=1)
        summary(f"run {failed['id']}: {failed['status_humanized']}: {failed['status_message']}")
        show_step_logs(failed["id"], env)
        step(
            "An error is one line on stderr and exit code 1 (an unknown run)",
            "run", "get", "--run-id", "999999",
            env=env, expect=1,
        )  # fmt: skip
        step(
            "The catalog explorer's view of one model, as it prints it without a terminal",
            "demo", "data-catalog", "-f", str(catalog), "--node", first_model(document), "-o", "table",
            env=env,
        )  # fmt: skip
    finally:
        print("\n== Stop the local runner", flush=True)
        server.terminate()
        server.wait(timeout=30)
    print("\nDemo complete: a real dbt build through a dbt Cloud API, with no account.")


if __name__ == "__main__":
    main()
