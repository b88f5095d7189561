"""The typed client, sync and async, against a real HTTP server: commands as calls, typed answers,
lists that page by themselves, updates that change only what is given, and the shared retry policy."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from dbt_cloud import AsyncDbtCloud, DbtCloud
from dbt_cloud.api.operations.job import JobRun
from dbt_cloud.api.operations.run import RunGet, RunList
from dbt_cloud.api.resources import ApiObject, Job, Run
from dbt_cloud.errors import InputError, NotFoundError
from dbt_cloud.events import Event, PageFetched, RequestSent, RetryScheduled
from tests.conftest import TOKEN
from tests.support.local_runner import LocalRunner
from tests.support.recorded_api import RecordedApi, Reply, envelope, sample


@pytest.fixture
def events() -> list[Event]:
    return []


@pytest.fixture
def cloud(api: RecordedApi, events: list[Event]) -> Iterator[DbtCloud]:
    with DbtCloud(token=TOKEN, account_id=123456, host=api.url, on_event=events.append) as client:
        yield client


def test_a_command_is_a_call_of_its_group_answering_with_a_model(cloud: DbtCloud, api: RecordedApi) -> None:
    job = cloud.job.get(job_id=43167)
    assert isinstance(job, Job)
    assert (job.id, job.name) == (43167, sample("job_get_response")["data"]["name"])
    run = cloud.job.run(job_id=43167, cause="deploy", steps_override=["dbt build"])
    assert isinstance(run, Run)
    assert run.status == 10
    (sent,) = api.requests_to("POST", r"/jobs/43167/run/$")
    assert sent.path.startswith("/api/v2/accounts/123456/"), "the account comes from the client"
    assert sent.body == {"cause": "deploy", "steps_override": ["dbt build"]}
    assert cloud.run.list_artifacts(run_id=1) == sample("run_list_artifacts_response")["data"]
    assert cloud.run.get_artifact(run_id=1, path="manifest.json") == api.artifacts["manifest.json"]


def test_the_settings_come_from_the_environment_when_not_given(
    api: RecordedApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBT_CLOUD_API_TOKEN", TOKEN)
    monkeypatch.setenv("DBT_CLOUD_HOST", api.url)
    monkeypatch.setenv("DBT_CLOUD_ACCOUNT_ID", "77")
    with DbtCloud() as cloud:
        cloud.job.get(job_id=1)
    assert api.requests[0].path == "/api/v2/accounts/77/jobs/1/"


def test_bad_arguments_are_reported_by_field_before_anything_is_sent(cloud: DbtCloud, api: RecordedApi) -> None:
    with pytest.raises(InputError) as raised:
        cloud.job.run(jobid=1, threads_override=0)
    message = str(raised.value)
    assert "missing job_id" in message
    assert "unknown argument jobid" in message
    assert "threads_override" in message
    with pytest.raises(AttributeError, match="no command 'launch'"):
        cloud.job.launch  # noqa: B018
    with pytest.raises(AttributeError, match="no command group 'jobz'"):
        cloud.jobz  # noqa: B018
    with pytest.raises(AttributeError, match="no command group 'local'"):
        cloud.local  # noqa: B018  (a group of the command line that sends no command model)
    assert {"job", "run", "audit_log"} <= set(dir(cloud))
    assert not {"local", "configure"} & set(dir(cloud))
    assert api.requests == []


def test_errors_are_the_same_classes_as_on_the_command_line(cloud: DbtCloud, api: RecordedApi) -> None:
    api.fail_next(Reply.json(envelope(None, 404, "Not found."), 404))
    with pytest.raises(NotFoundError):
        cloud.run.get(run_id=5)


def test_a_list_pages_by_itself_as_iteration_reaches_each_page(
    cloud: DbtCloud, api: RecordedApi, events: list[Event]
) -> None:
    api.add_runs(250)
    api.page_cap = 40  # the server serves less than asked: the walk steps by what it got
    pager = cloud.run.list()
    assert api.requests == [], "nothing is fetched before iteration"
    first = next(iter(pager))
    assert first.id == 250, "runs are listed newest first"
    assert len(api.requests) == 1
    runs = list(pager)
    assert [run.id for run in runs] == list(range(250, 0, -1))
    assert all(isinstance(run, Run) for run in runs)
    assert pager.total_count == 250
    offsets = [event.offset for event in events if isinstance(event, PageFetched)]
    assert offsets[1:] == list(range(0, 250, 40))


def test_a_list_starts_at_its_offset_and_pages_by_its_limit(cloud: DbtCloud, api: RecordedApi) -> None:
    api.add_runs(7, job_definition_id=3)
    runs = list(cloud.run.list(job_id=3, offset=2, limit=2, order_by="id"))
    assert [run.id for run in runs] == [3, 4, 5, 6, 7]
    assert [r.query["offset"] for r in api.requests_to("GET", "/runs/$")] == [["2"], ["4"], ["6"]]


def test_update_changes_only_what_is_given(cloud: DbtCloud, api: RecordedApi) -> None:
    job = cloud.job.update(job_id=43167, name="Renamed", settings={"threads": 8})
    (sent,) = api.requests_to("POST", r"/jobs/43167/$")
    current = sample("job_get_response")["data"]
    assert sent.body == {**current, "name": "Renamed", "settings": {**current["settings"], "threads": 8}}
    assert isinstance(job, Job)
    assert job.name == "Renamed"


def test_execute_sends_a_model_built_by_hand(cloud: DbtCloud, api: RecordedApi) -> None:
    run = cloud.execute(JobRun(account_id=5, job_id=43167, cause="by hand"))
    assert isinstance(run, Run)
    assert api.requests[0].path == "/api/v2/accounts/5/jobs/43167/run/"
    built = cloud.build(RunGet, run_id=9)
    assert built == RunGet(account_id=123456, run_id=9)
    assert list(cloud.paginate(cloud.build(RunList))) == [], "no runs yet"


def test_the_discovery_api_answers_with_an_object(cloud: DbtCloud) -> None:
    answer = cloud.metadata.query(query="{ job(id: 43167) { id } }")
    assert isinstance(answer, ApiObject)
    assert answer.job == {"id": 43167, "models": [{"name": "customers"}]}


def test_wait_returns_the_finished_run(cloud: DbtCloud, api: RecordedApi) -> None:
    run = cloud.job.run(job_id=43167)
    finished = cloud.wait(run, timeout=60)
    assert isinstance(finished, Run)
    assert finished.is_complete
    assert api.requests_to("GET", rf"/runs/{run.id}/$"), "it polled the run the trigger started"


# --- async ---------------------------------------------------------------------------------------------


def test_the_async_client_lists_across_pages(api: RecordedApi) -> None:
    api.add_runs(230, job_definition_id=4)
    api.add_runs(3, job_definition_id=5)
    events: list[Event] = []

    async def main() -> tuple[list[Any], list[Any], int | None]:
        async with AsyncDbtCloud(token=TOKEN, account_id=123456, host=api.url, on_event=events.append) as cloud:
            pager = cloud.run.list(job_id=4)
            runs = [run async for run in pager]
            pages = [page async for page in cloud.run.list(job_id=4, limit=100).pages()]
            return runs, pages, pager.total_count

    runs, pages, total = asyncio.run(main())
    assert [run.id for run in runs] == list(range(230, 0, -1))  # newest first
    assert all(isinstance(run, Run) for run in runs)
    assert total == 230
    assert [len(page) for page in pages] == [100, 100, 30]
    assert [e.offset for e in events if isinstance(e, PageFetched)] == [0, 100, 200, 0, 100, 200]


def test_the_async_client_lists_250_runs_of_the_local_runner(local_runner: LocalRunner) -> None:
    job = local_runner.seed_jobs(1, name="Async paging")[0]
    seeded = local_runner.seed_runs(job, 250)
    events: list[Event] = []

    async def main() -> list[Any]:
        async with AsyncDbtCloud(
            token=local_runner.token,
            account_id=local_runner.account_id,
            host=local_runner.base_url,
            on_event=events.append,
        ) as cloud:
            return [run async for run in cloud.run.list(job_id=job, order_by="id")]

    runs = asyncio.run(main())
    assert [run.id for run in runs] == sorted(seeded)
    assert {run.job_definition_id for run in runs} == {job}
    assert all(isinstance(run, Run) and run.is_complete for run in runs)
    assert [(e.offset, e.count, e.total_count) for e in events if isinstance(e, PageFetched)] == [
        (0, 100, 250),
        (100, 100, 250),
        (200, 50, 250),
    ]


def test_the_async_client_shares_the_models_and_the_retry_policy(api: RecordedApi) -> None:
    api.fail_next(Reply(503), path="/jobs/43167/")
    events: list[Event] = []

    async def main() -> tuple[Any, Any, Any, bytes]:
        async with AsyncDbtCloud(token=TOKEN, account_id=123456, host=api.url, on_event=events.append) as cloud:
            job = await cloud.job.get(job_id=43167)
            run = await cloud.job.run(job_id=43167, cause="async")
            updated = await cloud.job.update(job_id=43167, name="Async")
            artifact = await cloud.run.get_artifact(run_id=1, path="manifest.json")
            return job, run, updated, artifact

    job, run, updated, artifact = asyncio.run(main())
    assert isinstance(job, Job)
    assert job.id == 43167
    assert isinstance(run, Run)
    assert run.status == 10
    assert isinstance(updated, Job)
    assert updated.name == "Async"
    assert artifact == api.artifacts["manifest.json"]
    retries = [event for event in events if isinstance(event, RetryScheduled)]
    assert [(r.reason, r.attempt) for r in retries] == [("HTTP 503", 1)]
    assert len(api.requests_to("GET", r"/jobs/43167/$")) == 3, "503, then the get, then the update's read"
    assert sum(isinstance(event, RequestSent) for event in events) == len(api.requests)


def test_one_client_serves_many_threads_at_once(cloud: DbtCloud, api: RecordedApi) -> None:
    for job in range(16):
        api.add_runs(3, job_definition_id=500 + job)
    api.page_cap = 2
    start = threading.Barrier(16)

    def runs_of(job: int) -> list[int | None]:
        start.wait()
        return [run.job_definition_id for run in cloud.run.list(job_id=500 + job)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(runs_of, range(16)))
    assert answers == [[500 + job] * 3 for job in range(16)]
