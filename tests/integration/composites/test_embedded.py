"""The composites run in process too (`DbtCloudRunner`): their answers, events and text reach the
program, never the process's own stdout, and a destructive one never waits for a question."""

from __future__ import annotations

import pytest

from dbt_cloud.events import Event, RunFinished, RunStatusChanged
from dbt_cloud.runner import DbtCloudRunner
from tests.integration.composites.conftest import FAST
from tests.support.scripted_api import ScriptedServer


@pytest.fixture
def runner(scripted: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> DbtCloudRunner:
    for name, value in scripted.env().items():
        monkeypatch.setenv(name, value)
    return DbtCloudRunner()


def test_waiting_in_process_reports_events_and_answers_the_run(
    runner: DbtCloudRunner, scripted: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    events: list[Event] = []
    with DbtCloudRunner(callbacks=[events.append]) as embedded:
        result = embedded.invoke(["job", "run", "--wait", *FAST], job_id=scripted.jobs["failing"])
    assert not result.success
    assert result.exception is None, "a failed run is an answer, not an exception"
    assert result.exit_code == 1
    assert result.result.status == 20
    assert any(isinstance(e, RunStatusChanged) for e in events)
    assert any(isinstance(e, RunFinished) for e in events)
    assert capsys.readouterr().out == "", "nothing on the process's own stdout"


def test_text_answers_reach_the_program(runner: DbtCloudRunner, scripted: ScriptedServer, capsys) -> None:
    exported = runner.invoke(["job", "export", "--format", "yaml"], job_id=[scripted.jobs["build"]])
    assert exported.success, exported.exception
    assert b"jobs:" in exported.result
    run = scripted.api.add_run(scripted.api.jobs[scripted.jobs["build"]])
    run.polls = 99
    logs = runner.invoke(["run", "logs", str(run.data["id"])])
    assert logs.success, logs.exception
    assert logs.result.startswith(b"==> Step 1: ")
    assert capsys.readouterr().out == ""


def test_a_program_must_say_yes(runner: DbtCloudRunner, scripted: ScriptedServer) -> None:
    jobs = scripted.seed_jobs(2, environment_id=990)
    refused = runner.invoke(["job", "delete-all", "--environment-id", "990"])
    assert refused.exit_code == 2
    assert "--yes" in str(refused.exception)
    assert all(scripted.api.jobs[job]["state"] == 1 for job in jobs)
    done = runner.invoke(["job", "delete-all", "--environment-id", "990"], yes=True)
    assert done.success, done.exception
    assert all(scripted.api.jobs[job]["state"] == 2 for job in jobs)


def test_a_program_hands_in_its_own_sleep_and_clock(scripted: ScriptedServer, monkeypatch) -> None:
    for name, value in scripted.env().items():
        monkeypatch.setenv(name, value)
    pauses: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        now[0] += seconds

    with DbtCloudRunner(sleep=sleep, clock=lambda: now[0]) as embedded:
        result = embedded.invoke(["job", "run", "--wait"], job_id=scripted.jobs["build"])
    assert result.success, result.exception
    assert result.result.status == 10
    assert pauses, "the wait slept through the program's sleep"
    assert set(pauses) == {1.0}, "the policy's first delay after each change of status, slept in full"
