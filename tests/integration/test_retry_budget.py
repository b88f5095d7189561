"""The retry budget, through the fault proxy in front of the local runner: a read rides out a row of
different transient faults, retries stop at the budget in time (a driven clock: nothing sleeps for
real), and a trigger answered 502 is sent once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dbt_cloud.http.retry import RetryPolicy
from tests.conftest import Outcome, invoke
from tests.support.fault_proxy import FaultProxy
from tests.support.local_runner import LocalRunner


@dataclass
class DrivenTime:
    """The clock and sleep of a retry policy: a sleep moves the clock on, at once."""

    proxy: FaultProxy
    now: float = 0.0
    waits: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds
        self.proxy.between_attempts()

    def policy(self) -> RetryPolicy:
        return RetryPolicy(clock=self.clock, sleep=self.sleep)


@pytest.fixture
def proxy(local_runner: LocalRunner) -> Iterator[FaultProxy]:
    server = FaultProxy(local_runner.base_url, rate=0.0, retry_after="3").start()
    yield server
    server.stop()


def through(proxy: FaultProxy, runner: LocalRunner, time: DrivenTime, *args: str) -> Outcome:
    return invoke(list(args), env=runner.env(DBT_CLOUD_HOST=proxy.url), retry_policy=time.policy())


def test_a_read_survives_five_transient_faults_in_a_row(local_runner: LocalRunner, proxy: FaultProxy) -> None:
    proxy.script = ["503", "429", "html_502", "reset_before", "refused"]
    time = DrivenTime(proxy)
    job_id = local_runner.jobs["build"]
    outcome = through(proxy, local_runner, time, "job", "get", "--job-id", str(job_id))
    assert outcome.exit_code == 0, outcome.stderr
    assert json.loads(outcome.stdout)["data"]["id"] == job_id
    assert [entry.fault for entry in proxy.log] == ["503", "429", "html_502", "reset_before", "refused", None]
    assert len(time.waits) == 5, "one wait before each retry"
    assert time.waits[1] == 3.0, "the 429's Retry-After is obeyed"
    assert not proxy.script, "every scripted fault was met"


def test_retries_of_a_read_stop_at_the_budget_not_before(local_runner: LocalRunner, proxy: FaultProxy) -> None:
    proxy.script = ["503"] * 40
    time = DrivenTime(proxy)
    outcome = through(proxy, local_runner, time, "job", "get", "--job-id", str(local_runner.jobs["build"]))
    assert outcome.exit_code == 1
    assert "503" in outcome.stderr, outcome.stderr
    assert len(outcome.stderr_lines) == 1, outcome.stderr
    waited = sum(time.waits)
    assert f"gave up after {len(time.waits) + 1} attempts in {waited:.0f} s" in outcome.stderr, outcome.stderr
    assert 90 - 8 < waited <= 90, "rides out the default 90 s budget, less than one capped wait short of it"
    assert len(time.waits) < 20, "the budget ended the retries before --max-retries did"
    assert max(time.waits) <= 8.0, "the backoff is capped"


def test_the_budget_is_a_setting(local_runner: LocalRunner, proxy: FaultProxy) -> None:
    proxy.script = ["503"] * 40
    for how in (["--retry-budget", "10"], ["env"]):
        time = DrivenTime(proxy)
        env = local_runner.env(DBT_CLOUD_HOST=proxy.url)
        if how == ["env"]:
            env["DBT_CLOUD_RETRY_BUDGET"] = "10"
            how = []
        args = [*how, "job", "get", "--job-id", str(local_runner.jobs["build"])]
        outcome = invoke(args, env=env, retry_policy=time.policy())
        assert outcome.exit_code == 1
        assert 10 - 8 < sum(time.waits) <= 10, (how, time.waits)


def test_max_retries_still_caps_the_attempts(local_runner: LocalRunner, proxy: FaultProxy) -> None:
    proxy.script = ["503"] * 10
    time = DrivenTime(proxy)
    args = ["--max-retries", "2", "job", "get", "--job-id", str(local_runner.jobs["build"])]
    outcome = through(proxy, local_runner, time, *args)
    assert outcome.exit_code == 1
    assert len(proxy.log) == 3
    assert len(time.waits) == 2


def test_a_trigger_answered_502_is_sent_once(local_runner: LocalRunner, proxy: FaultProxy) -> None:
    job_id = local_runner.seed_jobs(1, name="Triggered into a 502", execute_steps=["dbt debug --config-dir"])[0]
    proxy.script = ["502"]
    time = DrivenTime(proxy)
    outcome = through(proxy, local_runner, time, "job", "run", "--job-id", str(job_id))
    assert outcome.exit_code == 1
    assert "could not confirm whether the run was created" in outcome.stderr.lower(), outcome.stderr
    assert len(outcome.stderr_lines) == 1, outcome.stderr
    assert [entry.method for entry in proxy.log] == ["POST"], "the trigger was not sent again"
    assert time.waits == []


def test_the_budget_from_a_profile(local_runner: LocalRunner, proxy: FaultProxy, isolated_environment: Path) -> None:
    isolated_environment.parent.mkdir(parents=True, exist_ok=True)
    isolated_environment.write_text("[profiles.default]\nretry_budget = 5\n")
    proxy.script = ["503"] * 40
    time = DrivenTime(proxy)
    outcome = through(proxy, local_runner, time, "job", "get", "--job-id", str(local_runner.jobs["build"]))
    assert outcome.exit_code == 1
    assert 0 < sum(time.waits) <= 5, time.waits
    time = DrivenTime(proxy)
    flag_wins = ["--retry-budget", "0", "job", "get", "--job-id", str(local_runner.jobs["build"])]
    assert through(proxy, local_runner, time, *flag_wins).exit_code == 1
    assert time.waits == [], "the flag comes before the profile; 0 turns retries off"


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ({"DBT_CLOUD_RETRY_BUDGET": "soon"}, "Invalid value for '--retry-budget': 'soon' is not a valid float range."),
        (
            {"DBT_CLOUD_RETRY_BUDGET": "-1"},
            "Invalid value for '--retry-budget': -1.0 is not in the range 0<=x<=1000000",
        ),
        ({"DBT_CLOUD_RETRY_BUDGET": "nan"}, "Invalid value for '--retry-budget': 'nan' is not a finite number."),
        ({"profile": "retry_budget = nan"}, "retry_budget must be from 0 to 1000000 seconds, not nan"),
        ({"profile": 'retry_budget = "long"'}, "retry_budget must be float, not str"),
    ],
)
def test_a_malformed_budget_is_refused(isolated_environment: Path, where: dict[str, str], says: str) -> None:
    env = {"DBT_CLOUD_API_TOKEN": "dbtc_budget", "DBT_CLOUD_ACCOUNT_ID": "1", "DBT_CLOUD_HOST": "http://127.0.0.1:9"}
    if "profile" in where:
        isolated_environment.parent.mkdir(parents=True, exist_ok=True)
        isolated_environment.write_text(f"[profiles.default]\n{where.pop('profile')}\n")
    outcome = invoke(["job", "list"], env={**env, **where})
    assert outcome.exit_code == 2, outcome.stderr
    assert len(outcome.stderr_lines) == 1, outcome.stderr
    assert says in outcome.stderr_lines[0], outcome.stderr
