"""The wide read path under our httpx pools (dbt_cloud/http/wire.py), on real sockets: one read
answers everything the socket holds, TLS records included, and the typed clients' downloads (sync
and async) go through it over HTTPS with the atomic write and the error of a cut body unchanged."""

from __future__ import annotations

import asyncio
import itertools
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from dbt_cloud import AsyncDbtCloud, DbtCloud
from dbt_cloud.api.operations.run import RunGetArtifact
from dbt_cloud.errors import APIConnectionError
from dbt_cloud.events import DownloadProgress, Event, FileSaved
from dbt_cloud.http.async_client import new_async_http_client
from dbt_cloud.http.client import new_http_client
from dbt_cloud.http.wire import READ_BYTES, WideAsyncStream, WideBackend, WideStream, fast_transport
from tests.conftest import TOKEN

BODY = bytes(range(256)) * (24 * 1024)  # 6 MB, many TLS records and many 64 KB reads
PIECE = 512 * 1024  # what the tests put in the socket before one read: several records, one read


@dataclass
class Tls:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return Tls(cert, key)


def _listener() -> socket.socket:
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * PIECE)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    return server


def _send_then_wait(server: socket.socket, data: bytes, context: ssl.SSLContext | None, sent: threading.Event) -> None:
    connection, _ = server.accept()
    with connection:
        peer: Any = context.wrap_socket(connection, server_side=True) if context else connection
        peer.sendall(data)
        sent.set()
        peer.recv(1)  # hold the connection open until the client is done


def _one_read(tls_context: ssl.SSLContext | None, client_context: ssl.SSLContext | None) -> bytes:
    data = bytes(range(256)) * (PIECE // 256)
    sent = threading.Event()
    with _listener() as server:
        thread = threading.Thread(target=_send_then_wait, args=(server, data, tls_context, sent), daemon=True)
        thread.start()
        stream: Any = WideBackend().connect_tcp("127.0.0.1", server.getsockname()[1], timeout=10, socket_options=[])
        stream.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * PIECE)
        if client_context is not None:
            stream = stream.start_tls(client_context, "127.0.0.1", timeout=10)
        assert sent.wait(10)
        first = stream.read(64 * 1024, timeout=10)  # what httpcore asks for
        stream.write(b"x")
        stream.close()
        thread.join(10)
    assert data.startswith(first)
    return first


def test_one_read_of_a_plain_socket_takes_more_than_httpcore_asks() -> None:
    assert len(_one_read(None, None)) > 64 * 1024


def test_one_read_over_tls_takes_many_records_not_one(tls: Tls) -> None:
    # An SSLSocket answers a read with one 16 KB record at most.
    assert len(_one_read(tls.server_context(), tls.client_context())) > 16 * 1024


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        cut = "cut" in self.path
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(BODY) + (1000 if cut else 0)))
        self.end_headers()
        self.wfile.write(BODY)
        if cut:
            self.close_connection = True

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def https_server(tls: Tls) -> Iterator[str]:
    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def get_request(self) -> tuple[Any, Any]:
            connection, address = super().get_request()
            return tls.server_context().wrap_socket(connection, server_side=True), address

    server = Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def trusted(tls: Tls, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.cert))


def _artifact(path: str = "big.bin") -> Any:
    return RunGetArtifact(account_id=1, run_id=7, path=path).request()


@pytest.mark.usefixtures("trusted")
def test_our_pools_read_through_the_wide_streams(https_server: str) -> None:
    with new_http_client() as http, http.stream("GET", https_server + "/x") as response:
        assert isinstance(response.extensions["network_stream"], WideStream)
        assert response.read() == BODY

    async def main() -> object:
        async with new_async_http_client() as http, http.stream("GET", https_server + "/x") as response:
            assert await response.aread() == BODY
            return response.extensions["network_stream"]

    assert isinstance(asyncio.run(main()), WideAsyncStream)


def test_a_proxy_in_the_environment_keeps_httpx_own_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    assert fast_transport() is None


@pytest.mark.usefixtures("trusted")
def test_the_typed_client_downloads_over_https_whole_and_atomically(https_server: str, tmp_path: Path) -> None:
    events: list[Event] = []
    target = tmp_path / "big.bin"
    with DbtCloud(TOKEN, 1, https_server, on_event=events.append) as cloud:
        assert cloud.connection.download(_artifact(), target) == len(BODY)
        assert cloud.run.get_artifact(run_id=7, path="big.bin") == BODY
    assert target.read_bytes() == BODY
    progress = [event for event in events if isinstance(event, DownloadProgress) and event.path == str(target)]
    assert progress[-1].bytes_done == progress[-1].bytes_total == len(BODY)
    assert all(b.bytes_done - a.bytes_done <= READ_BYTES for a, b in itertools.pairwise(progress))
    assert [event.bytes_written for event in events if isinstance(event, FileSaved)] == [len(BODY)]


@pytest.mark.usefixtures("trusted")
def test_the_async_typed_client_downloads_over_https_whole(https_server: str, tmp_path: Path) -> None:
    target = tmp_path / "big.bin"

    async def main() -> tuple[int, bytes]:
        async with AsyncDbtCloud(TOKEN, 1, https_server) as cloud:
            written = await cloud.connection.download(_artifact(), target)
            return written, await cloud.run.get_artifact(run_id=7, path="big.bin")

    written, read = asyncio.run(main())
    assert written == len(BODY)
    assert read == BODY
    assert target.read_bytes() == BODY


@pytest.mark.usefixtures("trusted")
def test_a_cut_https_download_leaves_no_file_and_says_so(https_server: str, tmp_path: Path) -> None:
    target = tmp_path / "cut.bin"
    target.write_bytes(b"the old file")
    with DbtCloud(TOKEN, 1, https_server) as cloud, pytest.raises(APIConnectionError) as raised:
        cloud.connection.download(_artifact("cut.bin"), target)
    assert "cut.bin" in str(raised.value) or "broke" in str(raised.value)
    assert target.read_bytes() == b"the old file"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cut.bin"]

    async def main() -> None:
        async with AsyncDbtCloud(TOKEN, 1, https_server) as cloud:
            await cloud.connection.download(_artifact("cut.bin"), target)

    with pytest.raises(APIConnectionError):
        asyncio.run(main())
    assert target.read_bytes() == b"the old file"


def test_httpx_is_still_the_client() -> None:
    # The backend sits under httpx's own transport: requests, redirects and errors stay httpx's.
    transport = fast_transport()
    assert isinstance(transport, httpx.HTTPTransport)
    transport.close()
