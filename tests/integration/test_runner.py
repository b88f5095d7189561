"""DbtCloudRunner against a real HTTP server: results instead of exit codes, kwargs over flags,
callbacks on the one event stream, and many threads at once on one connection pool."""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import click
import httpx
import pytest

from dbt_cloud.api.operations.run import RunGet
from dbt_cloud.api.resources import Job, Run
from dbt_cloud.cli import cli
from dbt_cloud.cli.commands.base import Invocation, api_command, command_group
from dbt_cloud.config import Settings
from dbt_cloud.errors import AuthenticationError, ConfigError, NotFoundError, RunFailedError
from dbt_cloud.events import (
    Event,
    PageFetched,
    RequestSent,
    ResponseReceived,
    RunFinished,
    RunStatusChanged,
    SectionEnded,
    SectionStarted,
)
from dbt_cloud.http.client import DbtCloudClient
from dbt_cloud.runner import DbtCloudRunner, RunnerResult
from tests.conftest import TOKEN
from tests.support.local_runner import LocalRunner
from tests.support.recorded_api import RecordedApi, Reply, envelope, sample

ACCOUNT = "123456"


@pytest.fixture
def connected(api: RecordedApi, monkeypatch: pytest.MonkeyPatch) -> RecordedApi:
    """The settings a script would have in its environment."""
    monkeypatch.setenv("DBT_CLOUD_API_TOKEN", TOKEN)
    monkeypatch.setenv("DBT_CLOUD_HOST", api.url)
    monkeypatch.setenv("DBT_CLOUD_ACCOUNT_ID", ACCOUNT)
    return api


@pytest.fixture
def runner(connected: RecordedApi) -> Iterator[DbtCloudRunner]:
    with DbtCloudRunner() as instance:
        yield instance


def has_wait_option() -> bool:
    """`job run --wait` (branch issue-4) is in the click tree."""
    job = cli.get_command(click.Context(cli), "job")
    run = job.get_command(click.Context(job), "run") if isinstance(job, click.Group) else None
    return run is not None and any(param.name == "wait" for param in run.params)


# --- what invoke answers ---------------------------------------------------------------------------


def test_a_successful_command_answers_with_typed_models_and_prints_nothing(
    runner: DbtCloudRunner, connected: RecordedApi, capsys: pytest.CaptureFixture[str]
) -> None:
    result = runner.invoke(["job", "get", "--job-id", "43167"])
    assert result == RunnerResult(True, result.result, None, 0)
    assert isinstance(result.result, Job)
    assert result.result.id == 43167
    assert result.result.execute_steps == sample("job_get_response")["data"]["execute_steps"]
    assert result.result.cron_humanized == sample("job_get_response")["data"]["cron_humanized"], "unknown fields kept"
    assert capsys.readouterr() == ("", "")


def test_a_list_answers_with_a_list_of_models(runner: DbtCloudRunner, connected: RecordedApi) -> None:
    connected.add_runs(3, job_definition_id=9)
    result = runner.invoke(["run", "list", "--job-id", "9"])
    assert result.success
    assert [type(run) for run in result.result] == [Run, Run, Run]
    assert [run.id for run in result.result] == [3, 2, 1]  # newest first


def test_an_artifact_answers_with_its_bytes(runner: DbtCloudRunner, connected: RecordedApi) -> None:
    result = runner.invoke(["run", "get-artifact", "--run-id", "1", "--path", "manifest.json"])
    assert result.success
    assert result.result == connected.artifacts["manifest.json"]


def test_the_api_refusing_is_an_exception_with_exit_code_1(runner: DbtCloudRunner, connected: RecordedApi) -> None:
    refused = runner.invoke(["job", "get", "--job-id", "1", "--api-token", "wrong-token"])
    assert (refused.success, refused.exit_code, refused.result) == (False, 1, None)
    assert isinstance(refused.exception, AuthenticationError)
    assert "wrong-token" not in str(refused.exception)
    connected.fail_next(Reply.json(envelope(None, 404, "Not found."), 404), path="/jobs/7/")
    missing = runner.invoke(["job", "get", "--job-id", "7"])
    assert isinstance(missing.exception, NotFoundError)
    assert missing.exit_code == 1


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (["job", "get", "--job-id", "not-a-number"], click.BadParameter),
        (["job", "no-such-command"], click.UsageError),
        (["job", "get", "--no-such-option"], click.NoSuchOption),
        ([], click.UsageError),
    ],
)
def test_bad_arguments_are_an_exception_with_exit_code_2_and_never_exit(
    runner: DbtCloudRunner, connected: RecordedApi, args: list[str], kind: type[Exception]
) -> None:
    result = runner.invoke(args)  # a SystemExit here would end the test with an error
    assert (result.success, result.exit_code) == (False, 2)
    assert isinstance(result.exception, kind)
    assert connected.requests == [], "nothing was sent"


def test_a_missing_setting_is_a_usage_error(runner: DbtCloudRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBT_CLOUD_API_TOKEN")
    result = runner.invoke(["job", "get", "--job-id", "1"])
    assert isinstance(result.exception, ConfigError)
    assert result.exit_code == 2


def test_help_and_version_are_answers_not_prints(runner: DbtCloudRunner, capsys: pytest.CaptureFixture[str]) -> None:
    help_result = runner.invoke(["run", "list", "--help"])
    assert help_result.success
    assert help_result.result.startswith("Usage: dbt-cloud run list [OPTIONS]")
    assert "--job-id" in help_result.result
    group_help = runner.invoke(["job", "-h"])
    assert "Usage: dbt-cloud job [OPTIONS] COMMAND" in group_help.result
    version = runner.invoke(["--version"])
    assert version.success
    assert version.result.startswith("dbt-cloud ")
    assert capsys.readouterr() == ("", "")


@pytest.fixture
def failing_run_group() -> Iterator[None]:
    """A command that, like `job run --wait` on a run that errored, prints the run and then raises
    RunFailedError: how the runner tells an outcome from an exception, without waiting for issue-4."""

    def print_errored_run(invocation: Invocation) -> None:
        answer = invocation.client.send(invocation.model)
        run = {**answer.data, "status": 20, "status_humanized": "Error", "is_success": False, "is_error": True}
        errored = {**answer.document, "data": run}
        invocation.print(errored)
        raise RunFailedError(f"Run {run['id']} ended with status Error")

    cli.add_command(command_group("test-runs", "For tests.", [api_command("get", RunGet, action=print_errored_run)]))
    yield
    cli.commands.pop("test-runs")


@pytest.mark.usefixtures("failing_run_group")
def test_a_failed_run_is_an_outcome_not_an_exception(runner: DbtCloudRunner) -> None:
    result = runner.invoke(["test-runs", "get", "--run-id", "36053848"])
    assert (result.success, result.exception, result.exit_code) == (False, None, 1)
    assert isinstance(result.result, Run)
    assert (result.result.id, result.result.status, result.result.is_error) == (36053848, 20, True)


# --- keyword arguments -------------------------------------------------------------------------------


def test_keyword_arguments_override_flags_and_are_converted_like_typed_values(
    runner: DbtCloudRunner, connected: RecordedApi
) -> None:
    result = runner.invoke(
        ["job", "run", "--job-id", "1", "--cause", "from args"],
        job_id=43167,
        cause="from kwargs",
        steps_override=["dbt seed", "dbt run"],
        threads_override="4",
    )
    assert result.success, result.exception
    (sent,) = connected.requests_to("POST", r"/jobs/\d+/run/$")
    assert sent.path.endswith("/jobs/43167/run/")
    assert sent.body == {"cause": "from kwargs", "steps_override": ["dbt seed", "dbt run"], "threads_override": 4}


def test_a_keyword_argument_sets_a_flag_and_a_root_option(runner: DbtCloudRunner, connected: RecordedApi) -> None:
    connected.add_runs(5)
    connected.page_cap = 2
    result = runner.invoke(["run", "list"], all_pages=True, limit=2)
    assert [run.id for run in result.result] == [5, 4, 3, 2, 1]
    connected.fail_next(Reply(503), times=5, path="/runs/")
    no_retries = runner.invoke(["run", "list"], max_retries=0)
    assert no_retries.exit_code == 1
    assert len(connected.requests_to("GET", "/runs/$")) == 3 + 1, "one attempt, no retry"


def test_an_unknown_keyword_argument_is_refused_before_anything_is_sent(
    runner: DbtCloudRunner, connected: RecordedApi
) -> None:
    result = runner.invoke(["job", "get", "--job-id", "1"], jobid=2)
    assert isinstance(result.exception, click.UsageError)
    assert "jobid" in str(result.exception)
    assert result.exit_code == 2
    assert connected.requests == []


def test_a_bad_keyword_value_is_reported_by_its_option(runner: DbtCloudRunner, connected: RecordedApi) -> None:
    result = runner.invoke(["job", "get"], job_id="forty-two")
    assert isinstance(result.exception, click.BadParameter)
    assert connected.requests == []


# --- output on request, callbacks ----------------------------------------------------------------------


def test_stdout_and_stderr_get_what_the_command_line_prints_when_asked(connected: RecordedApi, tmp_path) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    with DbtCloudRunner(stdout=stdout, stderr=stderr) as runner:
        runner.invoke(["job", "get", "--job-id", "43167"])
        target = tmp_path / "run.json"
        written = runner.invoke(["job", "run", "--job-id", "43167", "-f", str(target)])
    assert json.loads(stdout.getvalue()) == sample("job_get_response")
    assert json.loads(target.read_text()) == sample("job_run_response"), "-f still writes its file"
    assert isinstance(written.result, Run)
    assert f"Wrote the answer to {target}" in stderr.getvalue()


def test_callbacks_receive_the_events_in_order(connected: RecordedApi) -> None:
    connected.add_runs(5)
    connected.page_cap = 2
    events: list[Event] = []
    with DbtCloudRunner(callbacks=[events.append]) as runner:
        runner.invoke(["job", "get", "--job-id", "43167"])
        get_events = list(events)
        events.clear()
        runner.invoke(["run", "list", "--all", "--limit", "2"])
    assert [type(event) for event in get_events] == [RequestSent, ResponseReceived]
    assert get_events[0].url.endswith("/jobs/43167/")
    assert all("Token ****" in value for name, value in get_events[0].headers if name == "Authorization")
    pages = [event for event in events if isinstance(event, PageFetched)]
    assert sorted(page.offset for page in pages) == [0, 2, 4]
    assert {page.total_count for page in pages} == {5}


def first_status_change(events: list[Event]) -> int:
    return next(i for i, e in enumerate(events) if isinstance(e, RunStatusChanged))


@pytest.mark.skipif(not has_wait_option(), reason="`job run --wait` lands with branch issue-4")
def test_callbacks_receive_the_ordered_events_of_a_wait(connected: RecordedApi) -> None:
    statuses = iter([(1, "Queued"), (3, "Running"), (3, "Running"), (10, "Success")])

    def scripted_run(api: RecordedApi, request: Any, match: re.Match[str]) -> Reply:
        status, name = next(statuses)
        run = {**sample("run_get_response")["data"], "status": status, "status_humanized": name}
        run.update(is_complete=status >= 10, is_success=status == 10, in_progress=status < 10)
        return Reply.json(envelope(run))

    connected.routes.insert(0, ("GET", re.compile(r"^/api/v2/accounts/(\d+)/runs/(\d+)/$"), scripted_run))
    events: list[Event] = []
    with DbtCloudRunner(callbacks=[events.append]) as runner:
        result = runner.invoke(["job", "run", "--job-id", "43167"], wait=True, poll_interval=0.01)
    assert result.success, result.exception
    assert isinstance(result.result, Run)
    assert result.result.status == 10
    assert isinstance(events[0], RequestSent)
    assert events[0].method == "POST"
    changes = [(e.status, e.previous_status) for e in events if isinstance(e, RunStatusChanged)]
    assert changes == [(1, None), (3, 1), (10, 3)]
    assert isinstance(events[-2], RunFinished)
    assert events[-2].status == 10
    # The wait is a section of the CLI's status output (a GitHub log folds it), around the run's events.
    assert events[-1] == SectionEnded("Waiting for run 34929305")
    assert events.index(SectionStarted("Waiting for run 34929305")) < first_status_change(events)
    first_change = next(i for i, e in enumerate(events) if isinstance(e, RunStatusChanged))
    assert isinstance(events[first_change - 1], ResponseReceived), "each change follows the poll that saw it"


@pytest.mark.skipif(not has_wait_option(), reason="`job run --wait` lands with branch issue-4")
def test_a_run_that_errors_while_waited_for_is_an_outcome(connected: RecordedApi) -> None:
    def errored_run(api: RecordedApi, request: Any, match: re.Match[str]) -> Reply:
        run = {**sample("run_get_response")["data"], "status": 20, "status_humanized": "Error"}
        run.update(is_complete=True, is_success=False, is_error=True)
        return Reply.json(envelope(run))

    connected.routes.insert(0, ("GET", re.compile(r"^/api/v2/accounts/(\d+)/runs/(\d+)/$"), errored_run))
    with DbtCloudRunner() as runner:
        result = runner.invoke(["job", "run", "--job-id", "43167", "--wait"], poll_interval=0.01)
    assert (result.success, result.exception, result.exit_code) == (False, None, 1)
    assert isinstance(result.result, Run)
    assert result.result.status == 20


# --- a client given to the runner, threads -----------------------------------------------------------


def test_a_given_client_supplies_settings_and_its_connection_pool(
    api: RecordedApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBT_CLOUD_API_TOKEN", "someone-elses-token")
    monkeypatch.setenv("DBT_CLOUD_ACCOUNT_ID", "999")
    monkeypatch.setenv("DBT_CLOUD_HOST", "http://127.0.0.1:9")
    settings = Settings(api_token=TOKEN, base_url=api.url, account_id=123456, max_retries=0)
    with DbtCloudClient(settings) as client:
        pools: list[object] = []
        original = client.with_options

        def spy(**options: Any) -> DbtCloudClient:
            made = original(**options)
            pools.append(made._http)
            return made

        monkeypatch.setattr(client, "with_options", spy)
        runner = DbtCloudRunner(client)
        result = runner.invoke(["job", "get", "--job-id", "43167"])
        overridden = runner.invoke(["job", "get", "--job-id", "43167", "--account-id", "5"])
    assert result.success, result.exception
    (first, second) = api.requests_to("GET", r"/jobs/43167/$")
    assert first.path.startswith("/api/v2/accounts/123456/"), "the client's account, not the environment's"
    assert first.headers["authorization"] == f"Token {TOKEN}"
    assert overridden.success
    assert second.path.startswith("/api/v2/accounts/5/"), "args still win"
    assert pools == [client._http, client._http]


def test_thirty_two_threads_share_one_runner_and_one_pool(
    local_runner: LocalRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Against the bundled local runner: 32 calls in flight at once, each with its own job."""
    for name, value in local_runner.env().items():
        monkeypatch.setenv(name, value)
    jobs = local_runner.seed_jobs(32, name="Threads")
    runs = {job: local_runner.seed_runs(job, 2) for job in jobs}
    pools_made: list[object] = []
    real_client = httpx.Client

    def counting_client(*args: Any, **kwargs: Any) -> httpx.Client:
        made = real_client(*args, **kwargs)
        pools_made.append(made)
        return made

    monkeypatch.setattr("dbt_cloud.http.client.httpx.Client", counting_client)
    events: list[Event] = []
    lock = threading.Lock()

    def callback(event: Event) -> None:
        with lock:
            events.append(event)

    runner = DbtCloudRunner(callbacks=[callback])
    start = threading.Barrier(32)

    def one(job: int) -> RunnerResult:
        start.wait()  # all 32 calls in flight together
        if job % 2:
            return runner.invoke(["run", "list", "--job-id", str(job)])
        return runner.invoke(["run", "list", "--job-id", "999999"], job_id=job)  # the keyword wins

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(one, jobs))
    runner.close()
    for job, result in zip(jobs, results, strict=True):
        assert result.success, result.exception
        assert [run.job_definition_id for run in result.result] == [job, job]
        assert sorted(run.id for run in result.result) == sorted(runs[job])
    assert len(pools_made) == 1, "one connection pool for every call"
    asked = sorted(
        int(re.search(r"job_definition_id=(\d+)", event.url).group(1))  # type: ignore[union-attr]
        for event in events
        if isinstance(event, RequestSent)
    )
    assert asked == sorted(jobs), "one request per call, each for its own job"


def test_root_options_given_to_a_call_override_the_clients_settings(api: RecordedApi) -> None:
    settings = Settings(api_token=TOKEN, base_url=api.url, account_id=123456, max_retries=0)
    api.fail_next(Reply(503), path="/jobs/43167/")
    with DbtCloudClient(settings) as client:
        refused = DbtCloudRunner(client).invoke(["job", "get", "--job-id", "43167"])
        api.fail_next(Reply(503), times=2, path="/jobs/43167/")
        retried = DbtCloudRunner(client).invoke(
            ["--max-retries", "1", "job", "get", "--job-id", "43167"], max_retries=2
        )
    assert refused.exit_code == 1, "the client's max_retries=0: one attempt"
    assert retried.success, retried.exception
    assert len(api.requests_to("GET", r"/jobs/43167/$")) == 1 + 3
