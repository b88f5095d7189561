"""Reading the socket in large pieces: the network backend under our httpx pools.

httpcore reads a connection 64 KB at a time, and over TLS each read answers a single 16 KB record;
every piece then pays h11's and httpcore's per-chunk cost (the receive buffer, the event, the
progress event, a write to the file). The streams here answer a read with everything the socket
already holds, up to READ_BYTES: one blocking read as httpcore asks, then the records and bytes
that arrived meanwhile, taken without waiting. In cProfile a 256 MB HTTPS download went from
16,000 pieces through h11 to 260; what is left is `SSLSocket.read` (one record per call, the
decryption) and the file writes. Reading the records through a memory BIO instead was tried and
was slower (one more copy, no fewer decryptions).

It is a network backend given to the pools of our own clients (`fast_transport`,
`fast_async_transport`), not a change to httpcore's globals: other httpx clients in the same
process read as before.
"""

from __future__ import annotations

import socket
import ssl
import urllib.request
from typing import Any

import httpcore
import httpx

from dbt_cloud.http.deadline import DEADLINE_MESSAGE, deadline_passed, within_deadline

#: The most one read answers: sixteen TLS records, so the parser's per-piece cost vanishes beside
#: the copy, and small enough that the piece is still in the CPU's cache when it is copied on to
#: the file (1 MB pieces measured slower and more erratic on the 2-core benchmark machine).
READ_BYTES = 256 * 1024


class WideStream(httpcore.NetworkStream):
    """An httpcore stream whose `read` drains what the socket (plain or TLS) already holds."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner
        sock = inner.get_extra_info("socket")
        tls = inner.get_extra_info("ssl_object") is not None
        # The socket we read is the one the stream reads: an SSLSocket for TLS, a plain socket
        # otherwise. Anything else (TLS inside a proxy's TLS) reads through the inner stream.
        plain = isinstance(sock, socket.socket) and not tls
        self._sock: socket.socket | None = sock if isinstance(sock, ssl.SSLSocket) or plain else None
        self._buffer: bytearray | None = None

    @property
    def reads_into(self) -> bool:
        """Whether `readinto` reads the socket itself (False: the stream is not one we can read)."""
        return self._sock is not None

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._sock is None:
            return self._inner.read(max_bytes, within_deadline(timeout, httpcore.ReadTimeout))
        if self._buffer is None:
            self._buffer = bytearray(READ_BYTES)
        with memoryview(self._buffer) as view:
            filled = self.readinto(view, timeout)
            return view[:filled].tobytes()  # the one copy: the buffer is read into again

    def readinto(self, view: memoryview, timeout: float | None = None) -> int:
        """Fill `view` with what the socket holds, waiting only for the first bytes; 0 at the end.
        No copy of ours: a body read past the parser (dbt_cloud.http.body) is written from `view`."""
        sock = self._sock
        if sock is None:
            raise httpcore.ReadError("this stream is not read through its socket")
        timeout = within_deadline(timeout, httpcore.ReadTimeout)
        try:
            sock.settimeout(timeout)
            filled = sock.recv_into(view, len(view))
            if filled:
                filled += _drain(sock, view, filled)
            return filled
        except TimeoutError as exc:  # socket.timeout
            raise httpcore.ReadTimeout(DEADLINE_MESSAGE if deadline_passed() else exc) from exc
        except OSError as exc:
            raise httpcore.ReadError(exc) from exc

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, within_deadline(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._buffer = None
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return WideStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def _drain(sock: socket.socket, view: memoryview, filled: int) -> int:
    """Bytes added to `view` after `filled` from what `sock` holds now, without waiting for more."""
    added = 0
    size = len(view)
    sock.settimeout(0)  # httpcore sets the timeout again before its next read or write
    while filled + added < size:
        try:
            got = sock.recv_into(view[filled + added :], size - filled - added)
        except (BlockingIOError, ssl.SSLWantReadError):
            break
        if not got:
            break
        added += got
    return added


class WideBackend(httpcore.NetworkBackend):
    """httpcore's sync backend, its streams wrapped in `WideStream`."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        timeout = within_deadline(timeout, httpcore.ConnectTimeout)
        return WideStream(self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        return WideStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class WideAsyncStream(httpcore.AsyncNetworkStream):
    """The async twin: a larger read from the transport, then, over TLS, the records the TLS object
    already holds decrypted-ready in its buffer (`SSLObject.read` answers them without I/O)."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        ssl_object = inner.get_extra_info("ssl_object")
        self._ssl = ssl_object if isinstance(ssl_object, ssl.SSLObject) else None

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        timeout = within_deadline(timeout, httpcore.ReadTimeout)
        try:
            first = await self._inner.read(max(max_bytes, READ_BYTES), timeout)
        except httpcore.ReadTimeout as exc:
            if deadline_passed():
                raise httpcore.ReadTimeout(DEADLINE_MESSAGE) from exc
            raise
        if not first or self._ssl is None:
            return first
        parts, size = [first], len(first)
        while size < READ_BYTES:
            try:
                more = self._ssl.read(READ_BYTES - size)
            except ssl.SSLWantReadError:
                break  # the rest is still on the wire: the next read awaits it
            except ssl.SSLError:
                break  # the inner stream's next read meets it and raises it as it always has
            if not more:
                break
            parts.append(more)
            size += len(more)
        return first if len(parts) == 1 else b"".join(parts)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, within_deadline(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        return WideAsyncStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class WideAsyncBackend(httpcore.AsyncNetworkBackend):
    """httpcore's anyio backend (asyncio, or trio through anyio), its streams wrapped."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout = within_deadline(timeout, httpcore.ConnectTimeout)
        return WideAsyncStream(await self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        return WideAsyncStream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


# httpx's transports take no network backend, so each builds its pool again with ours and the
# settings httpx would have given it (its defaults: verify, trust_env, limits). A proxy from the
# environment keeps httpx's own transport (`fast_transport` answers None): proxies are httpx's job.
_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)


def _proxied() -> bool:
    return any(key in ("http", "https", "all") for key in urllib.request.getproxies())


class FastTransport(httpx.HTTPTransport):
    """httpx's transport over `WideBackend`."""

    def __init__(self) -> None:
        context = httpx.create_ssl_context()  # loaded once (the CA bundle costs milliseconds): both pools share it
        super().__init__(verify=context)
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=_LIMITS.max_connections,
            max_keepalive_connections=_LIMITS.max_keepalive_connections,
            keepalive_expiry=_LIMITS.keepalive_expiry,
            network_backend=WideBackend(),
        )


class FastAsyncTransport(httpx.AsyncHTTPTransport):
    """httpx's async transport over `WideAsyncBackend`."""

    def __init__(self) -> None:
        context = httpx.create_ssl_context()  # loaded once (the CA bundle costs milliseconds): both pools share it
        super().__init__(verify=context)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=_LIMITS.max_connections,
            max_keepalive_connections=_LIMITS.max_keepalive_connections,
            keepalive_expiry=_LIMITS.keepalive_expiry,
            network_backend=WideAsyncBackend(),
        )


def fast_transport() -> httpx.BaseTransport | None:
    """Our transport, or None (httpx's default) when the environment names a proxy."""
    return None if _proxied() else FastTransport()


def fast_async_transport() -> httpx.AsyncBaseTransport | None:
    return None if _proxied() else FastAsyncTransport()
