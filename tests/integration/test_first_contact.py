"""What a new user meets first (issue 18), against the local runner: each test is one friction
that came up when the tool was tried from the README onwards."""

from __future__ import annotations

import json
from typing import Any

from tests.support.local_runner import LocalRunner


def test_run_list_shows_the_newest_runs_first_and_says_when_a_table_is_one_page(
    local_cli: Any, local_runner: LocalRunner
) -> None:
    (job_id,) = local_runner.seed_jobs(1, name="Paged runs")
    runs = local_runner.seed_runs(job_id, 5)
    listed = local_cli("run", "list", "--job-id", str(job_id), "--limit", "3")
    assert listed.exit_code == 0, listed.stderr
    # dbt-cloud-cli's recipe: `latest_run_id=$(dbt-cloud run list --job-id $JOB | jq .data[0].id -r)`
    assert [run["id"] for run in json.loads(listed.stdout)["data"]] == sorted(runs, reverse=True)[:3]
    oldest = local_cli("run", "list", "--job-id", str(job_id), "--limit", "3", "--order-by", "id")
    assert [run["id"] for run in json.loads(oldest.stdout)["data"]] == sorted(runs)[:3]
    table = local_cli("run", "list", "--job-id", str(job_id), "--limit", "3", "-o", "table")
    assert table.stdout.splitlines()[-1] == "3 of 5 (use --all or --offset)"
    everything = local_cli("run", "list", "--job-id", str(job_id), "--all", "-o", "table")
    assert "of 5" not in everything.stdout, "a table of every run says no more"
