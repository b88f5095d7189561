"""`job delete-all` and `run cancel-all`: every page, filters, `--keep-jobs`, asking first,
`--dry-run`, and a report per item with exit code 1 when any failed (after trying them all)."""

from __future__ import annotations

import json

from tests.integration.composites.conftest import Cli
from tests.support.recorded_api import Reply, envelope
from tests.support.scripted_api import ScriptedServer


def active_jobs(server: ScriptedServer, environment_id: int) -> set[int]:
    return {j["id"] for j in server.api.jobs.values() if j["environment_id"] == environment_id and j["state"] == 1}


def test_delete_all_goes_through_every_page_keeping_the_jobs_named(dbt: Cli, server: ScriptedServer) -> None:
    doomed = server.seed_jobs(250, environment_id=901)
    bystanders = server.seed_jobs(3, environment_id=902)
    server.api.jobs[doomed[10]]["name"] = "Keep me"
    keep = ["--keep-jobs", str(doomed[0]), "--keep-jobs", "Keep me"]
    outcome = dbt("job", "delete-all", "--environment-id", "901", *keep, "--yes")
    assert outcome.exit_code == 0, outcome.stderr
    assert len(server.api.requests_to("GET", r"/jobs/$")) == 3, "three pages of 100"
    assert active_jobs(server, 901) == {doomed[0], doomed[10]}
    assert active_jobs(server, 902) == set(bystanders), "the filter holds"
    answers = json.loads(outcome.stdout)
    assert len(answers) == 248
    assert all(answer["data"]["state"] == 2 for answer in answers)
    assert f"deleted job {doomed[1]} Seeded job 2" in outcome.stderr_lines
    assert outcome.stderr_lines[-1] == "248 deleted, 2 skipped, 0 failed."


def test_delete_all_dry_run_changes_nothing(dbt: Cli, server: ScriptedServer) -> None:
    jobs = server.seed_jobs(250, environment_id=903)
    outcome = dbt("job", "delete-all", "--environment-id", "903", "--keep-jobs", f"[{jobs[0]}, {jobs[1]}]", "--dry-run")
    assert outcome.exit_code == 0, outcome.stderr
    assert json.loads(outcome.stdout) == []
    assert server.api.requests_to("DELETE", ".*") == []
    assert active_jobs(server, 903) == set(jobs)
    assert "250 jobs listed: 248 to delete, 2 skipped." in outcome.stderr_lines
    assert outcome.stderr_lines[-1] == "Dry run: nothing was deleted."


def test_delete_all_asks_first_and_a_closed_stdin_changes_nothing(dbt: Cli, server: ScriptedServer) -> None:
    jobs = set(server.seed_jobs(3, environment_id=904))
    no_answer = dbt("job", "delete-all", "--environment-id", "904", stdin="")
    assert no_answer.exit_code == 2
    assert "pass --yes" in no_answer.stderr_lines[-1]
    declined = dbt("job", "delete-all", "--environment-id", "904", stdin="n\n")
    assert declined.exit_code == 0
    assert "Nothing was deleted." in declined.stderr
    assert active_jobs(server, 904) == jobs
    accepted = dbt("job", "delete-all", "--environment-id", "904", stdin="y\n")
    assert accepted.exit_code == 0, accepted.stderr
    assert "Delete 3 jobs? [y/N]" in accepted.stderr
    assert active_jobs(server, 904) == set()


def test_delete_all_tries_every_job_and_exits_1_when_one_failed(dbt: Cli, server: ScriptedServer) -> None:
    first, second, third = server.seed_jobs(3, environment_id=905)
    refusal = Reply.json(envelope(None, 403, "Not allowed."), 403)
    server.api.fail_next(refusal, method="DELETE", path=rf"/jobs/{second}/$")
    outcome = dbt("job", "delete-all", "--environment-id", "905", "--yes")
    assert outcome.exit_code == 1
    assert active_jobs(server, 905) == {second}
    path = f"/api/v2/accounts/{server.account_id}/jobs/{second}/"
    assert f"failed job {second}: DELETE {path} answered 403 Forbidden: Not allowed." in outcome.stderr
    assert "2 deleted, 0 skipped, 1 failed." in outcome.stderr_lines
    assert outcome.stderr_lines[-1] == "Error: 1 of 3 jobs could not be deleted"
    assert len(json.loads(outcome.stdout)) == 2
    assert {first, third}.isdisjoint(active_jobs(server, 905))


def test_delete_all_without_keep_jobs_works(dbt: Cli, server: ScriptedServer) -> None:
    server.seed_jobs(2, environment_id=906)
    outcome = dbt("job", "delete-all", "--environment-id", "906", "-y")
    assert outcome.exit_code == 0, outcome.stderr
    assert active_jobs(server, 906) == set()


def test_delete_all_warns_about_keep_jobs_that_match_nothing(dbt: Cli, server: ScriptedServer) -> None:
    server.seed_jobs(1, environment_id=907)
    outcome = dbt("job", "delete-all", "--environment-id", "907", "--keep-jobs", "No such job", "--dry-run")
    assert "Warning: --keep-jobs No such job matches no listed job" in outcome.stderr_lines


def test_readonly_mode_allows_a_dry_run_but_not_the_deletion(dbt: Cli, server: ScriptedServer) -> None:
    server.seed_jobs(1, environment_id=908)
    readonly = {"DBT_CLOUD_READONLY": "true"}
    assert dbt("job", "delete-all", "--environment-id", "908", "--dry-run", env=readonly).exit_code == 0
    refused = dbt("job", "delete-all", "--environment-id", "908", "--yes", env=readonly)
    assert refused.exit_code == 2
    assert "Read-only mode" in refused.stderr
    assert server.api.requests_to("DELETE", ".*") == []


def test_cancel_all_cancels_every_run_in_progress_of_the_job(dbt: Cli, server: ScriptedServer) -> None:
    job_id, other = server.jobs["slow"], server.jobs["build"]
    queued = server.seed_runs(job_id, 100, status=1)
    running = server.seed_runs(job_id, 150, status=3)
    finished = server.seed_runs(job_id, 5, status=10)
    elsewhere = server.seed_runs(other, 4, status=3)
    outcome = dbt("run", "cancel-all", "--job-id", str(job_id), "--yes")
    assert outcome.exit_code == 0, outcome.stderr
    assert {server.api.run(r).status for r in queued + running} == {30}
    assert {server.api.run(r).status for r in finished} == {10}
    assert {server.api.run(r).status for r in elsewhere} == {3}, "the filter holds"
    assert len(json.loads(outcome.stdout)) == 250
    assert outcome.stderr_lines[-1] == "250 cancelled, 0 skipped, 0 failed."
    listed = server.api.requests_to("GET", r"/runs/$")
    assert {r.query["status"][0] for r in listed} == {"1", "2", "3"}
    assert sum(1 for r in listed if r.query["status"] == ["3"]) == 2, "150 running runs take two pages"


def test_cancel_all_with_a_finished_status_skips_every_run(dbt: Cli, server: ScriptedServer) -> None:
    server.seed_runs(server.jobs["build"], 3, status=10)
    outcome = dbt("run", "cancel-all", "--status", "success", "--yes")
    assert outcome.exit_code == 0, outcome.stderr
    assert server.api.requests_to("POST", r"/cancel/$") == []
    assert "3 runs listed: 0 to cancel, 3 skipped." in outcome.stderr_lines


def test_cancel_all_dry_run_and_limit(dbt: Cli, server: ScriptedServer) -> None:
    runs = server.seed_runs(server.jobs["slow"], 120, status=3)
    dry = dbt("run", "cancel-all", "--dry-run")
    assert dry.exit_code == 0
    assert server.api.requests_to("POST", r"/cancel/$") == []
    assert "120 runs listed: 120 to cancel, 0 skipped." in dry.stderr_lines
    limited = dbt("run", "cancel-all", "--limit", "5", "--yes")
    assert limited.exit_code == 0, limited.stderr
    cancelled = {r for r in runs if server.api.run(r).status == 30}
    assert cancelled == set(sorted(runs, reverse=True)[:5]), "newest first, at most --limit"
