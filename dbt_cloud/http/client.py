"""The HTTP client: auth, timeouts, retries, the envelope, pagination and streamed downloads.

Everything that touches the network goes through `DbtCloudClient`, so each of those concerns is
handled in exactly one place. The client knows nothing of click. It is safe to share between threads
(httpx's connection pool is), and it is imported only when a request is about to be sent, which keeps
`--help` from paying for httpx.
"""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

import httpx
from tenacity import BaseRetrying, RetryCallState, Retrying, retry_if_exception

from dbt_cloud.about import __version__
from dbt_cloud.api.operation import Api, CommandModel, Request
from dbt_cloud.config import Settings
from dbt_cloud.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    InvalidResponseError,
    NotTheApiError,
    status_error_class,
)
from dbt_cloud.events import (
    DownloadProgress,
    Event,
    EventHandler,
    FileSaved,
    RequestSent,
    ResponseReceived,
    RetryScheduled,
)
from dbt_cloud.files import atomic_write
from dbt_cloud.http.deadline import DEADLINE_MESSAGE, answer_deadline, deadline_passed
from dbt_cloud.http.lifecycle import Closing
from dbt_cloud.http.pages import PageWalk, all_pages
from dbt_cloud.http.response import ApiResponse as ApiResponse  # its home before dbt_cloud.http.response
from dbt_cloud.http.retry import (
    IDEMPOTENT_METHODS,
    RetryableStatusError,
    RetryPolicy,
    describe,
    is_permanent_connect_failure,
    never_reached_server,
    should_retry,
)
from dbt_cloud.urls import masked

USER_AGENT = f"dbt-cloud/{__version__} (+https://pypi.org/project/dbt-cloud/)"
DEFAULT_HEADERS = {"User-Agent": USER_AGENT, "Accept": "application/json"}
#: Pages fetched at once by --all: a page of dbt Cloud takes a good part of a second, and eight at a
#: time stay far inside its rate limit (about 5,000 requests a minute).
PAGE_WORKERS = 8
#: The request's own Authorization (the token) is what authenticates: without this, httpx would
#: replace it with Basic auth built from a user and password in the host URL.
TOKEN_ONLY = httpx.Auth()
#: A JSON answer larger than this is refused rather than held in memory (artifacts stream instead).
MAX_JSON_BYTES = 256 * 1024 * 1024


def new_http_client(transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """A connection pool. It is safe to share between threads, so a program needs one: clients
    made with `with_options` use the pool of the client they came from. Timeouts are set on each
    request (they belong to the settings of a call, not to the pool)."""
    from dbt_cloud.http.wire import fast_transport

    return httpx.Client(
        transport=transport if transport is not None else fast_transport(),
        headers=DEFAULT_HEADERS,
        follow_redirects=True,  # httpx drops Authorization when a redirect leaves the host
    )


class ClientBase:
    """What the sync client and its async twin (`dbt_cloud.http.async_client`) share: settings, the
    retry policy, the event stream, URLs and headers, and the checks every answer goes through.
    Only the sending differs."""

    def __init__(
        self, settings: Settings, *, on_event: EventHandler | None = None, retry_policy: RetryPolicy | None = None
    ) -> None:
        self.settings = settings
        #: Which failures are retried and how long to wait: the settings' retries and budget unless
        #: a policy is given (a program with its own limits, a test that must not wait).
        self.retry_policy = retry_policy or RetryPolicy(
            max_retries=settings.max_retries, budget_seconds=settings.retry_budget
        )
        self._given_retry_policy = retry_policy
        self._on_event = on_event
        self._timeout = httpx.Timeout(settings.timeout, connect=min(settings.timeout, 10.0))

    def emit(self, event: Event) -> None:
        """Hand an event to this client's handler: work built on the client (waiting for a run,
        paging) reports through the same stream as the requests it sends."""
        if self._on_event is not None:
            self._on_event(event)

    def _emit(self, event: Any) -> None:
        self.emit(event)

    def _url(self, request: Request) -> str:
        if request.api is Api.DISCOVERY:
            return self.settings.graphql_url
        return f"{self.settings.base_url}{request.path}"

    def _headers(self, api: Api = Api.ADMIN) -> dict[str, str]:
        # The Discovery API takes only the Bearer form; the Administrative API takes both.
        scheme = "Bearer" if api is Api.DISCOVERY else "Token"
        return {"Authorization": f"{scheme} {self.settings.require_token()}"}

    def _pool_headers(self) -> Mapping[str, str]:
        raise NotImplementedError

    def _shown_headers(self, headers: dict[str, str]) -> tuple[tuple[str, str], ...]:
        """Headers as the debug log shows them: credentials masked, never printed."""
        shown = {**dict(self._pool_headers()), **headers}
        masked = []
        for name, value in shown.items():
            if name.lower() in ("authorization", "proxy-authorization", "cookie"):
                scheme = value.split(" ", 1)[0] if " " in value else ""
                value = f"{scheme} ****".strip()
            masked.append((name, value))
        return tuple(masked)

    def _retry_options(self, method: str, url: str) -> dict[str, Any]:
        """The retry policy as tenacity's options, for `Retrying` and `AsyncRetrying` alike."""
        policy = self.retry_policy

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return policy.wait_for(state.attempt_number, exc)

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            self._emit(
                RetryScheduled(
                    method=method,
                    url=url,
                    attempt=state.attempt_number,
                    wait_seconds=state.upcoming_sleep,
                    reason=describe(exc) if exc else "unknown",
                )
            )

        return {
            "stop": policy.stopper(),
            "wait": wait,
            "retry": retry_if_exception(lambda exc: should_retry(method, exc)),
            "before_sleep": before_sleep,
            "reraise": True,
        }

    def _given_up(self, error: APIError, retrying: BaseRetrying, started: float) -> APIError:
        """The error of the last attempt, saying how long it was retried when it was: the one line
        then tells a budget that ran out from a first refusal."""
        attempts = retrying.statistics.get("attempt_number", 1)
        if isinstance(attempts, int) and attempts > 1:
            seconds = self.retry_policy.clock() - started
            took = f"{seconds:.1f}" if seconds < 10 else f"{seconds:.0f}"
            error.message = f"{error.message}; gave up after {attempts} attempts in {took} s"
        return error

    def _checked(self, response: httpx.Response, request: Request, url: str, *, envelope: bool | None) -> ApiResponse:
        """A read answer, checked: JSON, and the envelope (or GraphQL's errors) saying success.
        `envelope=None` checks the envelope only where the answer is one (`dbt-cloud api`, whose
        answer may be any JSON)."""
        document = _parse_json(response, request.method)
        if request.api is Api.DISCOVERY:
            _check_graphql(document, request.method, url)
        elif envelope is None:
            if isinstance(document, dict) and "data" in document:
                _check_envelope(document, response, request.method)
        elif envelope and document is not None:
            _check_envelope(document, response, request.method)
        return ApiResponse(document=document, status_code=response.status_code)


class DbtCloudClient(ClientBase, Closing):
    """One connection to dbt Cloud (or the local runner) with the settings of one invocation.

    Safe to use from several threads at once. `with_options` makes a client with other settings
    or another event handler on the same connection pool, which is how the programmatic runner
    serves many calls without opening new connections for each.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        on_event: EventHandler | None = None,
        sleep: Callable[[float], None] = time.sleep,
        http: httpx.Client | None = None,
        stdout: Callable[[], IO[bytes]] | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        super().__init__(settings, on_event=on_event, retry_policy=retry_policy)
        self._sleep = sleep
        self._owns_http = http is None
        self._http = http if http is not None else new_http_client(transport)
        #: Where `download(..., destination=None)` streams when given no sink: stdout, unless the
        #: program that made the client catches raw answers itself (the runner does).
        self._stdout = stdout

    def with_options(
        self,
        *,
        settings: Settings | None = None,
        on_event: EventHandler | None = None,
        stdout: Callable[[], IO[bytes]] | None = None,
    ) -> DbtCloudClient:
        """A client on this one's connection pool, with other settings, event handler or stdout
        (this one's when not given). Closing it leaves the pool open; closing this client closes it."""
        return DbtCloudClient(
            settings or self.settings,
            on_event=on_event if on_event is not None else self._on_event,
            sleep=self._sleep,
            http=self._http,
            stdout=stdout or self._stdout,
            retry_policy=self._given_retry_policy,
        )

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    # -- public operations --------------------------------------------------------------------

    def send(self, command: CommandModel) -> ApiResponse:
        """Send one command and return its checked answer."""
        return self.send_request(command.request(), envelope=command.operation.envelope)

    def send_request(self, request: Request, *, envelope: bool | None = True) -> ApiResponse:
        url = self._url(request)
        response = self._send_with_retries(
            request.method, url, params=request.params, json=request.json, headers=self._headers(request.api)
        )
        return self._checked(response, request, url, envelope=envelope)

    def send_all(self, command: CommandModel) -> ApiResponse:
        """Every page of a list, fetched concurrently once the total is known, in order, without
        duplicates. The answer looks like one page holding everything."""
        return self.send_all_request(command.request(), envelope=command.operation.envelope)

    def send_all_request(self, request: Request, *, envelope: bool | None = True) -> ApiResponse:
        """`send_all` for a request given by its parts (`dbt-cloud api --all`): pages are the same
        request with `limit` and `offset` set; once the first page tells the total, the others are
        fetched at once."""
        walk = PageWalk(request.params)

        def page(offset: int | None = None) -> ApiResponse:
            return self.send_request(replace(request, params=walk.params(request.params, offset)), envelope=envelope)

        first = page()
        event, items = walk.take(first)
        self._emit(event)
        if walk.total is not None:
            offsets = walk.planned()
            with ThreadPoolExecutor(max_workers=PAGE_WORKERS) as pool:
                answers = list(pool.map(page, offsets))
            for offset, answer in zip(offsets, answers, strict=True):
                event, fresh = walk.take(answer, offset=offset)
                self._emit(event)
                items.extend(fresh)
        else:
            while not walk.done:  # no total to plan with: page by page until a short page
                event, fresh = walk.take(page())
                self._emit(event)
                items.extend(fresh)
        return all_pages(first, items, walk.total)

    def download(
        self,
        request: Request,
        destination: Path | None,
        *,
        stdout: IO[bytes] | None = None,
    ) -> int:
        """Stream a raw answer (an artifact) to `destination`, or to stdout when it is None.

        The file is written beside the destination under a temporary name and renamed only when
        complete: an error or an interrupted download never leaves a partial or overwritten file.
        Returns the number of bytes written.
        """
        url = self._url(request)
        if destination is None:
            sink = stdout or (self._stdout() if self._stdout is not None else sys.stdout.buffer)
            with self._stream_with_retries(url, request.params) as response:
                return self._copy(response, sink, "-")
        # Not fsync'ed: an artifact can be fetched again, and flushing a gigabyte to disk would
        # double the time of a download. The rename still means no partial file under its name.
        with (
            atomic_write(destination, durable=False) as handle,
            self._stream_with_retries(url, request.params) as response,
        ):
            written = self._copy(response, handle, str(destination))
        self._emit(FileSaved(path=str(destination), bytes_written=written))
        return written

    def read_raw(self, request: Request) -> bytes:
        """A raw answer (an artifact file) read whole into memory, as the async client's `read_raw`."""
        sink = io.BytesIO()
        self.download(request, None, stdout=sink)
        return sink.getvalue()

    # -- internals ----------------------------------------------------------------------------

    def _pool_headers(self) -> Mapping[str, str]:
        return self._http.headers

    def _send_with_retries(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any],
        headers: dict[str, str],
        json: Any = None,
        stream: bool = False,
    ) -> httpx.Response:
        """Send under the retry policy and return a successful response; a final error status
        raises its error. With `stream`, the body is left unread for the caller to consume and close."""
        shown = self._shown_headers(headers)
        shown_url = _display_url(url, params)
        retrying = Retrying(sleep=self.retry_policy.sleep or self._sleep, **self._retry_options(method, shown_url))
        first_attempt = self.retry_policy.clock()
        try:
            for attempt in retrying:
                with attempt, answer_deadline(self.settings.timeout):
                    self._emit(RequestSent(method, shown_url, attempt.retry_state.attempt_number, shown))
                    started = time.monotonic()
                    request = self._http.build_request(
                        method, url, params=params or None, json=json, headers=headers, timeout=self._timeout
                    )
                    # Always streamed: a JSON answer is then read here, inside the attempt (a cut body is
                    # retried as before), but refused as soon as it passes MAX_JSON_BYTES. The deadline
                    # covers the whole answer; a download's body (stream) is bounded per read only.
                    response = self._http.send(request, stream=True, auth=TOKEN_ONLY)
                    self._emit(ResponseReceived(method, shown_url, response.status_code, time.monotonic() - started))
                    if should_retry(method, RetryableStatusError(response)):
                        _read_bounded(response, method)  # the error body, for the message if retries run out
                        raise RetryableStatusError(response)
                    if not stream:
                        _read_bounded(response, method)
        except RetryableStatusError as exc:
            response = exc.response
        except httpx.TransportError as exc:
            raise self._given_up(_connection_error(exc, method, url), retrying, first_attempt) from None
        except (httpx.DecodingError, httpx.TooManyRedirects) as exc:
            raise answer_error(exc, method, url) from None
        if response.status_code >= 400:
            response.read()
            response.close()
            raise self._given_up(_status_error(response, method), retrying, first_attempt)
        return response

    @contextmanager
    def _stream_with_retries(self, url: str, params: dict[str, Any]) -> Iterator[httpx.Response]:
        """A streamed GET: retried until the body starts to flow, never after."""
        response = self._send_with_retries("GET", url, params=params, headers=self._headers(), stream=True)
        try:
            yield response
        except httpx.TransportError as exc:
            raise _connection_error(exc, "GET", url, midway=True) from None
        except httpx.DecodingError as exc:
            raise answer_error(exc, "GET", url) from None
        finally:
            response.close()

    def _copy(self, response: httpx.Response, sink: IO[bytes], label: str) -> int:
        from dbt_cloud.http.body import body_pieces  # with the network backend it reads (http.wire)

        expected = response.headers.get("content-length")
        total = int(expected) if expected and expected.isdigit() else None
        written = 0
        # The pieces as the connection reads them: re-chunking them to a fixed size would copy
        # every byte once more. Raw unless the server compressed them (then httpx decodes); a large
        # raw body is read past the HTTP parser (dbt_cloud.http.body).
        encoding = response.headers.get("content-encoding", "").strip().lower()
        chunks = response.iter_bytes() if encoding not in ("", "identity") else body_pieces(response)
        for chunk in chunks:
            sink.write(chunk)
            written += len(chunk)
            self._emit(DownloadProgress(path=label, bytes_done=written, bytes_total=total))
        if total is not None and written != total and "content-encoding" not in response.headers:
            raise APIConnectionError(f"The download of {label} stopped after {written} of {total} bytes")
        return written


# --- helpers: parsing and turning failures into errors -------------------------------------------


def _display_url(url: str, params: dict[str, Any] | None) -> str:
    """The URL as events and errors show it: with its query, any password in it masked."""
    if not params:
        return masked(url)
    return masked(str(httpx.URL(url, params=params)))


def _too_large(response: httpx.Response, method: str, size: str) -> InvalidResponseError:
    return InvalidResponseError(f"The answer to {method} {response.request.url.path} is too large ({size} bytes)")


def _check_declared_size(response: httpx.Response, method: str) -> None:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_JSON_BYTES:
        raise _too_large(response, method, declared)


def _take_chunk(body: bytearray, chunk: bytes, response: httpx.Response, method: str) -> None:
    if deadline_passed():  # our streams cut reads at the deadline; this covers other transports
        raise httpx.ReadTimeout(DEADLINE_MESSAGE, request=response.request)
    body += chunk
    if len(body) > MAX_JSON_BYTES:  # counted after decompression: a small gzip cannot unpack past it
        raise _too_large(response, method, f"over {MAX_JSON_BYTES}")


def _keep_body(response: httpx.Response, body: bytearray) -> None:
    # What Response.read() leaves behind, so `.content` and `.json()` work as on any read response;
    # httpx has no size limit of its own, hence reading by hand.
    response._content = bytes(body)


def _read_bounded(response: httpx.Response, method: str) -> None:
    """Read a streamed answer whole, refusing one larger than MAX_JSON_BYTES as soon as it is."""
    body = bytearray()
    try:
        _check_declared_size(response, method)
        for chunk in response.iter_bytes():
            _take_chunk(body, chunk, response, method)
    finally:
        response.close()
    _keep_body(response, body)


async def _aread_bounded(response: httpx.Response, method: str) -> None:
    """`_read_bounded` for the async client."""
    body = bytearray()
    try:
        _check_declared_size(response, method)
        async for chunk in response.aiter_bytes():
            _take_chunk(body, chunk, response, method)
    finally:
        await response.aclose()
    _keep_body(response, body)


def _parse_json(response: httpx.Response, method: str) -> Any:
    path = response.request.url.path
    if not response.content.strip():
        if response.status_code == 204 or method != "GET":
            return None  # a write (a delete above all) may well answer with nothing
        raise InvalidResponseError(f"dbt Cloud answered {method} {path} with an empty body")
    try:
        return _loads(response.content)
    except _NotANumberError as exc:
        raise InvalidResponseError(f"dbt Cloud answered {method} {path} with JSON that is not valid: {exc}") from None
    except RecursionError:
        raise InvalidResponseError(f"dbt Cloud answered {method} {path} with JSON nested too deep to read") from None
    except ValueError:
        kind = response.headers.get("content-type", "unknown type").split(";")[0]
        if method.upper() not in IDEMPOTENT_METHODS and response.status_code < 400:
            raise InvalidResponseError(
                _unconfirmed(method, path, f"the answer was cut or garbled ({kind})"), hint=UNCONFIRMED_HINT
            ) from None
        raise NotTheApiError(
            f"dbt Cloud answered {method} {path} with {kind}, not JSON (status {response.status_code})"
        ) from None


class _NotANumberError(ValueError):
    """NaN, Infinity or -Infinity in an answer: Python's json reads them, but they are not JSON,
    and copying them to stdout would hand the next program invalid JSON. Refused, not converted:
    a number the server meant cannot be guessed, and null would pass for an unset field."""


def _refuse_constant(name: str) -> Any:
    raise _NotANumberError(f"{name} is not a JSON number")


def _loads(content: bytes) -> Any:
    return json.loads(content, parse_constant=_refuse_constant)


def answer_error(exc: httpx.DecodingError | httpx.TooManyRedirects, method: str, url: str) -> InvalidResponseError:
    """An answer that cannot be read at all: a body that does not decompress, or redirects that
    never end. Not retried: the same server sends the same again."""
    path = httpx.URL(url).path
    if isinstance(exc, httpx.TooManyRedirects):
        # A loop is a host that is not the API (a proxy or a web front), so the CLI points at the host.
        return NotTheApiError(f"dbt Cloud answered {method} {path} with redirects that never end (a redirect loop)")
    return InvalidResponseError(
        f"dbt Cloud answered {method} {path} with a compressed body that does not decompress: {exc}"
    )


def _check_envelope(document: Any, response: httpx.Response, method: str) -> None:
    path = response.request.url.path
    if not isinstance(document, dict) or "data" not in document:
        raise NotTheApiError(f"dbt Cloud answered {method} {path} with JSON that is not an API envelope (no 'data')")
    status = document.get("status")
    if isinstance(status, dict) and status.get("is_success") is False:
        message = status.get("user_message") or status.get("developer_message") or "the request failed"
        raise APIStatusError(
            f"{method} {path} failed: {message}",
            status_code=response.status_code,
            method=method,
            url=masked(str(response.request.url)),
            body=document,
        )


def _check_graphql(document: Any, method: str, url: str) -> None:
    if not isinstance(document, dict):
        raise InvalidResponseError("The Discovery API answered with JSON that is not a GraphQL response")
    errors = document.get("errors")
    if errors:
        first = errors[0] if isinstance(errors, list) and errors else errors
        message = first.get("message") if isinstance(first, dict) else str(first)
        more = f" (and {len(errors) - 1} more)" if isinstance(errors, list) and len(errors) > 1 else ""
        raise APIError(f"The Discovery API refused the query: {message}{more}")


def _error_detail(document: Any) -> str | None:
    """The server's own explanation, from the envelope or a field-error map."""
    if not isinstance(document, dict):
        return None
    parts: list[str] = []
    status = document.get("status")
    if isinstance(status, dict):
        for key in ("user_message", "developer_message"):
            text = status.get(key)
            if isinstance(text, str) and text.strip() and text.strip() not in parts:
                parts.append(text.strip())
    data = document.get("data")
    if isinstance(data, dict):
        for field, problems in data.items():
            if isinstance(problems, list) and problems and all(isinstance(p, str) for p in problems):
                parts.append(f"{field}: {' '.join(problems)}")
    for key in ("detail", "message", "error"):
        text = document.get(key)
        if isinstance(text, str) and text.strip():
            parts.append(text.strip())
    return _sentences(parts) if parts else None


def _sentences(parts: list[str]) -> str:
    """The server's messages in one line: each a sentence of its own (`Not found. name: required.`),
    never `Not found.; name: required`."""
    return " ".join(part if part.endswith((".", "!", "?", ":")) else part + "." for part in parts)


def _status_error(response: httpx.Response, method: str) -> APIStatusError:
    try:
        document: Any = _loads(response.content)
    except (ValueError, RecursionError):
        document = None
    detail = _error_detail(document)
    if detail is None:
        kind = response.headers.get("content-type", "").split(";")[0]
        detail = f"the body was {kind or 'empty'}, not JSON" if response.content.strip() else "no details given"
    if len(detail) > 300:
        detail = detail[:297] + "..."
    code = response.status_code
    reason = response.reason_phrase or ""
    message = f"{method} {response.request.url.path} answered {code} {reason}: {detail}".replace("  ", " ")
    unconfirmed = code >= 500 and method.upper() not in IDEMPOTENT_METHODS
    if unconfirmed:
        message = _unconfirmed(method, response.request.url.path, f"it answered {code} {reason}".strip())
    return status_error_class(code)(
        message,
        status_code=code,
        method=method,
        url=masked(str(response.request.url)),
        body=document,
        hint=UNCONFIRMED_HINT if unconfirmed else None,
    )


def _unconfirmed(method: str, path: str, what: str) -> str:
    """The message for a request that changes something and whose outcome is unknown: it was not
    repeated (a second trigger would start a second run), and the user must look before retrying."""
    effect = f"{method} {path} took effect"
    if method.upper() == "POST" and path.rstrip("/").rsplit("/", 1)[-1] in RUN_STARTING:
        effect = f"the run was created (POST {path})"
    return f"Could not confirm whether {effect}: {what}. dbt Cloud may have acted on it, so it was not sent again"


#: The last part of the paths of the requests that start a run (trigger, rerun, retry): their
#: unconfirmed error says so in the words of the person who asked for a run.
RUN_STARTING = frozenset({"run", "rerun", "retry"})


UNCONFIRMED_HINT = "look for its effect (the runs of the job, say) before sending it again"


def _connection_error(exc: httpx.TransportError, method: str, url: str, *, midway: bool = False) -> APIError:
    where = httpx.URL(url)
    host = where.host
    port = where.port or (443 if where.scheme == "https" else 80)
    found: dict[str, Any] = {"host": host, "port": port}
    if method.upper() not in IDEMPOTENT_METHODS and not never_reached_server(exc) and not midway:
        what = "no answer in time" if isinstance(exc, httpx.TimeoutException) else "the connection broke"
        error_class = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        return error_class(_unconfirmed(method, where.path, what), hint=UNCONFIRMED_HINT, reason="unconfirmed", **found)
    if isinstance(exc, httpx.TimeoutException):
        if str(exc) == DEADLINE_MESSAGE:
            return APITimeoutError(
                f"{method} {where.path} timed out: the whole answer from {host} did not arrive within the timeout",
                reason="deadline",
                **found,
            )
        return APITimeoutError(f"{method} {where.path} timed out waiting for {host}", reason="timeout", **found)
    if midway:
        return APIConnectionError(
            f"The connection to {host} broke during the download; nothing was written", reason="broken", **found
        )
    if is_permanent_connect_failure(exc):
        text = str(exc)
        if "SSL" in text or "CERTIFICATE" in text:
            return APIConnectionError(f"TLS handshake with {host} failed: {text}", reason="tls", **found)
        return APIConnectionError(f"Unknown host {host}", reason="unknown_host", **found)
    if isinstance(exc, httpx.ConnectError):
        if "refused" in str(exc).lower():
            return APIConnectionError(
                f"Cannot connect to {host}:{port}: the connection was refused", reason="refused", **found
            )
        return APIConnectionError(f"Cannot connect to {host}:{port}: {exc}", **found)
    return APIConnectionError(
        f"The connection to {host} failed during {method}: {type(exc).__name__}: {exc}", reason="broken", **found
    )
