"""Job triggers: runs that start by themselves, on a job's cron schedule or when another job's run
ends, as dbt Cloud's scheduler starts them.

A job with `triggers.schedule` on runs at the times of its `schedule.cron` (UTC, as on dbt Cloud),
from when the runner started: times missed while it was not serving are not made up. A schedule
that comes round while the job's previous scheduled run is still queued replaces that run, which is
cancelled with a message, as dbt Cloud does for over-scheduled jobs. A job with a
`job_completion_trigger_condition` (`{"condition": {"job_id", "project_id", "statuses"}}`) runs when
a run of that job ends in one of those statuses.

The clock is a parameter, so tests move time instead of waiting for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from croniter import croniter

from dbt_cloud.local.clock import now, to_api
from dbt_cloud.local.rows import list_rows
from dbt_cloud.local.status import RunStatus
from dbt_cloud.local.store import Store

log = logging.getLogger("dbt_cloud.local")

#: The causes and categories dbt Cloud gives runs it started itself (the recorded answers show
#: `"cause": "scheduled"`; the categories are the spec's CauseCategoryEnum).
SCHEDULED = {"cause": "scheduled", "cause_category": "scheduled"}
JOB_COMPLETION_CATEGORY = "job completion"
OVER_SCHEDULED_MESSAGE = (
    "Cancelled: a newer scheduled run of this job was queued before this one started (the job is over-scheduled)."
)

QueueRun = Callable[[dict[str, Any], dict[str, Any]], int]


@dataclass
class _Schedule:
    cron: str
    next_at: datetime


class JobTriggers:
    def __init__(self, store: Store, queue_run: QueueRun, clock: Callable[[], datetime] = now) -> None:
        self.store = store
        self.queue_run = queue_run
        self.clock = clock
        self._schedules: dict[int, _Schedule] = {}

    # -- schedules ------------------------------------------------------------------------------

    def tick(self) -> list[int]:
        """Start the runs whose scheduled time has come; answers their ids."""
        moment = self.clock()
        started = []
        seen = set()
        for job in list_rows(self.store, "job"):
            cron = _scheduled_cron(job)
            if cron is None:
                continue
            seen.add(job["id"])
            schedule = self._schedules.get(job["id"])
            if schedule is None or schedule.cron != cron:
                # A schedule first seen (or changed) counts from now: no run for times already past.
                self._schedules[job["id"]] = _Schedule(cron, _next_time(cron, moment))
                continue
            if moment < schedule.next_at:
                continue
            self._replace_queued_scheduled_runs(job)
            started.append(self.queue_run(job, dict(SCHEDULED)))
            # Only the latest time due runs: a clock that jumped a day starts one run, not 288.
            schedule.next_at = _next_time(cron, moment)
        for job_id in set(self._schedules) - seen:
            del self._schedules[job_id]
        return started

    def _replace_queued_scheduled_runs(self, job: dict[str, Any]) -> None:
        queued, _ = self.store.list_runs({"job_id": job["id"], "status": RunStatus.QUEUED}, limit=1000)
        for run in queued:
            if (run["data"].get("trigger") or {}).get("cause_category") == SCHEDULED["cause_category"]:
                self.store.update_run(
                    run["id"],
                    only_if_status=[RunStatus.QUEUED],
                    status=RunStatus.CANCELLED,
                    status_message=OVER_SCHEDULED_MESSAGE,
                    finished_at=to_api(now()),
                )

    # -- job completion -------------------------------------------------------------------------

    def on_run_event(self, event: str, run: dict[str, Any]) -> None:
        if event == "completed":
            self.after_run(run)

    def after_run(self, run: dict[str, Any]) -> list[int]:
        """Start the jobs that wait on this run's job ending in this run's status; answers the run ids."""
        if run["job_id"] is None:
            return []
        started = []
        for job in list_rows(self.store, "job", run["account_id"]):
            condition = _completion_condition(job)
            if condition is None or job["id"] == run["job_id"]:  # a job chained to itself would never stop
                continue
            if condition.get("job_id") != run["job_id"] or run["status"] not in (condition.get("statuses") or []):
                continue
            if condition.get("project_id") not in (None, run["project_id"]):
                continue
            cause = f"Triggered by the completion of run {run['id']} of job {run['job_id']}"
            started.append(self.queue_run(job, {"cause": cause, "cause_category": JOB_COMPLETION_CATEGORY}))
        return started


def _scheduled_cron(job: dict[str, Any]) -> str | None:
    triggers = job.get("triggers")
    schedule = job.get("schedule")
    if not isinstance(triggers, dict) or triggers.get("schedule") is not True or not isinstance(schedule, dict):
        return None
    cron = schedule.get("cron")
    if not isinstance(cron, str) or not croniter.is_valid(cron):
        return None
    return cron


def _completion_condition(job: dict[str, Any]) -> dict[str, Any] | None:
    trigger = job.get("job_completion_trigger_condition")
    condition = trigger.get("condition") if isinstance(trigger, dict) else None
    return condition if isinstance(condition, dict) else None


def _next_time(cron: str, after: datetime) -> datetime:
    moment: datetime = croniter(cron, after).get_next(datetime)
    return moment
