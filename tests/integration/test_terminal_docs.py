"""docs/terminal.md tells the truth: its tables are what `-o table` writes at 80 columns for the
answers they stand for, and its version line has the shape `--version` prints."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dbt_cloud.about import version_line
from dbt_cloud.terminal.output import table

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "terminal.md").read_text()


def example(command: str) -> str:
    """The output shown under `$ command` in a console block of the page."""
    match = re.search(rf"```console\n\$ {re.escape(command)}\n(.*?)```", PAGE, re.S)
    assert match, f"no example of {command}"
    return match.group(1)


def run(run_id: int, status: int, name: str, created: str, finished: str, duration: str) -> dict[str, Any]:
    return {
        "id": run_id,
        "account_id": 123456,
        "job_definition_id": 43167,
        "job_id": 43167,
        "status": status,
        "status_humanized": name,
        "project_id": 123457,
        "environment_id": 49819,
        "created_at": f"2021-12-07 {created}+00:00",
        "finished_at": f"2021-12-07 {finished}+00:00",
        "duration": duration,
        "trigger": {"cause": "nested values are left out of lists"},
        "git_sha": None,
    }


def test_the_run_list_example() -> None:
    runs = [
        run(36053848, 10, "Success", "10:32:24.118000", "10:34:14.012000", "00:01:50"),
        run(36053911, 20, "Error", "11:02:03.433000", "11:03:40.251000", "00:01:37"),
        run(36054007, 30, "Cancelled", "11:30:00.000000", "11:30:41.090000", "00:00:41"),
    ]
    assert example("dbt-cloud run list --job-id 43167 -o table") == table(runs, width=80)


def test_the_run_get_example() -> None:
    message = (
        "Step 3 failed: Invoke dbt with `dbt build --select tag:nightly`: Database Error in model orders "
        '(models/orders.sql) relation "analytics.stg_payments" does not exist'
    )
    answer = {
        "id": 36053911,
        "status_humanized": "Error",
        "status_message": message,
        "git_branch": None,
        "created_at": "2021-12-07 11:02:03.433000+00:00",
        "trigger": {"cause": "Kicked off from the CLI"},
        "href": "https://cloud.getdbt.com/deploy/123456/projects/123457/runs/36053911/",
    }
    shown = example("dbt-cloud run get --run-id 36053911 -o table")
    assert shown == table(answer, width=80)
    assert all(len(line) <= 80 for line in shown.splitlines())


def test_the_version_line_has_the_shape_shown() -> None:
    shown = example("dbt-cloud --version").strip()
    pattern = r"dbt-cloud \d+\.\d+\.\d+ \(Python \d+\.\d+\.\d+, httpx \d+\.\d+\.\d+\)"
    assert re.fullmatch(pattern, shown)
    assert re.fullmatch(pattern, version_line())
