"""Jobs that start by themselves: on their cron schedule, and when another job's run ends.

Schedules are driven here with the runner's own event loop step (`LocalEvents.step`) and a clock the
test moves, on a real store with the demo project registered and runs queued as the API queues
them; job completion is seen on the served runner, with real dbt runs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from dbt_cloud.local.app import LocalApi
from dbt_cloud.local.bootstrap import demo_project_dir, ensure_account, register_project
from dbt_cloud.local.events import LocalEvents
from dbt_cloud.local.executor import Executor
from dbt_cloud.local.store import Store
from dbt_cloud.local.views import IN_PROGRESS
from tests.support.local_runner import LocalRunner

START = datetime(2026, 3, 2, 8, 0, 30, tzinfo=timezone.utc)


@dataclass
class Clock:
    moment: datetime

    def __call__(self) -> datetime:
        return self.moment


@dataclass
class Scheduler:
    store: Store
    events: LocalEvents
    clock: Clock
    job: dict[str, Any]

    def at(self, moment: datetime) -> list[dict[str, Any]]:
        """Move the clock, let the runner look once, and answer the job's runs."""
        self.clock.moment = moment
        self.events.step()
        runs, _ = self.store.list_runs({"job_id": self.job["id"]})
        return runs


@pytest.fixture
def scheduler(tmp_path: Path) -> Iterator[Scheduler]:
    store = Store(tmp_path / "runner.sqlite3")
    account_id, _ = ensure_account(store)
    registered = register_project(store, account_id, demo_project_dir(), tmp_path)
    job = store.insert(
        "job",
        {
            "account_id": account_id,
            "project_id": registered.project_id,
            "environment_id": registered.environment_id,
            "name": "Every quarter hour",
            "execute_steps": ["dbt build"],
            "triggers": {"github_webhook": False, "schedule": True},
            "schedule": {"cron": "*/15 * * * *", "date": {"type": "custom_cron"}, "time": {"type": "every_hour"}},
        },
    )
    clock = Clock(START)
    events = LocalEvents(store, LocalApi(store, None, tmp_path).queue_run, clock=clock)
    events.step()  # the runner starts at START: the schedule counts from here
    yield Scheduler(store, events, clock, job)
    store.close()


def test_a_scheduled_job_runs_at_its_cron_times_and_only_then(scheduler: Scheduler) -> None:
    assert scheduler.at(START + timedelta(minutes=14, seconds=29)) == []
    (first,) = scheduler.at(datetime(2026, 3, 2, 8, 15, tzinfo=timezone.utc))
    assert first["data"]["trigger"]["cause"] == "scheduled"
    assert first["data"]["trigger"]["cause_category"] == "scheduled"
    assert len(scheduler.at(datetime(2026, 3, 2, 8, 15, 20, tzinfo=timezone.utc))) == 1  # once per time
    assert len(scheduler.at(datetime(2026, 3, 2, 8, 31, tzinfo=timezone.utc))) == 2


def test_a_clock_that_jumps_starts_one_run_not_one_per_missed_time(scheduler: Scheduler) -> None:
    assert len(scheduler.at(START + timedelta(days=1))) == 1


def test_a_newer_scheduled_run_replaces_one_still_queued(scheduler: Scheduler) -> None:
    scheduler.at(datetime(2026, 3, 2, 8, 15, tzinfo=timezone.utc))
    first, second = scheduler.at(datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc))
    assert first["status"] == 30  # nothing ran it in between: over-scheduled, cancelled
    assert "over-scheduled" in first["status_message"]
    assert second["status"] == 1


def test_a_job_with_its_schedule_off_does_not_run(scheduler: Scheduler) -> None:
    scheduler.store.replace("job", scheduler.job["id"], {**scheduler.job, "triggers": {"schedule": False}})
    assert scheduler.at(START + timedelta(hours=2)) == []


def test_a_changed_cron_counts_from_when_it_changed(scheduler: Scheduler) -> None:
    hourly = {**scheduler.job, "schedule": {**scheduler.job["schedule"], "cron": "0 * * * *"}}
    scheduler.store.replace("job", scheduler.job["id"], hourly)
    assert scheduler.at(datetime(2026, 3, 2, 8, 20, tzinfo=timezone.utc)) == []  # seen: next is 09:00
    assert scheduler.at(datetime(2026, 3, 2, 8, 45, tzinfo=timezone.utc)) == []
    assert len(scheduler.at(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))) == 1


def test_a_scheduled_run_is_executed_by_the_runner(scheduler: Scheduler, tmp_path: Path) -> None:
    quick = {**scheduler.job, "execute_steps": ["dbt parse"]}
    scheduler.store.replace("job", scheduler.job["id"], quick)
    executor = Executor(scheduler.store, tmp_path, concurrency=1)
    executor.start()
    try:
        (queued,) = scheduler.at(datetime(2026, 3, 2, 8, 15, tzinfo=timezone.utc))
        executor.wake()
        deadline = time.monotonic() + 120
        while (run := scheduler.store.get_run(queued["id"])) and run["status"] in IN_PROGRESS:
            assert time.monotonic() < deadline, "the scheduled run did not finish"
            time.sleep(0.2)
    finally:
        executor.stop()
    assert run is not None
    assert run["status"] == 10, run["status_message"]
    assert [step["command"] for step in scheduler.store.steps_of_run(run["id"])][-1] == "dbt parse"


# -- job completion, on the served runner -------------------------------------------------------


def create_job(runner: LocalRunner, http: Any, name: str, **fields: Any) -> int:
    body = {
        "name": name,
        "project_id": runner.project_id,
        "environment_id": runner.environment_id,
        "execute_steps": ["dbt parse"],
        **fields,
    }
    answer = http.post(f"/api/v2/accounts/{runner.account_id}/jobs/", json=body)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["data"]["id"])


def runs_of(runner: LocalRunner, http: Any, job_id: int) -> list[dict[str, Any]]:
    path = f"/api/v2/accounts/{runner.account_id}/runs/"
    answer = http.get(path, params={"job_definition_id": job_id, "include_related": "trigger"})
    return list(answer.json()["data"])


def wait_for_runs_of(runner: LocalRunner, http: Any, job_id: int, timeout: float = 120) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = runs_of(runner, http, job_id)
        if runs:
            return runs
        time.sleep(0.2)
    raise TimeoutError(f"no run of job {job_id} started in {timeout} s")


def test_a_job_runs_when_the_job_it_waits_on_ends_in_a_named_status(local_runner: LocalRunner) -> None:
    with local_runner.http() as http:
        parent = create_job(local_runner, http, "Parent")

        def after(statuses: list[int]) -> dict[str, Any]:
            return {"condition": {"job_id": parent, "project_id": local_runner.project_id, "statuses": statuses}}

        on_success = create_job(local_runner, http, "After success", job_completion_trigger_condition=after([10]))
        on_error = create_job(local_runner, http, "After error", job_completion_trigger_condition=after([20, 30]))
        answer = http.post(f"/api/v2/accounts/{local_runner.account_id}/jobs/{parent}/run/", json={"cause": "test"})
        parent_run = local_runner.wait_for_run(int(answer.json()["data"]["id"]))
        (chained,) = wait_for_runs_of(local_runner, http, on_success)
        finished = local_runner.wait_for_run(chained["id"])
        not_chained = runs_of(local_runner, http, on_error)

    assert parent_run["status"] == 10
    assert chained["trigger"]["cause_category"] == "job completion"
    assert f"run {parent_run['id']}" in chained["trigger"]["cause"]
    assert finished["status"] == 10
    # Both waiting jobs were decided on the same event: the one waiting for a failure did not run.
    assert not_chained == []
