"""The client against a real server: retries (which, how often, how long), the envelope,
pagination with --all, streamed downloads, and every error becoming one line."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from dbt_cloud.api.operations.job import JobGet, JobRun
from dbt_cloud.api.operations.run import RunGetArtifact, RunList
from dbt_cloud.config import Settings
from dbt_cloud.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    InvalidResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from dbt_cloud.events import Event, PageFetched, RetryScheduled
from dbt_cloud.http.async_client import AsyncDbtCloudClient
from dbt_cloud.http.client import DbtCloudClient
from dbt_cloud.http.retry import RetryPolicy, retry_after_seconds
from tests.conftest import TOKEN
from tests.support.httpmock import StubRegistry
from tests.support.recorded_api import RecordedApi, Reply, envelope


@pytest.fixture
def events() -> list[Event]:
    return []


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(api: RecordedApi, events: list[Event], sleeps: list[float]) -> DbtCloudClient:
    settings = Settings(api_token=TOKEN, base_url=api.url, max_retries=3, timeout=2.0)
    with DbtCloudClient(settings, on_event=events.append, sleep=sleeps.append) as instance:
        yield instance


@pytest.fixture
def stubbed(http_stubs: StubRegistry, events: list[Event], sleeps: list[float]) -> Iterator[DbtCloudClient]:
    """A client whose answers are stubs: statuses on cue, each stub required to be asked for."""
    settings = Settings(api_token=TOKEN, base_url="http://127.0.0.1:9", max_retries=3, timeout=2.0)
    with DbtCloudClient(
        settings, transport=http_stubs.transport(), on_event=events.append, sleep=sleeps.append
    ) as instance:
        yield instance


JOB_1 = "/api/v2/accounts/1/jobs/1/"


def test_a_get_is_retried_on_each_retryable_status(stubbed: DbtCloudClient, http_stubs: StubRegistry, sleeps) -> None:
    bad_gateway = httpx.Response(502, content=b"<html>Bad Gateway</html>", headers={"Content-Type": "text/html"})
    ok = httpx.Response(200, json=envelope({"id": 43167}))
    job = http_stubs.add("GET", JOB_1, [httpx.Response(500), bad_gateway, httpx.Response(503), ok])
    answer = stubbed.send(JobGet(account_id=1, job_id=1))
    assert answer.data["id"] == 43167
    assert len(job.requests) == 4
    assert len(sleeps) == 3
    assert all(0 < pause <= 8 for pause in sleeps)


def test_retries_stop_at_the_maximum_and_report_the_last_status(stubbed, http_stubs: StubRegistry) -> None:
    job = http_stubs.add("GET", JOB_1, 503)
    with pytest.raises(ServerError) as caught:
        stubbed.send(JobGet(account_id=1, job_id=1))
    assert caught.value.status_code == 503
    assert len(job.requests) == 4  # one try and three retries


def test_retry_after_is_obeyed(stubbed, http_stubs: StubRegistry, sleeps, events) -> None:
    slow_down = httpx.Response(429, json=envelope(None, 429, "slow down"), headers={"Retry-After": "2"})
    http_stubs.add("GET", JOB_1, [slow_down, httpx.Response(200, json=envelope({"id": 43167}))])
    stubbed.send(JobGet(account_id=1, job_id=1))
    assert sleeps == [2.0]
    (retry,) = [e for e in events if isinstance(e, RetryScheduled)]
    assert retry.reason == "HTTP 429"
    assert retry.wait_seconds == 2.0


def test_a_trigger_is_retried_after_429_because_the_server_did_not_act(client, api: RecordedApi) -> None:
    api.fail_next(Reply.json(envelope(None, 429), 429, {"Retry-After": "0"}), method="POST")
    client.send(JobRun(account_id=1, job_id=5))
    assert len(api.requests_to("POST", "/jobs/5/run/$")) == 2


@pytest.mark.parametrize("reply", [Reply(500), Reply(502), Reply(503), Reply(504), Reply(200, drop=True)])
def test_a_trigger_is_never_resent_once_the_server_may_have_acted(client, api: RecordedApi, reply: Reply) -> None:
    api.fail_next(reply, method="POST")
    with pytest.raises((ServerError, APIConnectionError)):
        client.send(JobRun(account_id=1, job_id=5))
    assert len(api.requests_to("POST", "/jobs/5/run/$")) == 1, "exactly one run may have been created"


def test_a_read_is_retried_after_a_dropped_connection(client, api: RecordedApi) -> None:
    api.fail_next(Reply(200, drop=True), path="/jobs/1/")
    assert client.send(JobGet(account_id=1, job_id=1)).data["id"] == 43167
    assert len(api.requests_to("GET", "/jobs/1/$")) == 2


def test_a_trigger_is_retried_when_the_connection_was_refused(sleeps, http_stubs: StubRegistry) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    stub = http_stubs.add(
        "POST", "/api/v2/accounts/1/jobs/5/run/", [refuse, refuse, httpx.Response(200, json=envelope({"id": 1}))]
    )
    settings = Settings(api_token=TOKEN, base_url="http://127.0.0.1:9", max_retries=3)
    with DbtCloudClient(settings, transport=http_stubs.transport(), sleep=sleeps.append) as client:
        assert client.send(JobRun(account_id=1, job_id=5)).data == {"id": 1}
    assert len(stub.requests) == 3


def test_a_stalled_server_times_out(api: RecordedApi, sleeps) -> None:
    api.fail_next(Reply(200, delay=1.0), times=5)
    settings = Settings(api_token=TOKEN, base_url=api.url, max_retries=1, timeout=0.2)
    with DbtCloudClient(settings, sleep=sleeps.append) as client, pytest.raises(APITimeoutError, match="timed out"):
        client.send(JobGet(account_id=1, job_id=1))


def test_connection_refused_and_unknown_host_are_connection_errors(sleeps) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    refused = Settings(api_token=TOKEN, base_url=f"http://127.0.0.1:{port}", max_retries=1)
    with DbtCloudClient(refused, sleep=sleeps.append) as client, pytest.raises(APIConnectionError, match="connect"):
        client.send(JobGet(account_id=1, job_id=1))
    unknown = Settings(api_token=TOKEN, base_url="https://no-such-host.invalid", max_retries=3)
    sleeps.clear()
    with (
        DbtCloudClient(unknown, sleep=sleeps.append) as client,
        pytest.raises(APIConnectionError, match="Unknown host"),
    ):
        client.send(JobGet(account_id=1, job_id=1))
    assert sleeps == [], "a name that does not resolve is not retried"


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (401, AuthenticationError, "Invalid token."),
        (403, PermissionDeniedError, "Access denied"),
        (404, NotFoundError, "not found"),
        (429, RateLimitError, "Too many"),
    ],
)
def test_each_status_has_its_error_class(client, api: RecordedApi, status: int, error: type, message: str) -> None:
    api.fail_next(Reply.json(envelope(None, status, message), status, {"Retry-After": "0"}), times=5)
    with pytest.raises(error) as caught:
        client.send(JobGet(account_id=1, job_id=1))
    assert message in caught.value.one_line()
    assert caught.value.status_code == status


def test_non_json_and_non_envelope_answers_are_invalid(client, api: RecordedApi) -> None:
    api.fail_next(Reply(200, b"<html>login</html>", {"Content-Type": "text/html"}))
    with pytest.raises(InvalidResponseError, match="text/html, not JSON"):
        client.send(JobGet(account_id=1, job_id=1))
    api.fail_next(Reply(200, b'{"status": {"code": 200}, "da', {"Content-Type": "application/json"}))
    with pytest.raises(InvalidResponseError, match="not JSON"):
        client.send(JobGet(account_id=1, job_id=1))
    api.fail_next(Reply.json({"hello": "world"}))
    with pytest.raises(InvalidResponseError, match="not an API envelope"):
        client.send(JobGet(account_id=1, job_id=1))


def test_an_answer_without_a_length_is_refused_once_it_outgrows_the_limit(
    client, api: RecordedApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("dbt_cloud.http.client.MAX_JSON_BYTES", 50_000)
    big = envelope({"id": 1, "description": "x" * 200_000})
    api.fail_next(dataclasses.replace(Reply.json(big), chunked=8192))
    with pytest.raises(InvalidResponseError, match="too large"):
        client.send(JobGet(account_id=1, job_id=1))
    # An answer under the limit, chunked the same way, reads whole.
    api.fail_next(dataclasses.replace(Reply.json(envelope({"id": 1, "name": "small"})), chunked=16))
    assert client.send(JobGet(account_id=1, job_id=1)).data == {"id": 1, "name": "small"}


def test_the_async_client_refuses_an_oversized_answer_too(api: RecordedApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dbt_cloud.http.client.MAX_JSON_BYTES", 50_000)
    api.fail_next(dataclasses.replace(Reply.json(envelope({"description": "x" * 200_000})), chunked=8192))

    async def fetch() -> None:
        settings = Settings(api_token=TOKEN, base_url=api.url, max_retries=0, timeout=2.0)
        async with AsyncDbtCloudClient(settings) as client:
            await client.send(JobGet(account_id=1, job_id=1))

    with pytest.raises(InvalidResponseError, match="too large"):
        asyncio.run(fetch())


def test_field_errors_of_a_400_are_in_the_message(client, api: RecordedApi) -> None:
    body = {
        "status": {"code": 400, "is_success": False, "user_message": "Invalid request"},
        "data": {"name": ["This field is required."]},
    }
    api.fail_next(Reply.json(body, 400))
    with pytest.raises(Exception, match=r"Invalid request. name: This field is required\."):
        client.send(JobRun(account_id=1, job_id=1))


def test_all_pages_arrive_in_order_without_duplicates(client, api: RecordedApi, events) -> None:
    api.add_runs(250)
    answer = client.send_all(RunList(account_id=1))
    ids = [run["id"] for run in answer.data]
    assert ids == list(range(250, 0, -1))  # newest first
    assert answer.document["extra"]["pagination"] == {"count": 250, "total_count": 250}
    assert "limit" not in answer.document["extra"]["filters"]
    offsets = sorted(e.offset for e in events if isinstance(e, PageFetched))
    assert offsets == [0, 100, 200]
    requested = sorted(int(r.query["offset"][0]) for r in api.requests_to("GET", "/runs/$"))
    assert requested == [0, 100, 200], "each page fetched once"


def test_all_pages_has_no_gaps_when_the_server_caps_the_page_size(client, api: RecordedApi) -> None:
    api.add_runs(95)
    api.page_cap = 30
    answer = client.send_all(RunList(account_id=1))
    assert [run["id"] for run in answer.data] == list(range(95, 0, -1))


def test_all_pages_respects_offset_order_and_smaller_page_size(client, api: RecordedApi) -> None:
    api.add_runs(57)
    answer = client.send_all(RunList(account_id=1, offset=5, limit=10, order_by="-id"))
    assert [run["id"] for run in answer.data] == list(range(52, 0, -1))
    assert len(api.requests_to("GET", "/runs/$")) == 6


def test_download_streams_to_the_file_and_replaces_it_whole(client, api: RecordedApi, tmp_path) -> None:
    api.artifacts["big.json"] = json.dumps({"rows": list(range(50_000))}).encode()
    target = tmp_path / "big.json"
    written = client.download(RunGetArtifact(account_id=1, run_id=2, path="big.json").request(), target)
    assert written == len(api.artifacts["big.json"])
    assert target.read_bytes() == api.artifacts["big.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["big.json"]


def test_a_failed_download_leaves_the_old_file_untouched(client, api: RecordedApi, tmp_path) -> None:
    target = tmp_path / "manifest.json"
    target.write_text("precious")
    with pytest.raises(NotFoundError):
        client.download(RunGetArtifact(account_id=1, run_id=2, path="missing.json").request(), target)
    api.artifacts["cut.json"] = b"x" * 200_000
    api.fail_next(Reply(200, api.artifacts["cut.json"], cut_after=1000), times=5, path="cut.json")
    with pytest.raises(APIConnectionError):
        client.download(RunGetArtifact(account_id=1, run_id=2, path="cut.json").request(), target)
    assert target.read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"], "no partial file is left"


def test_retry_after_forms() -> None:
    def response(value: str) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": value})

    assert retry_after_seconds(response("3")) == 3.0
    assert retry_after_seconds(response("0.5")) == 0.5
    assert retry_after_seconds(response("1000")) is None, "too long: use our own backoff"
    assert retry_after_seconds(response("soon")) is None
    future = datetime.now(timezone.utc) + timedelta(seconds=30)
    assert 25 <= (retry_after_seconds(response(format_datetime(future, usegmt=True))) or 0) <= 30


def test_backoff_grows_is_capped_and_jittered() -> None:
    policy = RetryPolicy()
    for number in range(1, 10):
        nominal = min(0.5 * 2 ** (number - 1), 8.0)
        for _ in range(20):
            assert 0.75 * nominal <= policy.backoff(number) <= nominal


def test_every_request_carries_auth_and_user_agent(client, api: RecordedApi) -> None:
    from dbt_cloud import __version__

    client.send(JobGet(account_id=1, job_id=1))
    (request,) = api.requests
    assert request.headers["authorization"] == f"Token {TOKEN}"
    assert request.headers["user-agent"].startswith(f"dbt-cloud/{__version__}")
