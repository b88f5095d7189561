"""The async twin of `DbtCloudClient`, for programs that live in an event loop.

It shares everything but the sending with the sync client (`ClientBase`): the settings, the retry
policy (the same `RetryPolicy` and `should_retry`, looped by tenacity's `AsyncRetrying`), the
events, the headers and the checks of an answer. Kept in its own module so that the command line
never imports asyncio.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from pathlib import Path

import httpx
from tenacity import AsyncRetrying

from dbt_cloud.api.operation import CommandModel, Request
from dbt_cloud.config import Settings
from dbt_cloud.errors import APIConnectionError
from dbt_cloud.events import DownloadProgress, EventHandler, FileSaved, RequestSent, ResponseReceived
from dbt_cloud.files import atomic_write
from dbt_cloud.http.body import abody_pieces
from dbt_cloud.http.client import (
    DEFAULT_HEADERS,
    PAGE_WORKERS,
    TOKEN_ONLY,
    ClientBase,
    _aread_bounded,
    _connection_error,
    _display_url,
    _status_error,
    answer_error,
)
from dbt_cloud.http.deadline import answer_deadline
from dbt_cloud.http.lifecycle import AsyncClosing
from dbt_cloud.http.pages import PageWalk, all_pages
from dbt_cloud.http.response import ApiResponse
from dbt_cloud.http.retry import RetryableStatusError, RetryPolicy, should_retry


def new_async_http_client(transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """A connection pool for one event loop; clients made with `with_options` share it."""
    from dbt_cloud.http.wire import fast_async_transport

    chosen = transport if transport is not None else fast_async_transport()
    return httpx.AsyncClient(transport=chosen, headers=DEFAULT_HEADERS, follow_redirects=True)


class AsyncDbtCloudClient(ClientBase, AsyncClosing):
    """`DbtCloudClient` for asyncio: `await client.send(model)`."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        on_event: EventHandler | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        http: httpx.AsyncClient | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        super().__init__(settings, on_event=on_event, retry_policy=retry_policy)
        self._sleep = sleep
        self._owns_http = http is None
        self._http = http if http is not None else new_async_http_client(transport)

    def with_options(
        self, *, settings: Settings | None = None, on_event: EventHandler | None = None
    ) -> AsyncDbtCloudClient:
        """A client on this one's connection pool with other settings or event handler."""
        return AsyncDbtCloudClient(
            settings or self.settings,
            on_event=on_event if on_event is not None else self._on_event,
            sleep=self._sleep,
            http=self._http,
            retry_policy=self._given_retry_policy,
        )

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def send(self, command: CommandModel) -> ApiResponse:
        """Send one command and return its checked answer."""
        return await self.send_request(command.request(), envelope=command.operation.envelope)

    async def send_request(self, request: Request, *, envelope: bool | None = True) -> ApiResponse:
        url = self._url(request)
        response = await self._send_with_retries(request, url)
        return self._checked(response, request, url, envelope=envelope)

    async def send_all(self, command: CommandModel) -> ApiResponse:
        """Every page of a list, as the sync client's `send_all`: the first page, then the others
        at once on this event loop once the total is known."""
        return await self.send_all_request(command.request(), envelope=command.operation.envelope)

    async def send_all_request(self, request: Request, *, envelope: bool | None = True) -> ApiResponse:
        walk = PageWalk(request.params)

        async def page(offset: int | None = None) -> ApiResponse:
            return await self.send_request(
                replace(request, params=walk.params(request.params, offset)), envelope=envelope
            )

        first = await page()
        event, items = walk.take(first)
        self._emit(event)
        if walk.total is not None:
            offsets = walk.planned()
            answers: list[ApiResponse] = []
            for start in range(0, len(offsets), PAGE_WORKERS):  # PAGE_WORKERS at a time, as the sync client
                batch = offsets[start : start + PAGE_WORKERS]
                answers.extend(await asyncio.gather(*(page(offset) for offset in batch)))
            for offset, answer in zip(offsets, answers, strict=True):
                event, fresh = walk.take(answer, offset=offset)
                self._emit(event)
                items.extend(fresh)
        else:
            while not walk.done:
                event, fresh = walk.take(await page())
                self._emit(event)
                items.extend(fresh)
        return all_pages(first, items, walk.total)

    async def download(self, request: Request, destination: Path) -> int:
        """Stream a raw answer (an artifact) to `destination`, complete or not at all (written
        under a temporary name and renamed when done). Returns the number of bytes written."""
        url = self._url(request)
        label = str(destination)
        with atomic_write(destination, durable=False) as handle:
            written = await self._stream_to(request, url, label, handle.write)
        self._emit(FileSaved(path=label, bytes_written=written))
        return written

    async def read_raw(self, request: Request) -> bytes:
        """A raw answer (an artifact file) read whole into memory."""
        url = self._url(request)
        label = request.path.rsplit("/", 1)[-1] or request.path
        chunks: list[bytes] = []
        await self._stream_to(request, url, label, chunks.append)
        return b"".join(chunks)

    async def _stream_to(self, request: Request, url: str, label: str, write: Callable[[bytes], object]) -> int:
        response = await self._send_with_retries(request, url, stream=True)
        expected = response.headers.get("content-length")
        total = int(expected) if expected and expected.isdigit() else None
        done = 0
        try:
            # Raw unless the server compressed them; a large raw body past the parser, as the sync client.
            encoding = response.headers.get("content-encoding", "").strip().lower()
            chunks = response.aiter_bytes() if encoding not in ("", "identity") else abody_pieces(response)
            async for chunk in chunks:
                write(chunk)
                done += len(chunk)
                self._emit(DownloadProgress(path=label, bytes_done=done, bytes_total=total))
        except httpx.TransportError as exc:
            raise _connection_error(exc, "GET", url, midway=True) from None
        except httpx.DecodingError as exc:
            raise answer_error(exc, "GET", url) from None
        finally:
            await response.aclose()
        if total is not None and done != total and "content-encoding" not in response.headers:
            raise APIConnectionError(f"The download of {label} stopped after {done} of {total} bytes")
        return done

    def _pool_headers(self) -> Mapping[str, str]:
        return self._http.headers

    def _retry_sleep(self) -> Callable[[float], Awaitable[None]]:
        """The policy's sleep where it has one (a test driving time), else this client's."""
        given = self.retry_policy.sleep
        if given is None:
            return self._sleep

        async def sleep(seconds: float) -> None:
            given(seconds)

        return sleep

    async def _send_with_retries(self, request: Request, url: str, *, stream: bool = False) -> httpx.Response:
        """The sync client's loop, awaited: a successful response, or the error of the last one."""
        method = request.method
        headers = self._headers(request.api)
        shown = self._shown_headers(headers)
        shown_url = _display_url(url, request.params)
        response: httpx.Response | None = None
        retrying = AsyncRetrying(sleep=self._retry_sleep(), **self._retry_options(method, shown_url))
        first_attempt = self.retry_policy.clock()
        try:
            async for attempt in retrying:
                with attempt, answer_deadline(self.settings.timeout):
                    self._emit(RequestSent(method, shown_url, attempt.retry_state.attempt_number, shown))
                    started = time.monotonic()
                    built = self._http.build_request(
                        method,
                        url,
                        params=request.params or None,
                        json=request.json,
                        headers=headers,
                        timeout=self._timeout,
                    )
                    # Streamed, then read within MAX_JSON_BYTES: see the sync client.
                    response = await self._http.send(built, stream=True, auth=TOKEN_ONLY)
                    self._emit(ResponseReceived(method, shown_url, response.status_code, time.monotonic() - started))
                    if should_retry(method, RetryableStatusError(response)):
                        await _aread_bounded(response, method)
                        raise RetryableStatusError(response)
                    if not stream:
                        await _aread_bounded(response, method)
        except RetryableStatusError as exc:
            response = exc.response
        except httpx.TransportError as exc:
            raise self._given_up(_connection_error(exc, method, url), retrying, first_attempt) from None
        except (httpx.DecodingError, httpx.TooManyRedirects) as exc:
            raise answer_error(exc, method, url) from None
        assert response is not None  # tenacity either returned after an attempt or raised
        if response.status_code >= 400:
            await response.aread()
            await response.aclose()
            raise self._given_up(_status_error(response, method), retrying, first_attempt)
        return response
