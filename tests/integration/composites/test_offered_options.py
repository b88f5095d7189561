"""An option a command offers does what it says, or the command does not offer it: `run logs -o
json` is its JSON, `run cancel-all -o table` a table of the cancelled runs, `get-artifact` offers no
format (the artifact is its own bytes); and every dry run prints the same shape of plan on stdout."""

from __future__ import annotations

import json
import re

import pytest

from tests.integration.composites.conftest import Cli, Server, answer, finished_run, new_environment


def test_run_logs_output_json_is_the_steps_as_json(dbt: Cli, server: Server) -> None:
    run_id = str(finished_run(dbt, server, "build"))
    as_option = answer(dbt("run", "logs", run_id, "-o", "json"))
    assert as_option == answer(dbt("run", "logs", run_id, "--json")), "--json is -o json by its older name"
    assert [step["index"] for step in as_option] == list(range(1, len(as_option) + 1))
    text = dbt("run", "logs", run_id, "-o", "text")
    assert text.stdout == dbt("run", "logs", run_id).stdout, "text is the default"
    assert text.stdout.startswith("==> Step 1: ")
    refused = dbt("run", "logs", run_id, "-o", "table")
    assert refused.exit_code == 2
    assert "'table' is not one of 'text', 'json'" in refused.stderr


@pytest.mark.parametrize("group", ["run", "job"])
def test_get_artifact_offers_no_output_format_and_hides_include_related(dbt: Cli, group: str) -> None:
    shown = dbt(group, "get-artifact", "--help").stdout
    assert "--output " not in shown
    assert "--output-dir" in shown
    assert "--include-related" not in shown, "accepted for dbt-cloud-cli's scripts, not offered"
    refused = dbt(group, "get-artifact", "-o", "json", f"--{group}-id", "1", "--path", "manifest.json")
    assert refused.exit_code == 2
    assert "No such option '-o'" in refused.stderr


def test_get_artifact_still_takes_include_related(dbt: Cli, server: Server) -> None:
    run_id = str(finished_run(dbt, server, "build"))
    outcome = dbt("run", "get-artifact", "--run-id", run_id, "--path", "manifest.json", "--include-related", "x")
    assert outcome.exit_code == 0, outcome.stderr
    assert "nodes" in json.loads(outcome.stdout)


def test_cancel_all_as_a_table_shows_the_cancelled_runs_as_rows(dbt: Cli, server: Server) -> None:
    (job_id,) = server.seed_jobs(1)
    runs = server.seed_runs(job_id, 3, status=3)
    outcome = dbt("run", "cancel-all", "--job-id", str(job_id), "--yes", "-o", "table", env={"COLUMNS": "100"})
    assert outcome.exit_code == 0, outcome.stderr
    lines = outcome.stdout.splitlines()
    assert re.split(r"\s{2,}", lines[0])[:2] == ["ID", "STATUS"]
    assert sorted(int(line.split()[0]) for line in lines[1:]) == sorted(runs)
    assert not any(line.startswith("{") for line in lines), "no JSON lines"
    ids = dbt("run", "cancel-all", "--job-id", str(job_id), "--status", "cancelled", "--yes", "-o", "ids")
    assert ids.stdout == "", "nothing left to cancel: no ids"


def test_dry_runs_print_the_same_shape_of_plan(dbt: Cli, server: Server) -> None:
    environment = new_environment(dbt, server, "Plans")
    kept, doomed = server.seed_jobs(2, environment_id=environment)
    keep = ("--keep-jobs", str(kept))
    deleting = answer(dbt("job", "delete-all", "--environment-id", str(environment), *keep, "--dry-run"))
    by_id = {item["job_id"]: item for item in deleting["plan"]}
    skipped = {"action": "skip", "job_id": kept, "label": by_id[kept]["label"], "reason": "kept by --keep-jobs"}
    assert by_id[kept] == skipped
    assert by_id[doomed] == {"action": "delete", "job_id": doomed, "label": by_id[doomed]["label"]}
    assert by_id[doomed]["label"], "the job is named"
    (job_id,) = server.seed_jobs(1)
    (run_id,) = server.seed_runs(job_id, 1, status=3)
    cancelling = answer(dbt("run", "cancel-all", "--job-id", str(job_id), "--dry-run"))
    assert [(item["action"], item["run_id"]) for item in cancelling["plan"]] == [("cancel", run_id)]
    exported = dbt("job", "export", "--job-id", str(doomed))
    importing = answer(dbt("job", "import", "--dry-run", stdin=exported.stdout))
    for plan in (deleting, cancelling, importing):
        assert list(plan) == ["plan"]
        assert all(isinstance(item["action"], str) for item in plan["plan"])


def test_job_export_offers_its_format_not_an_output_format(dbt: Cli) -> None:
    shown = dbt("job", "export", "--help").stdout
    assert "--format [json|yaml]" in shown
    assert "--output " not in shown
    assert dbt("job", "export", "--job-id", "1", "-o", "table").exit_code == 2
