"""How a run of the local runner executes, as dbt Cloud's runs do: the steps it begins with, the
variables its artifacts carry, and what happens to a run the scheduler cannot start or a user
cancels (it ends with the reason; its process stops; its environment is free for the next run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.local_runner import LocalRunner, start_local_runner

#: A macro that keeps DuckDB busy for many minutes: a run to cancel while dbt is at work.
SPIN_MACRO = """{% macro spin() %}
  {% do run_query("select sum(i * i % 7) from range(1000000000000) t(i)") %}
{% endmacro %}
"""
#: A macro that uses the warehouse briefly: a run that needs DuckDB's lock free.
TOUCH_MACRO = """{% macro touch() %}{% do run_query("select 1") %}{% endmacro %}\n"""


def account(runner: LocalRunner) -> str:
    return f"/api/v2/accounts/{runner.account_id}"


def trigger(runner: LocalRunner, job_id: int, **overrides: Any) -> httpx.Response:
    with runner.http() as http:
        return http.post(f"{account(runner)}/jobs/{job_id}/run/", json={"cause": "runs test", **overrides})


def run_with_steps(runner: LocalRunner, run_id: int) -> dict[str, Any]:
    with runner.http() as http:
        answer = http.get(f"{account(runner)}/runs/{run_id}/", params={"include_related": "run_steps,debug_logs"})
    return dict(answer.json()["data"])


@pytest.fixture(scope="module")
def local_runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRunner]:
    """A runner of this module's own: the jobs and runs it leaves behind hold values no client
    should send (threads "abc"), which the other tests' schema checks of listings would trip on."""
    yield from start_local_runner(tmp_path_factory.mktemp("runs-runner"))


@pytest.fixture(scope="module")
def spin_project(local_runner: LocalRunner, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A project of its own (environment, warehouse) registered in the session's runner, with a
    macro that runs for ever."""
    folder = tmp_path_factory.mktemp("spin") / "spin_project"
    (folder / "macros").mkdir(parents=True)
    (folder / "dbt_project.yml").write_text("name: spin_project\nversion: '1.0'\nprofile: spin_project_nowhere\n")
    (folder / "macros" / "spin.sql").write_text(SPIN_MACRO)
    (folder / "macros" / "touch.sql").write_text(TOUCH_MACRO)
    (folder / "packages.yml").write_text("packages: []\n")
    init = ["local", "init", "--data-dir", str(local_runner.data_dir), "--project-dir", str(folder)]
    done = subprocess.run(
        [sys.executable, "-m", "dbt_cloud", *init, "--save-profile", ""],
        capture_output=True,
        text=True,
        check=False,
        env={key: value for key, value in os.environ.items() if not key.startswith("DBT_CLOUD_")},
    )
    assert done.returncode == 0, done.stderr
    registered: dict[str, Any] = json.loads(done.stdout)
    return registered


def seeded_job(runner: LocalRunner, environment: dict[str, Any], **fields: Any) -> int:
    """A job stored as a client could have sent it before bodies were validated."""
    store = runner.store()
    try:
        document = {
            "account_id": runner.account_id,
            "project_id": environment["project_id"],
            "environment_id": environment["environment_id"],
            "name": "Seeded for the runs test",
            "execute_steps": ["dbt seed"],
            "settings": {"threads": 4, "target_name": "default"},
            "execution": {"timeout_seconds": 0},
            **fields,
        }
        return store.insert_many("job", [document])[0]
    finally:
        store.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_a_run_begins_with_dbt_clouds_steps_and_numbers_the_jobs_own_after_them(local_runner: LocalRunner) -> None:
    run = trigger(local_runner, local_runner.jobs["build"]).json()["data"]
    assert local_runner.wait_for_run(run["id"])["status"] == 10
    steps = run_with_steps(local_runner, run["id"])["run_steps"]
    assert [step["name"] for step in steps] == [
        "Clone git repository",
        "Create profile from connection DuckDB",
        "Invoke dbt with `dbt deps`",
        "Invoke dbt with `dbt build`",
    ]
    assert [step["index"] for step in steps] == [1, 2, 3, 4]
    assert all(step["status"] == 10 for step in steps)
    assert "Using the local repository at " in steps[0]["logs"]
    # The demo project has no packages: the deps step is numbered, dbt is not started for it.
    assert "no packages to install" in steps[2]["logs"]


def test_the_deps_step_invokes_dbt_when_the_project_has_packages(
    local_runner: LocalRunner, spin_project: dict[str, Any]
) -> None:
    run = trigger(local_runner, spin_project["jobs"]["build"], steps_override=["dbt run-operation touch"])
    assert local_runner.wait_for_run(run.json()["data"]["id"])["status"] == 10
    steps = run_with_steps(local_runner, run.json()["data"]["id"])["run_steps"]
    assert steps[2]["name"] == "Invoke dbt with `dbt deps`"
    assert "Running: dbt deps" in steps[2]["logs"]
    assert steps[2]["debug_logs"], "dbt wrote its debug log: it ran"


def test_run_results_carry_the_dbt_cloud_ids_in_metadata_env(local_runner: LocalRunner) -> None:
    job_id = local_runner.jobs["build"]
    run = trigger(local_runner, job_id, steps_override=["dbt seed"]).json()["data"]
    assert local_runner.wait_for_run(run["id"])["status"] == 10
    with local_runner.http() as http:
        results = http.get(f"{account(local_runner)}/runs/{run['id']}/artifacts/run_results.json").json()
    # The keys of a real dbt Cloud artifact (api-samples/run_get_artifact_response.json), and the
    # environment and account ids dbt Cloud sets beside them.
    assert results["metadata"]["env"] == {
        "DBT_CLOUD_RUN_ID": str(run["id"]),
        "DBT_CLOUD_JOB_ID": str(job_id),
        "DBT_CLOUD_PROJECT_ID": str(local_runner.project_id),
        "DBT_CLOUD_ENVIRONMENT_ID": str(local_runner.environment_id),
        "DBT_CLOUD_ACCOUNT_ID": str(local_runner.account_id),
        "DBT_CLOUD_RUN_REASON": "runs test",
        "DBT_CLOUD_RUN_REASON_CATEGORY": "other",
    }


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"settings": {"threads": "abc", "target_name": "default"}}, "threads must be a whole number, got 'abc'"),
        ({"settings": {"threads": 0, "target_name": "default"}}, "threads must be at least 1"),
        ({"execution": {"timeout_seconds": "abc"}}, "timeout_seconds must be a whole number"),
        ({"execute_steps": "dbt build"}, "steps must be a list of dbt commands"),
        ({"settings": {"threads": 4, "target_name": ["x"]}}, "target_name must be a string"),
    ],
    ids=["threads text", "threads zero", "timeout text", "steps a string", "target not a string"],
)
def test_a_job_setting_the_scheduler_cannot_use_errors_the_run_with_the_reason(
    local_runner: LocalRunner, spin_project: dict[str, Any], fields: dict[str, Any], reason: str
) -> None:
    bad = trigger(local_runner, seeded_job(local_runner, spin_project, **fields))
    assert bad.status_code == 200, bad.text
    ended = local_runner.wait_for_run(bad.json()["data"]["id"])
    assert ended["status"] == 20
    assert reason in ended["status_message"]
    # The scheduler kept going, and the environment is free: the next run of it starts and succeeds.
    good = trigger(local_runner, spin_project["jobs"]["build"], steps_override=["dbt run-operation touch"])
    assert local_runner.wait_for_run(good.json()["data"]["id"])["status"] == 10


@pytest.mark.parametrize(
    ("override", "value"), [("threads_override", "abc"), ("timeout_seconds_override", "abc"), ("threads_override", -1)]
)
def test_a_bad_override_is_refused_or_errors_the_run_never_stuck(
    local_runner: LocalRunner, spin_project: dict[str, Any], override: str, value: Any
) -> None:
    answer = trigger(local_runner, spin_project["jobs"]["build"], **{override: value})
    if answer.status_code == 400:  # refused at the door, with the field named, as dbt Cloud does
        assert override in answer.text
        return
    assert answer.status_code == 200, answer.text
    ended = local_runner.wait_for_run(answer.json()["data"]["id"])
    assert ended["status"] == 20
    assert override.removesuffix("_override") in ended["status_message"]


def test_a_project_subdirectory_cannot_lead_outside_the_repository(
    local_runner: LocalRunner, spin_project: dict[str, Any]
) -> None:
    store = local_runner.store()
    try:
        project = store.get("project", spin_project["project_id"])
        assert project is not None
        store.replace("project", project["id"], {**project, "dbt_project_subdirectory": "../../../.."})
        job_id = spin_project["jobs"]["build"]
        run = trigger(local_runner, job_id, steps_override=["dbt run-operation touch"]).json()["data"]
        ended = local_runner.wait_for_run(run["id"])
    finally:
        store.replace("project", project["id"], project)
        store.close()
    assert ended["status"] == 20
    assert "dbt_project_subdirectory '../../../..' leads outside its repository folder" in ended["status_message"]
    assert run_with_steps(local_runner, run["id"])["run_steps"] == [], "no step ran"


def test_cancel_stops_the_dbt_process_and_frees_the_environment(
    local_runner: LocalRunner, spin_project: dict[str, Any]
) -> None:
    job_id = spin_project["jobs"]["build"]
    run_id = trigger(local_runner, job_id, steps_override=["dbt run-operation spin"]).json()["data"]["id"]
    store = local_runner.store()
    try:
        for _ in range(1200):  # until dbt is at work in the spinning step
            steps = store.steps_of_run(run_id)
            if len(steps) == 4 and steps[-1]["status"] == 3:
                break
            time.sleep(0.1)
        else:
            raise AssertionError(f"run {run_id} never reached its spinning step: {steps}")
        pid = store.get_run(run_id)["worker_pid"]  # type: ignore[index]
        assert alive(pid)
        with local_runner.http() as http:
            cancelled = http.post(f"{account(local_runner)}/runs/{run_id}/cancel/").json()["data"]
        assert cancelled["status"] == 30
        for _ in range(600):
            if not alive(pid):
                break
            time.sleep(0.1)
        assert not alive(pid), "the dbt process goes on after the cancel"
        for _ in range(600):  # the scheduler closes the open step once the process is gone
            steps = store.steps_of_run(run_id)
            if steps[-1]["status"] != 3:
                break
            time.sleep(0.1)
    finally:
        store.close()
    assert steps[-1]["status"] == 30, "the step that was running is cancelled too"
    assert local_runner.wait_for_run(run_id)["status"] == 30
    # DuckDB's lock went with the process: the next run of the environment uses the warehouse.
    after = trigger(local_runner, job_id, steps_override=["dbt run-operation touch"])
    assert local_runner.wait_for_run(after.json()["data"]["id"])["status"] == 10


def test_serving_beyond_loopback_says_the_api_is_reachable_from_other_machines(tmp_path: Path) -> None:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DBT_CLOUD_")}
    for host, warned in (("0.0.0.0", True), ("127.0.0.1", False)):
        serve = ["local", "serve", "--data-dir", str(tmp_path / host), "--host", host, "--port", "0"]
        server = subprocess.Popen(
            [sys.executable, "-m", "dbt_cloud", *serve],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment,
        )
        try:
            assert server.stdout is not None
            lines = [server.stdout.readline() for _ in range(2)]
        finally:
            server.terminate()
            server.wait(timeout=30)
        assert "listening on" in lines[0]
        said = "".join(lines)
        assert ("reachable from other machines" in said) is warned, said
