"""What `local serve` says on stderr while it serves: a line when a run starts, one when it ends
(with its status and how long it ran), and one on shutdown.

The lines are log records of one logger, so `--quiet` silences them by its level and the errors
the runner logs still show. The runner's tests and its in-process users install no handler, and
get none of these lines.
"""

from __future__ import annotations

import logging
from typing import Any, TextIO

from dbt_cloud.local.clock import from_api
from dbt_cloud.local.run_events import RunEvent
from dbt_cloud.local.status import STATUS_NAMES, RunStatus
from dbt_cloud.local.store import Store

#: The logger of every line about the runner's work (errors go to its parent, `dbt_cloud.local`).
ACTIVITY = "dbt_cloud.local.activity"
log = logging.getLogger(ACTIVITY)

#: A status message longer than this is cut: the line is a summary, the run's page has the rest.
MESSAGE_CHARACTERS = 160


def show_on(stream: TextIO, *, quiet: bool = False) -> logging.Handler:
    """Write the runner's lines (and its errors) to the stream, each with the time of day;
    with `quiet`, its errors only."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s  %(message)s", datefmt="%H:%M:%S"))
    runner = logging.getLogger("dbt_cloud.local")
    runner.addHandler(handler)
    runner.setLevel(logging.INFO)
    log.setLevel(logging.WARNING if quiet else logging.INFO)
    return handler


class RunActivity:
    """A listener of the run watcher that tells each run's start and end."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __call__(self, event: RunEvent, run: dict[str, Any]) -> None:
        if not log.isEnabledFor(logging.INFO):
            return  # no store read for a line nobody sees
        subject = f"Run {run['id']} of {self.job_name(run)}"
        if event == "started":
            log.info("%s started", subject)
            return
        if run["status"] == RunStatus.CANCELLED and not run.get("started_at"):
            return  # cancelled while queued: the cancel itself said so (`cancelled_while_queued`)
        status = _status_name(run["status"])
        seconds = _seconds_between(run.get("started_at"), run.get("finished_at"))
        took = f" in {format_seconds(seconds)}" if seconds is not None else " before it started"
        message = " ".join(str(run.get("status_message") or "").split())
        if message and run["status"] != RunStatus.SUCCESS:
            cut = message if len(message) <= MESSAGE_CHARACTERS else message[: MESSAGE_CHARACTERS - 3] + "..."
            took += f": {cut}"
        log.info("%s ended: %s%s", subject, status, took)

    def job_name(self, run: dict[str, Any]) -> str:
        job = self.store.get("job", run["job_id"]) if run.get("job_id") else None
        if job is None:
            return f"job {run.get('job_id')}"
        return f"job {job['id']} ({job.get('name') or 'unnamed'})"


def cancelled_while_queued(store: Store, run: dict[str, Any]) -> None:
    """Told by the cancel itself: the watcher may never see such a run in progress."""
    if log.isEnabledFor(logging.INFO):
        log.info("Run %s of %s ended: Cancelled before it started", run["id"], RunActivity(store).job_name(run))


def stopped(cancelled: int) -> None:
    """The shutdown line, saying what became of the runs in progress."""
    if cancelled:
        log.info("Stopped; %d run%s in progress cancelled", cancelled, "" if cancelled == 1 else "s")
    else:
        log.info("Stopped")


def format_seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{rest:02d}s" if hours else f"{minutes}m{rest:02d}s"


def _seconds_between(start: str | None, end: str | None) -> float | None:
    started, finished = from_api(start), from_api(end)
    if started is None or finished is None:
        return None
    return max(0.0, (finished - started).total_seconds())


def _status_name(status: int) -> str:
    return STATUS_NAMES.get(status, f"status {status}")
