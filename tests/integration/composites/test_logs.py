"""`run logs`: every step's log, one step's, and `--follow` printing each new line once while the
run goes on."""

from __future__ import annotations

import json

from tests.integration.composites.conftest import Cli
from tests.support.scripted_api import ScriptedServer


def test_logs_of_every_step_with_headers(dbt: Cli, server: ScriptedServer) -> None:
    run = server.api.add_run(server.api.jobs[server.jobs["failing"]])
    run.polls = 99
    outcome = dbt("run", "logs", str(run.data["id"]))
    assert outcome.exit_code == 0, outcome.stderr
    lines = outcome.stdout.splitlines()
    assert lines[0] == "==> Step 1: Clone git repository"
    assert "==> Step 3: Invoke dbt with `dbt build --select fail`" in lines
    assert lines[-1] == "Done. ERROR=1"
    assert outcome.stderr == ""


def test_logs_of_one_step_and_an_unknown_step(dbt: Cli, server: ScriptedServer) -> None:
    run = server.api.add_run(server.api.jobs[server.jobs["build"]])
    run.polls = 99
    one = dbt("run", "logs", str(run.data["id"]), "--step", "2")
    assert one.exit_code == 0, one.stderr
    assert one.stdout.splitlines() == [f"Invoke dbt with `dbt build`: line {n}" for n in range(1, 6)]
    missing = dbt("run", "logs", str(run.data["id"]), "--step", "7")
    assert missing.exit_code == 2
    assert "has no step 7 (its steps: 1, 2)" in missing.stderr


def test_follow_prints_each_line_once_and_exits_like_the_run(dbt: Cli, server: ScriptedServer) -> None:
    run_id = server.api.add_run(server.api.jobs[server.jobs["failing"]]).data["id"]
    outcome = dbt("run", "logs", str(run_id), "--follow", "--poll-interval", "0.01")
    assert outcome.exit_code == 1
    lines = outcome.stdout.splitlines()
    assert lines.count("Invoke dbt with `dbt deps`: line 1") == 1, "a line seen while running is not repeated"
    assert lines.count("Invoke dbt with `dbt deps`: line 5") == 1
    assert lines[-1] == "Done. ERROR=1"
    assert outcome.stderr_lines[-1] == f"Error: Run {run_id} failed (Error)"


def test_logs_as_json(dbt: Cli, server: ScriptedServer) -> None:
    run = server.api.add_run(server.api.jobs[server.jobs["build"]])
    run.polls = 99
    outcome = dbt("run", "logs", str(run.data["id"]), "--json")
    steps = json.loads(outcome.stdout)
    assert [s["index"] for s in steps] == [1, 2]
    assert steps[1]["status_humanized"] == "Success"
    assert steps[1]["logs"].startswith("Invoke dbt with `dbt build`: line 1\n")


def test_debug_logs_come_from_each_step(dbt: Cli, server: ScriptedServer) -> None:
    run = server.api.add_run(server.api.jobs[server.jobs["build"]])
    run.polls = 99
    outcome = dbt("run", "logs", str(run.data["id"]), "--step", "2", "--debug-logs")
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stdout.splitlines()[0] == "[debug] Invoke dbt with `dbt build`: line 1"
    (asked,) = server.api.requests_to("GET", r"/steps/\d+/$")
    assert asked.query["include_related"] == ["debug_logs"]
    refused = dbt("run", "logs", str(run.data["id"]), "--debug-logs", "--follow")
    assert refused.exit_code == 2
