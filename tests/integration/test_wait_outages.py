"""A wait rides out an API outage: `job run --wait` through tests/support/fault_proxy.py in front of
the local runner, meeting 75 s of 503s and, separately, 75 s of refused connections, ends exit 0
with the finished run on stdout, having triggered it once. The waiter's clock and sleep are driven
(the in-process runner's `clock` and `sleep`), so the 75 s pass in about a second or two."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from dbt_cloud.runner import DbtCloudRunner, RunnerResult
from tests.support.fault_proxy import FaultProxy
from tests.support.local_runner import LocalRunner

#: The outage of the tests, on the driven clock: it starts after the first poll, lasts 75 s.
OUTAGE_START = 2.0
OUTAGE_SECONDS = 75.0
#: Real seconds each driven sleep lasts, so that the real run on the local runner moves on.
REAL_PAUSE = 0.1


@dataclass
class DrivenClock:
    """The waiter's clock and sleep: a sleep moves the clock on at once (and pauses a little for
    real); `on_move` sees each new time (the refusing proxy opens and closes its port there)."""

    now: float = 1000.0
    on_move: Callable[[float], None] = lambda now: None
    start: float = field(init=False)

    def __post_init__(self) -> None:
        self.start = self.now

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.on_move(self.now - self.start)
        time.sleep(REAL_PAUSE)

    def in_outage(self) -> bool:
        return OUTAGE_START <= self.now - self.start < OUTAGE_START + OUTAGE_SECONDS

    def polls_answer(self, status: str) -> Callable[[str, str], str | None]:
        """A schedule for the proxy: every GET (a poll) answered `status` during the outage."""
        return lambda method, path: status if method == "GET" and self.in_outage() else None


@pytest.fixture
def proxy(local_runner: LocalRunner) -> Iterator[FaultProxy]:
    server = FaultProxy(local_runner.base_url, rate=0.0).start()
    yield server
    server.stop()


def wait_through(
    proxy: FaultProxy, local_runner: LocalRunner, clock: DrivenClock, monkeypatch: pytest.MonkeyPatch, *extra: str
) -> tuple[RunnerResult, str, str]:
    for name, value in local_runner.env(DBT_CLOUD_HOST=proxy.url).items():
        monkeypatch.setenv(name, value)
    stdout, stderr = io.StringIO(), io.StringIO()
    with DbtCloudRunner(stdout=stdout, stderr=stderr, sleep=clock.sleep, clock=clock) as runner:
        # No retries of a request of its own: each failed poll is the waiter's to ride out.
        result = runner.invoke(
            ["--max-retries", "0", "job", "run", "--job-id", str(local_runner.jobs["build"]), "--wait", *extra]
        )
    return result, stdout.getvalue(), stderr.getvalue()


def triggers(proxy: FaultProxy) -> int:
    return sum(1 for entry in proxy.log if entry.method == "POST" and entry.path.rstrip("/").endswith("/run"))


def finished_run(stdout: str) -> dict[str, object]:
    run = json.loads(stdout)["data"]
    assert isinstance(run, dict)
    return run


def test_a_wait_rides_out_75_seconds_of_503s(
    local_runner: LocalRunner, proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = DrivenClock()
    proxy.schedule = clock.polls_answer("503")
    result, stdout, stderr = wait_through(proxy, local_runner, clock, monkeypatch)
    assert result.exit_code == 0, stderr
    run = finished_run(stdout)
    assert run["status"] == 10
    assert run["is_complete"] is True
    assert triggers(proxy) == 1
    failed = [entry for entry in proxy.log if entry.fault == "503"]
    assert len(failed) >= 8, "the polls met the outage"
    lines = stderr.splitlines()
    down = [line for line in lines if line.startswith("dbt Cloud is not answering")]
    assert len(down) == 1, stderr
    assert down[0].startswith(f"dbt Cloud is not answering (503); still waiting for run {run['id']}, ")
    assert down[0].split("will keep trying until ")[1][2] == ":", "HH:MM"
    up = [line for line in lines if line.startswith("dbt Cloud is answering again after ")]
    assert len(up) == 1, stderr
    assert f"({len(failed)} polls failed)" in up[0]
    assert lines.index(down[0]) < lines.index(up[0]) < len(lines) - 1
    beats = lines[lines.index(down[0]) + 1 : lines.index(up[0])]
    assert beats, "a minute of silence in the outage brings a heartbeat line"
    assert all(beat.startswith(f"Run {run['id']}: still ") and "(waited " in beat for beat in beats), beats
    assert lines[-1].startswith(f"Run {run['id']} finished: Success")


def test_a_wait_rides_out_75_seconds_of_refused_connections(
    local_runner: LocalRunner, proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = {"down": False}

    def move(elapsed: float) -> None:
        down = OUTAGE_START <= elapsed < OUTAGE_START + OUTAGE_SECONDS
        if down and not state["down"]:
            proxy.refuse()
        elif state["down"] and not down:
            proxy.accept()
        state["down"] = down

    clock = DrivenClock(on_move=move)
    result, stdout, stderr = wait_through(proxy, local_runner, clock, monkeypatch)
    assert result.exit_code == 0, stderr
    run = finished_run(stdout)
    assert run["status"] == 10
    assert triggers(proxy) == 1
    down = [line for line in stderr.splitlines() if line.startswith("dbt Cloud is not answering")]
    assert len(down) == 1, stderr
    assert "(connection refused)" in down[0] or "(connection failed)" in down[0], down[0]
    assert sum(line.startswith("dbt Cloud is answering again") for line in stderr.splitlines()) == 1


def test_an_outage_longer_than_the_window_ends_the_wait_with_the_last_error(
    local_runner: LocalRunner, proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = DrivenClock()
    proxy.schedule = clock.polls_answer("503")
    result, stdout, _stderr = wait_through(proxy, local_runner, clock, monkeypatch, "--wait-outage", "30s")
    assert result.exit_code == 1
    assert stdout == ""
    error = getattr(result.exception, "message", "")
    assert "503" in error, error
    assert "no answer for 30s" in error, error
    assert triggers(proxy) == 1
    run_id = int(error.split("(run ")[1].split(":")[0])
    assert local_runner.wait_for_run(run_id)["status"] == 10, "the run went on"


def test_the_wait_timeout_still_wins_during_an_outage(
    local_runner: LocalRunner, proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = DrivenClock()
    proxy.schedule = clock.polls_answer("503")
    result, _, stderr = wait_through(proxy, local_runner, clock, monkeypatch, "--wait-timeout", "40s")
    assert result.exit_code == 1
    error = getattr(result.exception, "message", "")
    assert "did not finish within 40s" in error, (error, stderr)
    run_id = int(error.split("did not finish")[0].rsplit("Run ", 1)[1])
    assert local_runner.wait_for_run(run_id)["status"] == 10


def test_the_async_wait_rides_out_an_outage_and_says_so_in_its_events(
    local_runner: LocalRunner, proxy: FaultProxy
) -> None:
    """The typed client's async `wait` runs the same loop: its events tell the trouble's start and end."""
    import asyncio

    from dbt_cloud.config import Settings
    from dbt_cloud.events import Event, WaitInterrupted, WaitResumed
    from dbt_cloud.http.async_client import AsyncDbtCloudClient
    from dbt_cloud.services.waiter import PollPolicy, wait_for_run_async

    clock = DrivenClock()
    proxy.schedule = clock.polls_answer("502")
    with local_runner.http() as http:
        answer = http.post(f"/api/v2/accounts/{local_runner.account_id}/jobs/{local_runner.jobs['build']}/run/",
                           json={"cause": "outage test"})  # fmt: skip
    run_id = int(answer.json()["data"]["id"])
    events: list[Event] = []
    settings = Settings(api_token=local_runner.token, base_url=proxy.url, max_retries=0)

    async def pause(seconds: float) -> None:
        clock.now += seconds
        await asyncio.sleep(REAL_PAUSE)

    async def main() -> object:
        async with AsyncDbtCloudClient(settings, on_event=events.append) as client:
            return await wait_for_run_async(
                client, local_runner.account_id, run_id, poll=PollPolicy(outage_seconds=120), sleep=pause, clock=clock
            )

    result = asyncio.run(main())
    assert getattr(result, "succeeded", False)
    troubles = [event for event in events if isinstance(event, (WaitInterrupted, WaitResumed))]
    assert [type(event) for event in troubles] == [WaitInterrupted, WaitResumed]
    assert troubles[0] == WaitInterrupted(run_id, "502", 120.0)
    assert isinstance(troubles[1], WaitResumed)
    assert 70 <= troubles[1].outage_seconds <= 80


def test_run_logs_follow_rides_out_an_outage_and_says_so_on_stderr(
    local_runner: LocalRunner, proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`run logs --follow`: the logs on stdout, whole; the outage's two lines on stderr."""
    with local_runner.http() as http:
        answer = http.post(f"/api/v2/accounts/{local_runner.account_id}/jobs/{local_runner.jobs['build']}/run/",
                           json={"cause": "follow through an outage"})  # fmt: skip
    run_id = int(answer.json()["data"]["id"])
    clock = DrivenClock()
    proxy.schedule = clock.polls_answer("504")
    for name, value in local_runner.env(DBT_CLOUD_HOST=proxy.url).items():
        monkeypatch.setenv(name, value)
    stdout, stderr = io.StringIO(), io.StringIO()
    with DbtCloudRunner(stdout=stdout, stderr=stderr, sleep=clock.sleep, clock=clock) as runner:
        result = runner.invoke(["--max-retries", "0", "run", "logs", str(run_id), "--follow"])
    assert result.exit_code == 0, (result.exception, stderr.getvalue())
    logs = result.result.decode() if isinstance(result.result, bytes) else str(result.result)
    assert "==> Step 4: Invoke dbt with `dbt build`" in logs, "the logs are the command's answer"
    lines = stderr.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"dbt Cloud is not answering (504); still waiting for run {run_id}, ")
    assert lines[1].startswith("dbt Cloud is answering again after ")


def test_a_window_of_zero_gives_up_at_the_first_failed_poll(local_runner: LocalRunner, proxy: FaultProxy) -> None:
    from dbt_cloud.config import Settings
    from dbt_cloud.errors import ServerError
    from dbt_cloud.http.client import DbtCloudClient
    from dbt_cloud.services.waiter import PollPolicy, wait_for_run

    (run_id,) = local_runner.seed_runs(local_runner.jobs["build"], 1, status=3)
    proxy.schedule = lambda method, path: "503"
    settings = Settings(api_token=local_runner.token, base_url=proxy.url, max_retries=0)
    slept: list[float] = []
    with DbtCloudClient(settings) as client, pytest.raises(ServerError, match="503"):
        wait_for_run(client, local_runner.account_id, run_id, poll=PollPolicy(outage_seconds=0), sleep=slept.append)
    assert slept == [], "no second poll"
    assert len(proxy.log) == 1
