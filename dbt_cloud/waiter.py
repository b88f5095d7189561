"""Waiting for a run to finish: one loop, used by `job run --wait`, `run watch`, `run logs --follow`
and Python callers alike.

The run is polled through the `RunGet` command model with backoff: the first poll about a second
after the last, each next one 1.5 times later, up to `PollPolicy.max_seconds` (`--poll-interval`);
a change of status starts the backoff again, since changes come in bursts (queued, starting,
running). Each change is reported as a `RunStatusChanged` event and the end as `RunFinished`,
through the client's event handler and `on_event`, so the CLI's progress line and a program's
callback read the same stream. Polls that fail for a passing reason (the client has already retried
them) are tolerated a few times in a row, so a minute-long blip does not end an hour-long wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dbt_cloud.errors import APIConnectionError, RateLimitError, RunTimeoutError, ServerError
from dbt_cloud.events import EventHandler, RunFinished, RunStatusChanged
from dbt_cloud.runs import (
    FINISHED,
    SUCCESS,
    format_seconds,
    run_duration,
    run_of,
    run_status,
    run_url,
    status_name,
)

if TYPE_CHECKING:
    from dbt_cloud.client import ApiResponse, DbtCloudClient

#: Failures worth another poll: the server or the network is having a bad moment.
PASSING_FAILURES = (APIConnectionError, ServerError, RateLimitError)


@dataclass(frozen=True)
class PollPolicy:
    """How often to ask. `max_seconds` is the CLI's `--poll-interval`."""

    first_seconds: float = 1.0
    factor: float = 1.5
    max_seconds: float = 10.0
    #: Polls in a row that may fail for a passing reason before the wait gives up.
    max_failures: int = 5

    def delays(self) -> Iterator[float]:
        delay = min(self.first_seconds, self.max_seconds)
        while True:
            yield delay
            delay = min(delay * self.factor, self.max_seconds)


@dataclass(frozen=True)
class WaitResult:
    """The run as the last poll saw it: finished."""

    #: The whole answer of the last poll (envelope included), as `run get` prints it.
    document: Any
    run: dict[str, Any]

    @property
    def status(self) -> int:
        return run_status(self.run)

    @property
    def succeeded(self) -> bool:
        return self.status == SUCCESS


def wait_for_run(
    client: DbtCloudClient,
    account_id: int,
    run_id: int,
    *,
    poll: PollPolicy | None = None,
    timeout: float | None = None,
    on_event: EventHandler | None = None,
    on_poll: Callable[[ApiResponse], None] | None = None,
    steps: bool = False,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> WaitResult:
    """Poll run `run_id` until it succeeds, fails or is cancelled, and return it.

    `timeout` (seconds; None waits as long as it takes) raises `RunTimeoutError` once passed,
    leaving the run as it is: cancelling it is the caller's choice. `on_poll` sees every answer
    (`run logs --follow` prints the new log lines from it); `steps` asks for the run's steps too.
    `sleep` and `clock` stand in for `time.sleep` and `time.monotonic` (tests, live progress).
    """
    from dbt_cloud.commands.run import RunGet

    policy = poll or PollPolicy()
    deadline = None if timeout is None else clock() + timeout
    query = RunGet(account_id=account_id, run_id=run_id, include_related=["run_steps"] if steps else None)
    delays = policy.delays()
    previous: int | None = None
    failures = 0

    def emit(event: RunStatusChanged | RunFinished) -> None:
        client.emit(event)
        if on_event is not None:
            on_event(event)

    while True:
        try:
            answer = client.send(query)
        except PASSING_FAILURES:
            failures += 1
            if failures > policy.max_failures:
                raise
        else:
            failures = 0
            run = run_of(answer)
            status = run_status(run)
            if on_poll is not None:
                on_poll(answer)
            if status != previous:
                url = run_url(run, client.settings.base_url)
                emit(RunStatusChanged(run_id, status, status_name(run), previous, url))
                if previous is not None:
                    delays = policy.delays()
                previous = status
            if status in FINISHED:
                emit(RunFinished(run_id, status, status_name(run), run_duration(run)))
                return WaitResult(document=answer.document, run=run)
        delay = next(delays)
        if deadline is not None:
            remaining = deadline - clock()
            if remaining <= 0:
                waited = format_seconds(timeout or 0)
                last = "unknown" if previous is None else status_name({"status": previous})
                raise RunTimeoutError(
                    f"Run {run_id} did not finish within {waited} (last status: {last})",
                    run_id=run_id,
                    last_status=previous,
                )
            delay = min(delay, remaining)
        (sleep or time.sleep)(delay)
