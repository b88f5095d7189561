"""`-o table` at 80 columns against the local runner: every line fits, and what identifies a thing (its
id, name, status) is there whole, so a person can read the answer without reaching for `-o json`."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.conftest import Outcome
from tests.support.local_runner import LocalRunner

WIDTH = 80
LONG_NAME = "Nightly: build every model, test it, then write the docs site"
DEMO_JOBS = {"build": "Build", "docs": "Build with docs", "failing": "Data quality checks (fails on purpose)"}
TIME = re.compile(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b")


@pytest.fixture(scope="module")
def seeded(local_runner: LocalRunner) -> dict[str, int]:
    """A job with a long name and one run of it in each finished status."""
    (job_id,) = local_runner.seed_jobs(1, name=LONG_NAME)
    ids = {"job": job_id}
    for status, name in ((10, "Success"), (20, "Error"), (30, "Cancelled")):
        (ids[name],) = local_runner.seed_runs(job_id, 1, status=status)
    return ids


def table_lines(local_cli: Any, *args: str) -> list[str]:
    outcome: Outcome = local_cli(*args, "-o", "table", env={"COLUMNS": str(WIDTH)})
    assert outcome.exit_code == 0, outcome.stderr
    lines = outcome.stdout.splitlines()
    too_wide = [line for line in lines if len(line) > WIDTH]
    assert lines
    assert not too_wide, f"wider than {WIDTH}: {too_wide}"
    assert "\x1b[" not in outcome.stdout, "no colour where stdout is not a terminal"
    assert "+00:00" not in outcome.stdout, "times are compact"
    return lines


def row(lines: list[str], first: str) -> list[str]:
    """The cells of the row whose first cell is `first` (cells are two spaces or more apart)."""
    found = [re.split(r"\s{2,}", line) for line in lines[1:] if line.split()[0] == first]
    assert len(found) == 1, f"no single row {first}: {lines}"
    return found[0]


def test_job_list(local_cli: Any, local_runner: LocalRunner, seeded: dict[str, int]) -> None:
    lines = table_lines(local_cli, "job", "list", "--all")  # other tests add jobs: more than a page
    assert re.split(r"\s{2,}", lines[0])[:2] == ["ID", "NAME"]
    for key, name in DEMO_JOBS.items():
        assert row(lines, str(local_runner.jobs[key]))[1] == name, "a demo job's name is whole"
    clipped = row(lines, str(seeded["job"]))[1]
    assert clipped.endswith("…")
    assert LONG_NAME.startswith(clipped[:-1])
    assert len(clipped) >= 30
    assert all(TIME.search(line) for line in lines[1:]), "each job has its creation time, to the minute"


def test_run_list(local_cli: Any, seeded: dict[str, int]) -> None:
    lines = table_lines(local_cli, "run", "list", "--job-id", str(seeded["job"]))
    assert re.split(r"\s{2,}", lines[0])[:3] == ["ID", "STATUS", "JOB"]
    for status in ("Success", "Error", "Cancelled"):
        assert row(lines, str(seeded[status]))[1:3] == [status, str(seeded["job"])]
    assert "CREATED (UTC)" in lines[0]
    assert "FINISHED (UTC)" in lines[0]


def test_project_and_environment_list(local_cli: Any, local_runner: LocalRunner) -> None:
    projects = table_lines(local_cli, "project", "list")
    assert row(projects, str(local_runner.project_id))[1] == "dbt-cloud demo"
    environments = table_lines(local_cli, "environment", "list", "--project-id", str(local_runner.project_id))
    assert row(environments, str(local_runner.environment_id))[1:3] == ["Production", "deployment"]


def test_run_get_is_field_value_lines(local_cli: Any, local_runner: LocalRunner, seeded: dict[str, int]) -> None:
    lines = table_lines(local_cli, "run", "get", "--run-id", str(seeded["Error"]))
    fields = dict(line.split(None, 1) for line in lines if line and not line.startswith(" ") and " " in line)
    assert fields["FIELD"] == "VALUE"
    assert fields["id"] == str(seeded["Error"])
    assert fields["status_humanized"] == "Error"
    assert fields["job_definition_id"] == str(seeded["job"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", fields["created_at"])
    assert fields["href"].startswith(local_runner.base_url), "a URL that fits is whole"


def test_account_get(local_cli: Any, local_runner: LocalRunner) -> None:
    lines = table_lines(local_cli, "account", "get")
    fields = dict(line.split(None, 1) for line in lines if " " in line)
    assert fields["id"] == str(local_runner.account_id)
    assert fields["name"] == "Local account"


def test_run_get_with_its_steps_shows_them_as_rows_and_leaves_logs_to_run_logs(
    local_cli: Any, local_runner: LocalRunner
) -> None:
    started = local_cli("job", "run", "--job-id", str(local_runner.jobs["build"]), "--wait", "--poll-interval", "0.1")
    assert started.exit_code == 0, started.stderr
    run_id = json.loads(started.stdout)["data"]["id"]
    lines = table_lines(local_cli, "run", "get", "--run-id", str(run_id), "--include-related", "run_steps")
    assert len(lines) < 80, "the run and a line per step, not every step's log"
    start = lines.index("run_steps (4)")
    assert re.split(r"\s{2,}", lines[start + 1]) == ["STEP", "NAME", "STATUS", "DURATION"]
    steps = [re.split(r"\s{2,}", line) for line in lines[start + 2 : start + 6]]
    assert [step[0] for step in steps] == ["1", "2", "3", "4"]
    assert steps[3][1:3] == ["Invoke dbt with `dbt build`", "Success"]
    assert all(re.fullmatch(r"\d+ seconds?|[\d ]+minutes?.*", step[3]) for step in steps), steps
    assert f"(the steps' logs: dbt-cloud run logs {run_id})" in lines
    assert not any(line.startswith("run_steps[") for line in lines)
    assert not any("Running with dbt=" in line for line in lines), "no logs"


def test_a_plan_as_a_table_and_what_project_type_and_schedule_mean(local_cli: Any, local_runner: LocalRunner) -> None:
    job_id = str(local_runner.jobs["docs"])
    exported = local_cli("job", "export", "--job-id", job_id)
    renamed = exported.stdout.replace('"name": "Build with docs"', '"name": "Build with docs, renamed"')
    outcome = local_cli("job", "import", "--dry-run", "-o", "table", env={"COLUMNS": str(WIDTH)}, stdin=renamed)
    assert outcome.exit_code == 0, outcome.stderr
    lines = outcome.stdout.splitlines()
    assert lines[0] == "plan (1)"
    header = re.split(r"\s{2,}", lines[1])
    row = dict(zip(header, re.split(r"\s{2,}", lines[2]), strict=False))
    assert (row["ACTION"], row["JOB_ID"], row.get("CHANGES")) == ("update", job_id, "name")
    project = table_lines(local_cli, "project", "get", "--project-id", str(local_runner.project_id))
    assert "type                           default" in project or any(
        line.split() == ["type", "default"] for line in project
    )
    job = table_lines(local_cli, "job", "get", "--job-id", job_id)
    fields = dict(line.split(None, 1) for line in job if " " in line and not line.startswith(" "))
    assert fields["triggers.schedule"] == "false"
    assert fields["cron_humanized"] == "off", "its schedule trigger is off: it does not run every hour"


def test_environment_variables_are_a_table_with_a_row_per_variable(local_cli: Any, local_runner: LocalRunner) -> None:
    lines = table_lines(local_cli, "environment-variable", "list", "--project-id", str(local_runner.project_id))
    start = next(index for index, line in enumerate(lines) if line.startswith("variables ("))
    assert re.split(r"\s{2,}", lines[start + 1])[:2] == ["NAME", "PROJECT.VALUE"]
    assert any(line.startswith("DBT_CLOUD_DEMO_DUCKDB_PATH ") for line in lines[start + 2 :])
    assert not any(".project.value" in line for line in lines), "not variables.X.project.value lines"
