"""`job delete-all` and `run cancel-all`: every page, filters, `--keep-jobs`, asking first,
`--dry-run`, and a report per item with exit code 1 when any failed (after trying them all)."""

from __future__ import annotations

import json

from tests.integration.composites.conftest import Cli, Server, active_jobs, answer, new_environment, runs_of
from tests.support.recorded_api import Reply, envelope
from tests.support.scripted_api import ScriptedServer


def test_delete_all_goes_through_every_page_keeping_the_jobs_named(dbt: Cli, server: Server) -> None:
    target, other = new_environment(dbt, server, "Doomed"), new_environment(dbt, server, "Bystanders")
    doomed = server.seed_jobs(250, environment_id=target)
    bystanders = server.seed_jobs(3, environment_id=other)
    answer(dbt("job", "update", "--job-id", str(doomed[10]), "--name", "Keep me"))
    keep = ["--keep-jobs", str(doomed[0]), "--keep-jobs", "Keep me"]
    outcome = dbt("job", "delete-all", "--environment-id", str(target), *keep, "--yes")
    assert outcome.exit_code == 0, outcome.stderr
    assert set(active_jobs(dbt, target)) == {doomed[0], doomed[10]}
    assert set(active_jobs(dbt, other)) == set(bystanders), "the filter holds"
    assert len(json.loads(outcome.stdout)) == 248, "the answers of the deletions"
    assert any(line.startswith(f"deleted job {doomed[1]} ") for line in outcome.stderr_lines)
    assert f"skipped job {doomed[10]}: kept by --keep-jobs" in outcome.stderr_lines
    assert outcome.stderr_lines[-1] == "248 deleted, 2 skipped, 0 failed."


def test_delete_all_dry_run_changes_nothing(dbt: Cli, server: Server) -> None:
    environment = new_environment(dbt, server, "Dry run")
    jobs = server.seed_jobs(250, environment_id=environment)
    outcome = dbt(
        "job", "delete-all", "--environment-id", str(environment), "--keep-jobs", f"[{jobs[0]}, {jobs[1]}]", "--dry-run"
    )
    assert outcome.exit_code == 0, outcome.stderr
    plan = json.loads(outcome.stdout)["plan"]
    assert [item["job_id"] for item in plan if item["action"] == "delete"] == jobs[2:], "in listed order"
    assert {item["job_id"] for item in plan if item["action"] == "skip"} == set(jobs[:2])
    assert set(active_jobs(dbt, environment)) == set(jobs)
    assert "250 jobs listed: 248 to delete, 2 skipped." in outcome.stderr_lines
    assert outcome.stderr_lines[-1] == "Dry run: nothing was deleted."


def test_delete_all_asks_first_and_a_closed_stdin_changes_nothing(dbt: Cli, server: Server) -> None:
    environment = new_environment(dbt, server, "Asking")
    jobs = set(server.seed_jobs(3, environment_id=environment))
    no_answer = dbt("job", "delete-all", "--environment-id", str(environment), stdin="")
    assert no_answer.exit_code == 2
    assert "pass --yes" in no_answer.stderr_lines[-1]
    declined = dbt("job", "delete-all", "--environment-id", str(environment), stdin="n\n")
    assert declined.exit_code == 0
    assert "Nothing was deleted." in declined.stderr
    assert set(active_jobs(dbt, environment)) == jobs
    accepted = dbt("job", "delete-all", "--environment-id", str(environment), stdin="y\n")
    assert accepted.exit_code == 0, accepted.stderr
    assert "Delete 3 jobs? [y/N]" in accepted.stderr
    assert active_jobs(dbt, environment) == {}


def test_delete_all_without_keep_jobs_works(dbt: Cli, server: Server) -> None:
    environment = new_environment(dbt, server, "No keep")
    server.seed_jobs(2, environment_id=environment)
    outcome = dbt("job", "delete-all", "--environment-id", str(environment), "-y")
    assert outcome.exit_code == 0, outcome.stderr
    assert active_jobs(dbt, environment) == {}


def test_delete_all_warns_about_keep_jobs_that_match_nothing(dbt: Cli, server: Server) -> None:
    environment = new_environment(dbt, server, "Unmatched")
    server.seed_jobs(1, environment_id=environment)
    outcome = dbt("job", "delete-all", "--environment-id", str(environment), "--keep-jobs", "No such job", "--dry-run")
    assert "Warning: --keep-jobs No such job matches no listed job" in outcome.stderr_lines


def test_readonly_mode_allows_a_dry_run_but_not_the_deletion(dbt: Cli, server: Server) -> None:
    environment = new_environment(dbt, server, "Read-only")
    (job_id,) = server.seed_jobs(1, environment_id=environment)
    readonly = {"DBT_CLOUD_READONLY": "true"}
    assert dbt("job", "delete-all", "--environment-id", str(environment), "--dry-run", env=readonly).exit_code == 0
    refused = dbt("job", "delete-all", "--environment-id", str(environment), "--yes", env=readonly)
    assert refused.exit_code == 2
    assert "Read-only mode" in refused.stderr
    assert set(active_jobs(dbt, environment)) == {job_id}


def test_cancel_all_cancels_every_run_in_progress_of_the_job(dbt: Cli, server: Server) -> None:
    job_id, other = server.seed_jobs(2)
    running = server.seed_runs(job_id, 250, status=3)
    finished = server.seed_runs(job_id, 5, status=10)
    elsewhere = server.seed_runs(other, 4, status=3)
    outcome = dbt("run", "cancel-all", "--job-id", str(job_id), "--yes")
    assert outcome.exit_code == 0, outcome.stderr
    statuses = runs_of(dbt, job_id)
    assert {statuses[run] for run in running} == {30}
    assert {statuses[run] for run in finished} == {10}
    assert set(runs_of(dbt, other).values()) == {3}, "the filter holds"
    assert set(runs_of(dbt, other)) == set(elsewhere)
    assert len(json.loads(outcome.stdout)) == 250
    assert outcome.stderr_lines[-1] == "250 cancelled, 0 skipped, 0 failed."


def test_cancel_all_with_a_finished_status_skips_every_run(dbt: Cli, server: Server) -> None:
    (job_id,) = server.seed_jobs(1)
    server.seed_runs(job_id, 3, status=10)
    outcome = dbt("run", "cancel-all", "--job-id", str(job_id), "--status", "success", "--yes")
    assert outcome.exit_code == 0, outcome.stderr
    assert "3 runs listed: 0 to cancel, 3 skipped." in outcome.stderr_lines
    assert set(runs_of(dbt, job_id).values()) == {10}


def test_cancel_all_dry_run_and_limit(dbt: Cli, server: Server) -> None:
    (job_id,) = server.seed_jobs(1)
    runs = server.seed_runs(job_id, 120, status=3)
    dry = dbt("run", "cancel-all", "--job-id", str(job_id), "--dry-run")
    assert dry.exit_code == 0
    assert "120 runs listed: 120 to cancel, 0 skipped." in dry.stderr_lines
    assert set(runs_of(dbt, job_id).values()) == {3}
    limited = dbt("run", "cancel-all", "--job-id", str(job_id), "--limit", "5", "--yes")
    assert limited.exit_code == 0, limited.stderr
    cancelled = {run for run, status in runs_of(dbt, job_id).items() if status == 30}
    assert cancelled == set(sorted(runs, reverse=True)[:5]), "newest first, at most --limit"


# --- what only the scripted server can show ------------------------------------------------------


def test_delete_all_tries_every_job_and_exits_1_when_one_failed(dbt_scripted: Cli, scripted: ScriptedServer) -> None:
    first, second, third = scripted.seed_jobs(3, environment_id=905)
    refusal = Reply.json(envelope(None, 403, "Not allowed."), 403)
    scripted.api.fail_next(refusal, method="DELETE", path=rf"/jobs/{second}/$")
    outcome = dbt_scripted("job", "delete-all", "--environment-id", "905", "--yes")
    assert outcome.exit_code == 1
    assert set(active_jobs(dbt_scripted, 905)) == {second}
    path = f"/api/v2/accounts/{scripted.account_id}/jobs/{second}/"
    assert f"failed job {second}: DELETE {path} answered 403 Forbidden: Not allowed." in outcome.stderr
    assert "2 deleted, 0 skipped, 1 failed." in outcome.stderr_lines
    assert outcome.stderr_lines[-1] == "Error: 1 of 3 jobs could not be deleted"
    assert len(json.loads(outcome.stdout)) == 2
    assert {first, third}.isdisjoint(active_jobs(dbt_scripted, 905))


def test_lists_are_read_page_by_page_before_anything_changes(dbt_scripted: Cli, scripted: ScriptedServer) -> None:
    (job_id,) = scripted.seed_jobs(1)
    scripted.seed_runs(job_id, 100, status=1)
    scripted.seed_runs(job_id, 150, status=3)
    scripted.seed_jobs(250, environment_id=909)
    assert dbt_scripted("run", "cancel-all", "--job-id", str(job_id), "--yes").exit_code == 0
    listed = scripted.api.requests_to("GET", r"/runs/$")
    assert {r.query["status"][0] for r in listed} == {"1", "2", "3"}, "queued, starting, running"
    assert sum(1 for r in listed if r.query["status"] == ["3"]) == 2, "150 running runs take two pages"
    cancels = scripted.api.requests_to("POST", r"/cancel/$")
    assert len(cancels) == 250
    first_cancel = scripted.api.requests.index(cancels[0])
    assert all(scripted.api.requests.index(r) < first_cancel for r in listed), "every page before any change"
    assert dbt_scripted("job", "delete-all", "--environment-id", "909", "--yes").exit_code == 0
    assert len(scripted.api.requests_to("GET", r"/jobs/$")) == 3, "three pages of 100"
