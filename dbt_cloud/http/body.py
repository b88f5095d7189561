"""A download's body read straight off the connection, past the HTTP parser.

Through httpx, every piece of a body goes through h11: appended to its receive buffer, sliced out
of it, turned into bytes, wrapped in an event; three copies and a few dozen Python calls per piece,
which over TLS is most of what a download costs beyond the decryption. A body of declared length
and no content encoding needs none of that: once h11 has handed over the body bytes that came
with the headers (the first piece: it gives all it holds), the rest of the body is the next
`remaining` bytes of the connection. Those are read into one buffer of ours (`WideStream.readinto`
over our own network backend, `dbt_cloud.http.wire`) and handed to the caller as a view of it,
written to the file without another copy.

The parser never sees those bytes, so httpcore closes the connection when the response closes
rather than pooling it (it pools only a connection whose parser finished the message). That costs
one more connection for the next request: only bodies of at least `DIRECT_MIN_BYTES` go this way,
smaller ones read through httpx as before. Anything else (a proxy, HTTP/2, a test's transport, a
compressed or chunked body) reads through httpx too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import httpcore
import httpx

from dbt_cloud.http.wire import READ_BYTES, WideAsyncStream, WideStream

#: The smallest rest of a body read past the parser: where a new connection for the next request
#: (a TLS handshake, milliseconds) is nothing beside what the parser would have cost.
DIRECT_MIN_BYTES = 4 * 1024 * 1024
#: The buffer a direct read fills: several TLS records per write to the file.
DIRECT_READ_BYTES = READ_BYTES


def _rest_length(response: httpx.Response) -> int | None:
    """The declared length of a body that may be read past the parser, or None."""
    headers = response.headers
    if response.http_version != "HTTP/1.1" or "transfer-encoding" in headers:
        return None
    if headers.get("content-encoding", "identity").strip().lower() not in ("", "identity"):
        return None
    declared = headers.get("content-length", "")
    return int(declared) if declared.isdigit() else None


def _read_timeout(response: httpx.Response) -> float | None:
    timeouts = response.request.extensions.get("timeout") or {}
    value = timeouts.get("read")
    return float(value) if isinstance(value, int | float) else None


@contextmanager
def _as_httpx_errors() -> Iterator[None]:
    """httpcore's errors of a direct read as httpx raises them on any other read (sync or async:
    a plain context manager catches what an awaited read raises inside it)."""
    try:
        yield
    except httpcore.TimeoutException as exc:
        raise httpx.ReadTimeout(str(exc)) from exc
    except httpcore.NetworkError as exc:
        raise httpx.ReadError(str(exc)) from exc


def body_pieces(response: httpx.Response, *, direct_min: int = DIRECT_MIN_BYTES) -> Iterator[bytes | memoryview]:
    """The raw body of a streamed response, piece by piece. A memoryview piece is valid only until
    the next one is asked for: write it, do not keep it. A body that stops short simply ends (the
    caller compares what it got with the declared length)."""
    if response.is_stream_consumed:  # a body httpx read already (one given as bytes): it is whole
        yield response.content
        return
    found = response.extensions.get("network_stream")
    stream = found if isinstance(found, WideStream) and found.reads_into else None
    total = _rest_length(response) if stream is not None else None
    pieces = response.iter_raw()
    done = 0
    for piece in pieces:
        yield piece
        done += len(piece)
        if total is not None and total - done >= direct_min:
            break
    else:
        return
    if stream is None or total is None:  # never: the loop breaks only with both
        return
    # `pieces` is left as it stands: closing it would close the response under the caller.
    timeout = _read_timeout(response)
    buffer = memoryview(bytearray(DIRECT_READ_BYTES))
    remaining = total - done
    with _as_httpx_errors():
        while remaining:
            got = stream.readinto(buffer[: min(remaining, len(buffer))], timeout)
            if not got:
                return
            remaining -= got
            yield buffer[:got]


async def abody_pieces(response: httpx.Response, *, direct_min: int = DIRECT_MIN_BYTES) -> AsyncIterator[bytes]:
    """`body_pieces` for the async client (each piece is bytes: the async stream hands over bytes)."""
    if response.is_stream_consumed:  # as body_pieces
        yield response.content
        return
    found = response.extensions.get("network_stream")
    stream = found if isinstance(found, WideAsyncStream) else None
    total = _rest_length(response) if stream is not None else None
    pieces = response.aiter_raw()
    done = 0
    async for piece in pieces:
        yield piece
        done += len(piece)
        if total is not None and total - done >= direct_min:
            break
    else:
        return
    if stream is None or total is None:  # never: the loop breaks only with both
        return
    timeout = _read_timeout(response)
    remaining = total - done
    with _as_httpx_errors():
        while remaining > 0:
            piece = await stream.read(min(remaining, DIRECT_READ_BYTES), timeout)
            if not piece:
                return
            if len(piece) > remaining:
                piece = piece[:remaining]  # nothing follows a body on its connection; never written if it did
            remaining -= len(piece)
            yield piece
