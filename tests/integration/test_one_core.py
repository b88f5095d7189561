"""The library below the command line (issue 16): the three bugs that two execution paths made,
each shown fixed. The `api` escape hatch goes through the normal invocation, so a program running
it in process gets its answer and events; the async client waits, pages and downloads on its own
transport (a MockTransport here: nothing else answers on 127.0.0.1:9)."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import httpx
import pytest

from dbt_cloud import AsyncDbtCloud
from dbt_cloud.api.operations.run import RunGetArtifact, RunList
from dbt_cloud.api.resources import Job, Run
from dbt_cloud.config import Settings
from dbt_cloud.events import Event, FileSaved, PageFetched, RequestSent, RunFinished, RunStatusChanged
from dbt_cloud.http.async_client import AsyncDbtCloudClient
from dbt_cloud.runner import DbtCloudRunner
from tests.conftest import TOKEN
from tests.support.httpmock import StubRegistry
from tests.support.recorded_api import RecordedApi, envelope

NOWHERE = "http://127.0.0.1:9"  # nothing listens: a request that left the transport would fail
RUN = "/api/v2/accounts/1/runs/7/"


def test_the_api_command_in_process_returns_its_answer_and_fires_events(
    api: RecordedApi, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DBT_CLOUD_API_TOKEN", TOKEN)
    monkeypatch.setenv("DBT_CLOUD_HOST", api.url)
    monkeypatch.setenv("DBT_CLOUD_ACCOUNT_ID", "123456")
    events: list[Event] = []
    shown = io.StringIO()
    with DbtCloudRunner(callbacks=[events.append], stdout=shown) as runner:
        result = runner.invoke(["api", "GET", "/api/v2/accounts/{account_id}/jobs/"])
    assert result.success, result.exception
    assert isinstance(result.result, list)
    assert result.result
    assert all(isinstance(job, Job) for job in result.result)
    assert json.loads(shown.getvalue())["data"][0]["id"] == result.result[0].id, "printed where it was asked"
    assert any(isinstance(event, RequestSent) for event in events)
    assert capfd.readouterr().out == "", "nothing on the real stdout"


def test_async_wait_polls_through_the_clients_transport_without_blocking_the_loop(
    http_stubs: StubRegistry,
) -> None:
    polls = http_stubs.add(
        "GET",
        RUN,
        [
            httpx.Response(200, json=envelope({"id": 7, "account_id": 1, "status": 3})),
            httpx.Response(200, json=envelope({"id": 7, "account_id": 1, "status": 10})),
        ],
    )
    events: list[Event] = []

    async def main() -> tuple[Run, int]:
        ticks = 0
        finished = False

        async def ticker() -> None:
            nonlocal ticks
            while not finished:
                ticks += 1
                await asyncio.sleep(0.05)

        cloud = AsyncDbtCloud(
            token=TOKEN, account_id=1, host=NOWHERE, transport=http_stubs.async_transport(), on_event=events.append
        )
        async with cloud:
            ticking = asyncio.create_task(ticker())
            run = await cloud.wait(7)
            finished = True
            await ticking
        return run, ticks

    run, ticks = asyncio.run(main())
    assert run.id == 7
    assert run.status == 10
    assert len(polls.requests) == 2
    assert ticks > 1, "the loop ran other work while the wait slept"
    assert [type(event) for event in events if isinstance(event, (RunStatusChanged, RunFinished))] == [
        RunStatusChanged,
        RunStatusChanged,
        RunFinished,
    ]


def _page(request: httpx.Request) -> httpx.Response:
    offset = int(request.url.params["offset"])
    limit = int(request.url.params["limit"])
    items = [{"id": n, "status": 10} for n in range(offset, min(offset + limit, 5))]
    return httpx.Response(200, json=envelope(items, extra={"pagination": {"count": len(items), "total_count": 5}}))


def test_async_send_all_fetches_every_page(http_stubs: StubRegistry) -> None:
    pages = http_stubs.add("GET", "/api/v2/accounts/1/runs/", _page)
    events: list[Event] = []

    async def main() -> list[int]:
        settings = Settings(api_token=TOKEN, base_url=NOWHERE)
        async with AsyncDbtCloudClient(
            settings, transport=http_stubs.async_transport(), on_event=events.append
        ) as client:
            answer = await client.send_all(RunList(account_id=1, limit=2))
        assert answer.total_count == 5
        return [item["id"] for item in answer.data]

    assert asyncio.run(main()) == [0, 1, 2, 3, 4]
    assert sorted(int(request.url.params["offset"]) for request in pages.requests) == [0, 2, 4]
    assert sum(event.count for event in events if isinstance(event, PageFetched)) == 5


def test_async_download_streams_to_a_file(http_stubs: StubRegistry, tmp_path: Path) -> None:
    body = b'{"nodes": {}}' * 1000
    http_stubs.add("GET", "/api/v2/accounts/1/runs/7/artifacts/manifest.json", httpx.Response(200, content=body))
    events: list[Event] = []
    target = tmp_path / "manifest.json"

    async def main() -> int:
        settings = Settings(api_token=TOKEN, base_url=NOWHERE)
        async with AsyncDbtCloudClient(
            settings, transport=http_stubs.async_transport(), on_event=events.append
        ) as client:
            return await client.download(RunGetArtifact(account_id=1, run_id=7, path="manifest.json").request(), target)

    assert asyncio.run(main()) == len(body)
    assert target.read_bytes() == body
    assert [event.bytes_written for event in events if isinstance(event, FileSaved)] == [len(body)]


def test_a_client_takes_the_retry_policy_it_is_given(http_stubs: StubRegistry) -> None:
    from dbt_cloud.api.operations.job import JobGet
    from dbt_cloud.errors import ServerError
    from dbt_cloud.http.client import DbtCloudClient
    from dbt_cloud.http.retry import RetryPolicy

    unavailable = http_stubs.add("GET", "/api/v2/accounts/1/jobs/5/", 503, json={"status": {"code": 503}})
    settings = Settings(api_token=TOKEN, base_url=NOWHERE, max_retries=3)
    waits: list[float] = []
    no_retries = RetryPolicy(max_retries=0)
    with (
        DbtCloudClient(
            settings, transport=http_stubs.transport(), sleep=waits.append, retry_policy=no_retries
        ) as client,
        pytest.raises(ServerError),
    ):
        client.send(JobGet(account_id=1, job_id=5))
    assert len(unavailable.requests) == 1, "the given policy, not the settings' three retries"
    assert waits == []
    with client.with_options(settings=settings) as derived:
        assert derived.retry_policy is no_retries, "a client made from it keeps it"
