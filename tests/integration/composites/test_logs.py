"""`run logs`: every step's log, one step's, and `--follow` printing each new line once while the
run goes on."""

from __future__ import annotations

from tests.integration.composites.conftest import Cli, Server, answer, finished_run
from tests.support.scripted_api import ScriptedServer


def test_logs_of_every_step_under_headers(dbt: Cli, server: Server) -> None:
    run_id = finished_run(dbt, server, "failing")
    outcome = dbt("run", "logs", str(run_id))
    assert outcome.exit_code == 0, outcome.stderr
    headers = [line for line in outcome.stdout.splitlines() if line.startswith("==> Step ")]
    steps = answer(dbt("run", "logs", str(run_id), "--json"))
    assert headers == [f"==> Step {step['index']}: {step['name']}" for step in steps]
    assert len(outcome.stdout.splitlines()) > len(headers), "and the logs under them"
    assert outcome.stderr == ""


def test_logs_of_one_step_and_of_a_step_that_is_not_there(dbt: Cli, server: Server) -> None:
    run_id = str(finished_run(dbt, server, "build"))
    steps = answer(dbt("run", "logs", run_id, "--json"))
    one = dbt("run", "logs", run_id, "--step", str(steps[-1]["index"]))
    assert one.exit_code == 0, one.stderr
    assert one.stdout.rstrip("\n") == steps[-1]["logs"].rstrip("\n")
    assert "==> " not in one.stdout
    missing = dbt("run", "logs", run_id, "--step", "99")
    assert missing.exit_code == 2
    assert "has no step 99 (its steps: " in missing.stderr


def test_follow_prints_what_the_finished_run_holds_once_and_exits_like_the_run(dbt: Cli, server: Server) -> None:
    started = answer(dbt("job", "run", "--job-id", str(server.jobs["failing"])))["data"]["id"]
    followed = dbt("run", "logs", str(started), "--follow", "--poll-interval", "0.05")
    assert followed.exit_code == 1
    assert followed.stderr_lines[-1] == f"Error: Run {started} failed (Error)"
    assert followed.stdout == dbt("run", "logs", str(started)).stdout, "every line once, none lost"


def test_logs_as_json(dbt: Cli, server: Server) -> None:
    run_id = finished_run(dbt, server, "build")
    steps = answer(dbt("run", "logs", str(run_id), "--json"))
    assert [step["index"] for step in steps] == list(range(1, len(steps) + 1))
    assert steps[-1]["status_humanized"] == "Success"
    assert all(isinstance(step["logs"], str) for step in steps)


# --- what only the scripted server can show ------------------------------------------------------


def test_the_logs_as_the_steps_wrote_them(dbt_scripted: Cli, scripted: ScriptedServer) -> None:
    run_id = finished_run(dbt_scripted, scripted, "failing")
    lines = dbt_scripted("run", "logs", str(run_id)).stdout.splitlines()
    assert lines[0] == "==> Step 1: Clone git repository"
    assert "==> Step 3: Invoke dbt with `dbt build --select fail`" in lines
    assert lines[-1] == "Done. ERROR=1"


def test_follow_sees_the_log_grow(dbt_scripted: Cli, scripted: ScriptedServer) -> None:
    run_id = scripted.api.add_run(scripted.api.jobs[scripted.jobs["failing"]]).data["id"]
    outcome = dbt_scripted("run", "logs", str(run_id), "--follow", "--poll-interval", "0.01")
    lines = outcome.stdout.splitlines()
    assert lines.count("Invoke dbt with `dbt deps`: line 1") == 1, "a line seen while running is not repeated"
    assert lines.count("Invoke dbt with `dbt deps`: line 5") == 1


def test_debug_logs_come_from_each_step(dbt_scripted: Cli, scripted: ScriptedServer) -> None:
    run_id = str(finished_run(dbt_scripted, scripted, "build"))
    outcome = dbt_scripted("run", "logs", run_id, "--step", "2", "--debug-logs")
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stdout.splitlines()[0] == "[debug] Invoke dbt with `dbt build`: line 1"
    (asked,) = scripted.api.requests_to("GET", r"/steps/\d+/$")
    assert asked.query["include_related"] == ["debug_logs"]
    refused = dbt_scripted("run", "logs", run_id, "--debug-logs", "--follow")
    assert refused.exit_code == 2
