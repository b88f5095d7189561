"""Events the client emits while it works: one stream, read by the CLI's progress and debug output
and by callbacks of programmatic users. Events never carry the token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    """Base class of all events."""


@dataclass(frozen=True)
class RequestSent(Event):
    method: str
    url: str
    attempt: int
    #: The request's headers as sent, with credentials masked.
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ResponseReceived(Event):
    method: str
    url: str
    status_code: int
    elapsed_seconds: float


@dataclass(frozen=True)
class RetryScheduled(Event):
    method: str
    url: str
    attempt: int
    wait_seconds: float
    reason: str


@dataclass(frozen=True)
class PageFetched(Event):
    offset: int
    count: int
    total_count: int | None


@dataclass(frozen=True)
class DownloadProgress(Event):
    path: str
    bytes_done: int
    bytes_total: int | None


@dataclass(frozen=True)
class FileSaved(Event):
    """A download was saved whole under its name (an artifact written to a file)."""

    path: str
    bytes_written: int


@dataclass(frozen=True)
class SectionStarted(Event):
    """Status output that belongs together begins: the progress of a wait, a failed step's log.
    A terminal shows it as it is; a CI log may fold it (GitHub Actions' `::group::`)."""

    title: str


@dataclass(frozen=True)
class SectionEnded(Event):
    """The section of status output named `title` is over."""

    title: str


@dataclass(frozen=True)
class RunStatusChanged(Event):
    """A run being waited for moved to a new status (codes as the API gives them: 1, 2, 3, 10, 20, 30)."""

    run_id: int
    status: int
    status_humanized: str
    previous_status: int | None
    #: The run's page in the dbt Cloud UI (or the local runner), when known.
    url: str | None = None


@dataclass(frozen=True)
class RunFinished(Event):
    """A run being waited for completed (success, error or cancelled)."""

    run_id: int
    status: int
    status_humanized: str
    duration_seconds: float | None = None


@dataclass(frozen=True)
class WaitInterrupted(Event):
    """The polls of a wait began to fail for a passing reason (5xx, 429, a refused or dropped
    connection, a timeout): the wait goes on trying for `window_seconds` of consecutive failure."""

    run_id: int
    #: What the last poll met: "503", "429", "connection refused", ...
    reason: str
    window_seconds: float


@dataclass(frozen=True)
class WaitResumed(Event):
    """A poll was answered again after `WaitInterrupted`: the trouble lasted `outage_seconds`."""

    run_id: int
    outage_seconds: float
    failed_polls: int


@dataclass(frozen=True)
class StepStarted(Event):
    """The step of a run being waited for changed: step `index` (of `total` where the job says how
    many it has) named `name` is running."""

    run_id: int
    index: int
    name: str
    total: int | None = None


EventHandler = Callable[[Event], None]


def describe(event: Event) -> str:
    """One line for the `--debug` HTTP log."""
    if isinstance(event, RequestSent):
        headers = "; ".join(f"{name}: {value}" for name, value in event.headers)
        return f"http > {event.method} {event.url} (attempt {event.attempt}) [{headers}]"
    if isinstance(event, ResponseReceived):
        return f"http < {event.status_code} {event.method} {event.url} in {event.elapsed_seconds:.3f}s"
    if isinstance(event, RetryScheduled):
        return (
            f"http retry {event.method} {event.url} in {event.wait_seconds:.2f}s "
            f"after {event.reason} (attempt {event.attempt})"
        )
    if isinstance(event, PageFetched):
        return f"page offset={event.offset} count={event.count} total={event.total_count}"
    if isinstance(event, FileSaved):
        return f"saved {event.path} ({event.bytes_written} bytes)"
    if isinstance(event, SectionStarted):
        return f"section start: {event.title}"
    if isinstance(event, SectionEnded):
        return f"section end: {event.title}"
    if isinstance(event, RunStatusChanged):
        return f"run {event.run_id}: {event.status_humanized}"
    if isinstance(event, RunFinished):
        return f"run {event.run_id} finished: {event.status_humanized}"
    if isinstance(event, WaitInterrupted):
        return f"wait for run {event.run_id}: not answered ({event.reason}), trying for {event.window_seconds:.0f}s"
    if isinstance(event, WaitResumed):
        return f"wait for run {event.run_id}: answered again after {event.outage_seconds:.0f}s"
    if isinstance(event, StepStarted):
        return f"run {event.run_id}: step {event.index} {event.name}"
    return repr(event)
