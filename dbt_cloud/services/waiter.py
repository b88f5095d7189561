"""Waiting for a run to finish: one loop, used by `job run --wait`, `run watch`, `run logs --follow`
and Python callers alike.

The run is polled through the `RunGet` command model with backoff: the first poll about a second
after the last, each next one 1.5 times later, up to `PollPolicy.max_seconds` (`--poll-interval`);
a change of status starts the backoff again, since changes come in bursts (queued, starting,
running). Each change is reported as a `RunStatusChanged` event and the end as `RunFinished`,
through the client's event handler and `on_event`, so the CLI's progress line and a program's
callback read the same stream.

A poll that fails for a passing reason (5xx, 429, a refused or dropped connection, a timeout; the
client has already retried it as its own policy says) does not end the wait: dbt Cloud's API has
incidents of minutes while the runs go on. The wait keeps polling through `PollPolicy.outage_seconds`
of consecutive failure (`--wait-outage`, DBT_CLOUD_WAIT_OUTAGE, the profile's `wait_outage`), and says
when the trouble starts (`WaitInterrupted`) and ends (`WaitResumed`). The wait's own timeout still wins.
The window lives here and not in the per-request retries because only the waiter sees each poll's
final failure and knows that the next poll is as good as a retry.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dbt_cloud.api.runs import (
    FINISHED,
    SUCCESS,
    expected_steps,
    format_seconds,
    run_duration,
    run_status,
    run_url,
    running_step,
    status_name,
)
from dbt_cloud.defaults import DEFAULT_WAIT_OUTAGE
from dbt_cloud.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    DbtCloudError,
    RateLimitError,
    RunTimeoutError,
    ServerError,
)
from dbt_cloud.events import (
    EventHandler,
    RunFinished,
    RunStatusChanged,
    StepStarted,
    WaitInterrupted,
    WaitResumed,
)
from dbt_cloud.services.runs import run_of

if TYPE_CHECKING:
    from dbt_cloud.api.operation import CommandModel
    from dbt_cloud.http.async_client import AsyncDbtCloudClient
    from dbt_cloud.http.client import ClientBase, DbtCloudClient
    from dbt_cloud.http.response import ApiResponse

#: Failures worth another poll: the server or the network is having a bad moment.
PASSING_FAILURES = (APIConnectionError, ServerError, RateLimitError)


@dataclass(frozen=True)
class PollPolicy:
    """How often to ask. `max_seconds` is the CLI's `--poll-interval`."""

    first_seconds: float = 1.0
    factor: float = 1.5
    max_seconds: float = 10.0
    #: Seconds of consecutive failed polls (for a passing reason) before the wait gives up.
    outage_seconds: float = DEFAULT_WAIT_OUTAGE

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


class _Watch:
    """The decisions of one wait, apart from its I/O: what a poll's answer means, whether a failed
    poll may be tolerated, how long to sleep next. The sync and async loops below share it."""

    def __init__(
        self,
        client: ClientBase,
        run_id: int,
        policy: PollPolicy,
        timeout: float | None,
        on_event: EventHandler | None,
        on_poll: Callable[[ApiResponse], None] | None,
        clock: Callable[[], float],
    ) -> None:
        self.client = client
        self.run_id = run_id
        self.policy = policy
        self.timeout = timeout
        self.on_event = on_event
        self.on_poll = on_poll
        self.clock = clock
        self.deadline = None if timeout is None else clock() + timeout
        self.delays = policy.delays()
        self.previous: int | None = None
        self.failures = 0
        #: When the failed polls in a row began (the waiter's clock); None while polls are answered.
        self.outage_started: float | None = None
        #: The index of the step last reported running, and how many steps the run will have.
        self.step: int | None = None
        self.total_steps: int | None = None

    def _emit(self, event: RunStatusChanged | RunFinished | WaitInterrupted | WaitResumed | StepStarted) -> None:
        self.client.emit(event)
        if self.on_event is not None:
            self.on_event(event)

    def failed(self, error: DbtCloudError) -> None:
        """A poll failed for a passing reason: tolerated until the outage window has passed, then
        raised again. Called from the except block that caught `error`."""
        now = self.clock()
        self.failures += 1
        if self.policy.outage_seconds <= 0:
            raise  # no window: the first failed poll ends the wait
        if self.outage_started is None:
            self.outage_started = now
            self._emit(WaitInterrupted(self.run_id, failure_reason(error), self.policy.outage_seconds))
        elif now - self.outage_started >= self.policy.outage_seconds:
            waited = format_seconds(now - self.outage_started)
            error.message += f" (run {self.run_id}: no answer for {waited}, {self.failures} polls in a row)"
            raise  # the poll's own error

    def answered(self, answer: ApiResponse) -> WaitResult | None:
        """The run as a poll saw it; the result once it has finished."""
        if self.outage_started is not None:
            self._emit(WaitResumed(self.run_id, self.clock() - self.outage_started, self.failures))
            self.outage_started = None
        self.failures = 0
        run = run_of(answer)
        status = run_status(run)
        if self.on_poll is not None:
            self.on_poll(answer)
        if status != self.previous:
            url = run_url(run, self.client.settings.base_url)
            self._emit(RunStatusChanged(self.run_id, status, status_name(run), self.previous, url))
            if self.previous is not None:
                self.delays = self.policy.delays()
            self.previous = status
        self._step_of(run)
        if status in FINISHED:
            self._emit(RunFinished(self.run_id, status, status_name(run), run_duration(run)))
            return WaitResult(document=_as_plain_get(answer.document), run=run)
        return None

    def _step_of(self, run: dict[str, Any]) -> None:
        """Report the step running now when it is another than the last one reported (the poll
        asked for the steps; otherwise the run has none and nothing is said)."""
        self.total_steps = self.total_steps or expected_steps(run)
        step = running_step(run)
        if step is None or step["index"] == self.step:
            return
        self.step = index = int(step["index"])
        total = self.total_steps if self.total_steps is not None and index <= self.total_steps else None
        self._emit(StepStarted(self.run_id, index, str(step.get("name") or "unnamed step"), total))

    def next_delay(self) -> float:
        """Seconds to sleep before the next poll; `RunTimeoutError` once the timeout has passed."""
        delay = next(self.delays)
        if self.outage_started is not None:
            # The last try of an outage comes as its window closes, not up to a poll interval later.
            delay = min(delay, max(self.outage_started + self.policy.outage_seconds - self.clock(), 0.0))
        if self.deadline is None:
            return delay
        remaining = self.deadline - self.clock()
        if remaining <= 0:
            waited = format_seconds(self.timeout or 0)
            last = "unknown" if self.previous is None else status_name({"status": self.previous})
            raise RunTimeoutError(
                f"Run {self.run_id} did not finish within {waited} (last status: {last})",
                run_id=self.run_id,
                last_status=self.previous,
            )
        return min(delay, remaining)


#: The related objects a poll with steps asks for, as a run answers without them.
_UNASKED: dict[str, Any] = {"run_steps": [], "job": None, "trigger": None}


def _as_plain_get(document: Any) -> Any:
    """The answer as `run get` prints it: the related objects asked for to follow the steps
    are left as a plain answer has them (`run_steps: []`, `job` and `trigger` null), so what a
    wait prints does not change with what it asked for on the way."""
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict) or not all(key in data for key in _UNASKED):
        return document
    return {**document, "data": {**data, **_UNASKED}}


def failure_reason(error: DbtCloudError) -> str:
    """What a failed poll met, in a word or two: the status code, or what the connection did."""
    if isinstance(error, APIStatusError):
        return str(error.status_code)
    if isinstance(error, APITimeoutError):
        return "timed out"
    if "refused" in str(error).lower():
        return "connection refused"
    return "connection failed"


def _policy_of(client: ClientBase) -> PollPolicy:
    """The default policy, with the outage window of the client's settings (environment, profile)."""
    return PollPolicy(outage_seconds=client.settings.wait_outage)


def _query(account_id: int, run_id: int, steps: bool) -> CommandModel:
    from dbt_cloud.api.operations.run import RunGet

    # With the steps come the job and the trigger, which say how many steps the run will have.
    related = ["run_steps", "job", "trigger"] if steps else None
    return RunGet(account_id=account_id, run_id=run_id, include_related=related)


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
    (`run logs --follow` prints the new log lines from it); `steps` asks for the run's steps too,
    and reports the step that is running as a `StepStarted` event whenever it changes.
    `sleep` and `clock` stand in for `time.sleep` and `time.monotonic` (tests, live progress).
    Without `poll`, the outage window is the client's settings' `wait_outage`.
    """
    query = _query(account_id, run_id, steps)
    watch = _Watch(client, run_id, poll or _policy_of(client), timeout, on_event, on_poll, clock)
    while True:
        try:
            answer = client.send(query)
        except PASSING_FAILURES as error:
            watch.failed(error)
        else:
            if (result := watch.answered(answer)) is not None:
                return result
        (sleep or time.sleep)(watch.next_delay())


async def wait_for_run_async(
    client: AsyncDbtCloudClient,
    account_id: int,
    run_id: int,
    *,
    timeout: float | None = None,
    poll: PollPolicy | None = None,
    sleep: Callable[[float], Awaitable[None]] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> WaitResult:
    """`wait_for_run` as an async loop on the async client (its transport, its event loop): the
    typed client's `AsyncDbtCloud.wait`. Its events go through the client's handler."""
    import asyncio

    query = _query(account_id, run_id, steps=False)
    watch = _Watch(client, run_id, poll or _policy_of(client), timeout, None, None, clock)
    while True:
        try:
            answer = await client.send(query)
        except PASSING_FAILURES as error:
            watch.failed(error)
        else:
            if (result := watch.answered(answer)) is not None:
                return result
        await (sleep or asyncio.sleep)(watch.next_delay())
