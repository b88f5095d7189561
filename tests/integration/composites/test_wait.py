"""`job run --wait`, `run watch`, `run retry`, `--restart-from-failure`, `--reuse-existing`: the
exit code says how the run ended, stderr shows its way there, stdout holds the final run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dbt_cloud.config import Settings
from dbt_cloud.errors import RunTimeoutError
from dbt_cloud.events import Event, RunFinished, RunStatusChanged
from dbt_cloud.http.client import DbtCloudClient
from dbt_cloud.services.waiter import PollPolicy, wait_for_run
from tests.integration.composites.conftest import FAST, Cli, Server, get_run, runs_of
from tests.support.recorded_api import Reply
from tests.support.scripted_api import ScriptedServer

ROOT = Path(__file__).resolve().parents[3]


# --- against the server of the happy paths ----------------------------------------------------


def test_wait_on_a_passing_job_exits_0_and_prints_the_finished_run(dbt: Cli, server: Server) -> None:
    outcome = dbt("job", "run", "--job-id", str(server.jobs["build"]), "--wait", *FAST)
    assert outcome.exit_code == 0, outcome.stderr
    run = json.loads(outcome.stdout)["data"]
    assert run["status"] == 10
    assert run["is_complete"] is True
    lines = outcome.stderr_lines
    assert lines[0].startswith(f"Run {run['id']}: http"), "the run's page first"
    changes = [line for line in lines if " -> " in line]
    assert changes, "the transitions"
    assert changes[-1].endswith(" -> Success")
    assert lines[-1].startswith(f"Run {run['id']} finished: Success")
    assert "Error" not in outcome.stderr


def test_wait_in_a_ci_log_names_each_step_as_it_starts(dbt: Cli, server: Server) -> None:
    """Off a terminal each step is a line of its own, numbered out of the job's steps (three setup
    steps and `dbt build`), and the run printed at the end is as `run get` prints it."""
    outcome = dbt("job", "run", "--job-id", str(server.jobs["build"]), "--wait", *FAST)
    assert outcome.exit_code == 0, outcome.stderr
    run = json.loads(outcome.stdout)["data"]
    steps = [line for line in outcome.stderr_lines if line.startswith(f"Run {run['id']}: step ")]
    assert f"Run {run['id']}: step 4/4 `dbt build` running" in steps, outcome.stderr
    assert len(steps) == len(set(steps)), "a step is named once, when it starts"
    assert all(line.endswith(" running") and "/4 " in line for line in steps), steps
    assert (run["run_steps"], run["job"], run["trigger"]) == ([], None, None)


def test_wait_on_a_failing_job_exits_1_naming_the_step_and_its_log(dbt: Cli, server: Server) -> None:
    outcome = dbt("job", "run", "--job-id", str(server.jobs["failing"]), "--wait", *FAST)
    assert outcome.exit_code == 1
    run = json.loads(outcome.stdout)["data"]
    assert run["status"] == 20, "the finished run is printed even when it failed"
    lines = outcome.stderr_lines
    assert any(line.endswith(" -> Error") for line in lines)
    failed = [line for line in lines if line.startswith("Failed step ")]
    assert len(failed) == 1, "the failed step is named"
    assert any(line.startswith("  | ") for line in lines), "with the end of its log"
    assert lines[-1].startswith(f"Error: Run {run['id']} ended with status Error at step ")
    assert "Traceback" not in outcome.stderr


def test_without_wait_the_trigger_answer_is_printed_at_once(dbt: Cli, server: Server) -> None:
    outcome = dbt("job", "run", "--job-id", str(server.jobs["build"]))
    assert outcome.exit_code == 0
    assert json.loads(outcome.stdout)["data"]["status"] in (1, 2, 3)
    assert outcome.stderr == ""


def test_wait_timeout_exits_1_and_leaves_the_run_going(dbt: Cli, server: Server) -> None:
    (run_id,) = server.seed_runs(server.jobs["build"], 1, status=3)
    outcome = dbt("run", "watch", str(run_id), "--wait-timeout", "0.3", *FAST)
    assert outcome.exit_code == 1
    assert outcome.stdout == ""
    assert outcome.stderr_lines[-1].startswith(f"Error: Run {run_id} did not finish within 0.3s (last status: Running)")
    assert "--cancel-on-timeout" in outcome.stderr_lines[-1]
    assert get_run(dbt, run_id)["status"] == 3


def test_wait_timeout_with_cancel_on_timeout_cancels_the_run(dbt: Cli, server: Server) -> None:
    (job_id,) = server.seed_jobs(1)
    outcome = dbt("job", "run", "--job-id", str(job_id), "--wait", "--wait-timeout", "0", "--cancel-on-timeout")
    assert outcome.exit_code == 1
    assert "the run was cancelled" in outcome.stderr_lines[-1]
    (run_id,) = runs_of(dbt, job_id)
    settled = dbt("run", "watch", str(run_id), *FAST)
    assert settled.exit_code == 1
    assert json.loads(settled.stdout)["data"]["status"] == 30


def test_run_watch_takes_the_run_id_as_argument_or_option(dbt: Cli, server: Server) -> None:
    (run_id,) = server.seed_runs(server.jobs["build"], 1, status=10)
    by_argument = dbt("run", "watch", str(run_id), *FAST)
    by_option = dbt("run", "watch", "--run-id", str(run_id), *FAST)
    assert by_argument.exit_code == by_option.exit_code == 0
    assert json.loads(by_argument.stdout)["data"]["id"] == json.loads(by_option.stdout)["data"]["id"] == run_id
    clash = dbt("run", "watch", str(run_id), "--run-id", "1")
    assert clash.exit_code == 2
    assert "disagree" in clash.stderr


def test_a_cancelled_run_exits_1(dbt: Cli, server: Server) -> None:
    (run_id,) = server.seed_runs(server.jobs["build"], 1, status=30)
    outcome = dbt("run", "watch", str(run_id), *FAST)
    assert outcome.exit_code == 1
    assert outcome.stderr_lines[-1].startswith(f"Error: Run {run_id} ended with status Cancelled")


def test_reuse_existing_attaches_to_the_run_already_going(dbt: Cli, server: Server) -> None:
    (job_id,) = server.seed_jobs(1)
    server.seed_runs(job_id, 1, status=10)  # an older but finished run is not one to attach to
    (running,) = server.seed_runs(job_id, 1, status=3)
    server.seed_runs(job_id, 1, status=1)  # the oldest live run is the one all invocations agree on
    before = runs_of(dbt, job_id)
    outcome = dbt("job", "run", "--job-id", str(job_id), "--reuse-existing")
    assert outcome.exit_code == 0, outcome.stderr
    assert json.loads(outcome.stdout)["data"]["id"] == running
    assert f"Run {running} of job {job_id} is already running" in outcome.stderr
    assert set(runs_of(dbt, job_id)) == set(before), "no second run"


def test_reuse_existing_triggers_when_nothing_is_going(dbt: Cli, server: Server) -> None:
    (job_id,) = server.seed_jobs(1)
    server.seed_runs(job_id, 2, status=10)
    outcome = dbt("job", "run", "--job-id", str(job_id), "--reuse-existing", "--wait", *FAST)
    assert outcome.exit_code == 0, outcome.stderr
    assert len(runs_of(dbt, job_id)) == 3


def test_download_artifacts_of_the_finished_run(dbt: Cli, server: Server, tmp_path: Path) -> None:
    target = tmp_path / "artifacts"
    outcome = dbt("job", "run", "--job-id", str(server.jobs["build"]), "--download-artifacts", str(target), *FAST)
    assert outcome.exit_code == 0, outcome.stderr
    assert sorted(p.name for p in target.iterdir()) == ["manifest.json", "run_results.json"]
    assert "metadata" in json.loads((target / "manifest.json").read_text())
    assert sum(line.startswith("Wrote ") for line in outcome.stderr_lines) == 2


# --- what only the scripted server can show ------------------------------------------------------


def test_the_failed_steps_log_tail_is_shown_as_written(dbt_scripted: Cli, scripted: ScriptedServer) -> None:
    outcome = dbt_scripted("job", "run", "--job-id", str(scripted.jobs["failing"]), "--wait", *FAST)
    lines = outcome.stderr_lines
    assert "Failed step 3: Invoke dbt with `dbt build --select fail`" in lines
    assert '  |   column "oops" does not exist' in lines
    assert "at step 3 (Invoke dbt with `dbt build --select fail`) (see http" in lines[-1]


def test_passing_poll_failures_do_not_end_the_wait(dbt_scripted: Cli, scripted: ScriptedServer) -> None:
    scripted.api.fail_next(Reply(503), times=6, method="GET", path=r"/runs/\d+/$")  # two polls' worth of retries
    outcome = dbt_scripted("job", "run", "--job-id", str(scripted.jobs["build"]), "--wait", *FAST)
    assert outcome.exit_code == 0, outcome.stderr
    assert json.loads(outcome.stdout)["data"]["status"] == 10


def test_restart_from_failure_uses_the_rerun_endpoint(dbt_scripted: Cli, scripted: ScriptedServer) -> None:
    job_id = str(scripted.jobs["build"])
    outcome = dbt_scripted("job", "run", "--job-id", job_id, "--restart-from-failure", "--wait", *FAST)
    assert outcome.exit_code == 0, outcome.stderr
    assert len(scripted.api.requests_to("POST", r"/jobs/\d+/rerun/$")) == 1
    assert scripted.api.requests_to("POST", r"/jobs/\d+/run/$") == []
    refused = dbt_scripted("job", "run", "--job-id", job_id, "--restart-from-failure", "--threads-override", "4")
    assert refused.exit_code == 2
    assert "--threads-override" in refused.stderr


def test_run_retry_waits_for_the_new_run(dbt_scripted: Cli, scripted: ScriptedServer) -> None:
    (failed,) = scripted.seed_runs(scripted.jobs["build"], 1, status=20)
    outcome = dbt_scripted("run", "retry", "--run-id", str(failed), "--wait", *FAST)
    assert outcome.exit_code == 0, outcome.stderr
    new_run = json.loads(outcome.stdout)["data"]
    assert new_run["id"] != failed
    assert new_run["status"] == 10
    assert len(scripted.api.requests_to("POST", rf"/runs/{failed}/retry/$")) == 1


def test_waiting_reports_through_events_with_backoff(scripted: ScriptedServer) -> None:
    """The library call: events as programmatic callbacks see them, pauses growing to the cap."""
    events: list[Event] = []
    pauses: list[float] = []
    run_id = scripted.api.add_run(scripted.api.jobs[scripted.jobs["slow"]]).data["id"]
    settings = Settings(api_token=scripted.token, base_url=scripted.base_url)
    with DbtCloudClient(settings) as client:
        clock = iter(range(1000))
        with pytest.raises(RunTimeoutError):
            wait_for_run(
                client, scripted.account_id, run_id, poll=PollPolicy(max_seconds=4.0), timeout=30,
                on_event=events.append, sleep=pauses.append, clock=lambda: float(next(clock)),
            )  # fmt: skip
        assert pauses[:5] == [1.0, 1.0, 1.5, 2.25, 3.375], "backoff starts again when the status changes"
        assert max(pauses) == 4.0
        changes = [e for e in events if isinstance(e, RunStatusChanged)]
        assert [(e.previous_status, e.status) for e in changes] == [(None, 2), (2, 3)]
        assert changes[0].url is not None
        done = scripted.api.add_run(scripted.api.jobs[scripted.jobs["build"]]).data["id"]
        events.clear()
        result = wait_for_run(client, scripted.account_id, done, on_event=events.append, sleep=lambda s: None)
    assert result.succeeded
    assert isinstance(events[-1], RunFinished)
    assert events[-1].status_humanized == "Success"
    assert events[-1].duration_seconds is not None


def test_ctrl_c_while_waiting_cancels_the_run_when_asked(scripted: ScriptedServer) -> None:
    """A real SIGINT to the real console script."""
    args = [sys.executable, "-m", "dbt_cloud", "job", "run", "--job-id", str(scripted.jobs["slow"]), "--wait"]
    process = subprocess.Popen(
        [*args, "--cancel-on-interrupt", "--poll-interval", "0.1"],
        env={**os.environ, **scripted.env()},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while not scripted.api.requests_to("GET", r"/runs/\d+/$") and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert stdout == ""
    assert "Cancelled run" in stderr
    assert "Traceback" not in stderr
    assert len(scripted.api.requests_to("POST", r"/runs/\d+/cancel/$")) == 1
