"""The CLI through a proxy that breaks 30% of requests (tests/support/fault_proxy.py): idempotent
commands end with the same output as without faults, and `job run` never triggers twice: each
invocation either creates exactly one run or exits non-zero saying it could not confirm."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Outcome, invoke
from tests.support.fault_proxy import AFTER_SERVER, FaultProxy
from tests.support.local_runner import LocalRunner

#: Fields that describe the moment of asking ("3 seconds ago"), not the object.
MOMENTARY = {"created_at_humanized", "finished_at_humanized", "duration", "duration_humanized", "queued_duration"}
MOMENTARY |= {"queued_duration_humanized", "run_duration", "run_duration_humanized"}


def stable(document: Any) -> Any:
    if isinstance(document, dict):
        return {key: stable(value) for key, value in document.items() if key not in MOMENTARY}
    if isinstance(document, list):
        return [stable(value) for value in document]
    return document


@pytest.fixture
def proxy(local_runner: LocalRunner) -> Iterator[FaultProxy]:
    server = FaultProxy(local_runner.base_url, rate=0.3, seed=20261123, stall_seconds=1.5).start()
    yield server
    server.stop()


def through(proxy: FaultProxy, runner: LocalRunner, *args: str) -> Outcome:
    env = runner.env(DBT_CLOUD_HOST=proxy.url)
    return invoke(["--max-retries", "12", "--timeout", "1", *args], env=env)


def direct(runner: LocalRunner, *args: str) -> Outcome:
    return invoke(list(args), env=runner.env())


@pytest.fixture(scope="module")
def paged_job(local_runner: LocalRunner) -> tuple[int, list[int]]:
    job_id = local_runner.seed_jobs(1, name="Faulty paging")[0]
    return job_id, local_runner.seed_runs(job_id, 250)


def test_idempotent_commands_give_the_same_output_under_faults(
    local_runner: LocalRunner, proxy: FaultProxy, paged_job: tuple[int, list[int]], tmp_path: Path
) -> None:
    job_id, run_ids = paged_job
    commands = [
        ["job", "get", "--job-id", str(local_runner.jobs["build"])],
        ["job", "list"],
        ["project", "get", "--project-id", str(local_runner.project_id)],
        ["run", "get", "--run-id", str(run_ids[0])],
        ["run", "list", "--job-id", str(job_id), "--all"],
        ["run", "list", "--job-id", str(job_id), "--limit", "100", "--offset", "100"],
        ["account", "get"],
    ]
    for command in commands:
        expected = direct(local_runner, *command)
        assert expected.exit_code == 0, expected.stderr
        for attempt in range(3):
            faulty = through(proxy, local_runner, *command)
            assert faulty.exit_code == 0, (command, attempt, faulty.stderr)
            assert stable(json.loads(faulty.stdout)) == stable(json.loads(expected.stdout)), command
    assert len(proxy.injected()) >= 6, f"too few kinds of faults were injected: {proxy.injected()}"


def test_artifact_downloads_are_whole_under_faults(
    local_runner: LocalRunner, proxy: FaultProxy, tmp_path: Path
) -> None:
    with local_runner.http() as http:
        run = http.post(
            f"/api/v2/accounts/{local_runner.account_id}/jobs/{local_runner.jobs['build']}/run/",
            json={"cause": "artifact under faults", "steps_override": ["dbt seed"]},
        ).json()["data"]
    assert local_runner.wait_for_run(run["id"])["status"] == 10
    expected = tmp_path / "expected.json"
    assert direct(local_runner, "run", "get-artifact", "--run-id", str(run["id"]), "--path", "manifest.json",
                  "-f", str(expected)).exit_code == 0  # fmt: skip
    for attempt in range(8):
        target = tmp_path / f"faulty-{attempt}.json"
        outcome = through(
            proxy, local_runner, "run", "get-artifact", "--run-id", str(run["id"]), "--path", "manifest.json",
            "-f", str(target),
        )  # fmt: skip
        if outcome.exit_code == 0:
            assert target.read_bytes() == expected.read_bytes()
        else:  # retries ran out on this one: then nothing at all is left behind
            assert not target.exists()
        assert not list(tmp_path.glob(f"*faulty-{attempt}*.tmp*")), "a temporary file was left behind"


def test_waiting_for_a_run_gives_the_same_answer_under_faults(local_runner: LocalRunner, proxy: FaultProxy) -> None:
    with local_runner.http() as http:
        run = http.post(
            f"/api/v2/accounts/{local_runner.account_id}/jobs/{local_runner.jobs['build']}/run/",
            json={"cause": "waited for under faults", "steps_override": ["dbt debug --config-dir"]},
        ).json()["data"]
    faulty = through(proxy, local_runner, "run", "watch", "--run-id", str(run["id"]), "--poll-interval", "0.2")
    expected = direct(local_runner, "run", "watch", "--run-id", str(run["id"]))
    assert expected.exit_code == 0, expected.stderr
    assert faulty.exit_code == 0, faulty.stderr
    assert stable(json.loads(faulty.stdout)) == stable(json.loads(expected.stdout))


def test_job_run_never_triggers_twice_under_faults(local_runner: LocalRunner, proxy: FaultProxy) -> None:
    job_id = local_runner.seed_jobs(1, name="Triggered under faults", execute_steps=["dbt debug --config-dir"])[0]
    outcomes = {
        f"invocation {number}": through(
            proxy, local_runner, "job", "run", "--job-id", str(job_id), "--cause", f"invocation {number}"
        )
        for number in range(200)
    }
    with local_runner.http() as http:
        runs = []
        for offset in (0, 100, 200):
            runs += http.get(
                f"/api/v2/accounts/{local_runner.account_id}/runs/",
                params={"job_definition_id": job_id, "offset": offset, "include_related": "trigger"},
            ).json()["data"]
        for run in runs:  # the test is about triggering: don't make the runner execute 200 runs
            http.post(f"/api/v2/accounts/{local_runner.account_id}/runs/{run['id']}/cancel/")
    per_cause = Counter(run["trigger"]["cause"] for run in runs)
    run_of = {run["trigger"]["cause"]: run["id"] for run in runs}
    assert max(per_cause.values()) == 1, "an invocation created two runs"
    confirmed = [cause for cause, outcome in outcomes.items() if outcome.exit_code == 0]
    unconfirmed = {cause: outcome for cause, outcome in outcomes.items() if outcome.exit_code != 0}
    for cause in confirmed:
        assert per_cause[cause] == 1, f"{cause} exited 0 without a run"
        assert json.loads(outcomes[cause].stdout)["data"]["id"] == run_of[cause]
    for outcome in unconfirmed.values():
        assert outcome.exit_code == 1
        assert "could not confirm" in outcome.stderr.lower(), outcome.stderr
        assert len(outcome.stderr.strip().splitlines()) == 1
    assert len(confirmed) > 100
    assert {entry.fault for entry in proxy.log if entry.method == "POST"} & set(AFTER_SERVER)
