"""A download's body read past the HTTP parser (dbt_cloud/http/body.py), on real sockets: a large
body comes whole and from our own buffer, a small one through httpx on a connection that is pooled
again, a large one leaves its connection closed rather than half-read, a short or stalled body is
the error it always was; and the CLI and the typed clients (sync and async) write the same bytes
over the bundled local runner, one file or several at once."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from dbt_cloud import AsyncDbtCloud, DbtCloud
from dbt_cloud.api.operations.run import RunGet, RunGetArtifact
from dbt_cloud.errors import InputError
from dbt_cloud.http.async_client import new_async_http_client
from dbt_cloud.http.body import DIRECT_MIN_BYTES, abody_pieces, body_pieces
from dbt_cloud.http.client import new_http_client
from dbt_cloud.local.planning import run_dir_of
from tests.support.local_runner import LocalRunner

LARGE = os.urandom(1 << 20) * 6  # over DIRECT_MIN_BYTES past the first piece
SMALL = b"0123456789abcdef" * 4096  # 64 KB: read through httpx


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        body = SMALL if "small" in self.path else LARGE
        short = "short" in self.path
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body) + (1000 if short else 0)))
        self.end_headers()
        self.wfile.write(body)
        if short:
            self.close_connection = "stall" not in self.path  # stalled: open, the rest never sent

    def log_message(self, *args: Any) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    connections = 0

    def get_request(self) -> tuple[Any, Any]:
        self.connections += 1
        return super().get_request()


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Server]:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    running = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=running.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()


def _url(server: _Server, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/{path}"


def _read(http: httpx.Client, url: str) -> tuple[bytes, list[type]]:
    with http.stream("GET", url) as response:
        kinds, pieces = [], []
        for piece in body_pieces(response):
            kinds.append(type(piece))
            pieces.append(bytes(piece))
        return b"".join(pieces), kinds


def test_a_large_body_comes_whole_from_our_buffer(server: _Server) -> None:
    assert len(LARGE) > DIRECT_MIN_BYTES
    with new_http_client() as http:
        body, kinds = _read(http, _url(server, "large"))
    assert body == LARGE
    assert kinds[0] is bytes  # what h11 held with the headers
    assert memoryview in kinds  # the rest, past the parser


def test_a_small_body_reads_through_httpx_and_keeps_its_connection(server: _Server) -> None:
    with new_http_client() as http:
        first, kinds = _read(http, _url(server, "small"))
        second, _ = _read(http, _url(server, "small"))
    assert first == second == SMALL
    assert set(kinds) == {bytes}
    assert server.connections == 1


def test_a_large_body_closes_its_connection_and_the_next_request_is_whole(server: _Server) -> None:
    with new_http_client() as http:
        first, _ = _read(http, _url(server, "large"))
        second, _ = _read(http, _url(server, "small"))
        third, _ = _read(http, _url(server, "large"))
    assert (first, second, third) == (LARGE, SMALL, LARGE)
    assert server.connections == 2  # a new one after each large body, the small one's kept


def test_a_short_body_ends_short(server: _Server) -> None:
    with new_http_client() as http:
        body, _ = _read(http, _url(server, "large-short"))
    assert body == LARGE  # the caller compares with the declared length (the client raises)


def test_a_stalled_body_raises_httpx_read_timeout(server: _Server) -> None:
    timeout = httpx.Timeout(5.0, read=0.2)
    with new_http_client() as http, http.stream("GET", _url(server, "large-short-stall"), timeout=timeout) as r:
        pieces = body_pieces(r)
        with pytest.raises(httpx.ReadTimeout):
            list(pieces)


def test_the_async_read_is_whole_and_closes_its_connection(server: _Server) -> None:
    async def read(http: httpx.AsyncClient, url: str) -> bytes:
        async with http.stream("GET", url) as response:
            return b"".join([piece async for piece in abody_pieces(response)])

    async def main() -> list[bytes]:
        async with new_async_http_client() as http:
            return [await read(http, _url(server, path)) for path in ("large", "small", "small")]

    assert asyncio.run(main()) == [LARGE, SMALL, SMALL]
    assert server.connections == 2


# --- the CLI and the typed clients over the local runner -------------------------------------------


@pytest.fixture(scope="module")
def artifacts(local_runner: LocalRunner) -> tuple[int, dict[str, bytes]]:
    """A finished run whose target/ holds two artifacts over the direct-read size."""
    (run_id,) = local_runner.seed_runs(local_runner.jobs["build"], 1, status=10)
    target = run_dir_of(local_runner.data_dir, run_id) / "target"
    target.mkdir(parents=True, exist_ok=True)
    files = {"big.bin": LARGE, "other.bin": LARGE[::-1]}
    for name, content in files.items():
        (target / name).write_bytes(content)
    return run_id, files


def test_the_cli_and_the_typed_clients_write_the_same_bytes(
    local_runner: LocalRunner, local_cli: Any, artifacts: tuple[int, dict[str, bytes]], tmp_path: Path
) -> None:
    run_id, files = artifacts
    by_cli = tmp_path / "cli.bin"
    outcome = local_cli("run", "get-artifact", "--run-id", str(run_id), "--path", "big.bin", "-f", str(by_cli))
    assert outcome.exit_code == 0, outcome.stderr
    request = RunGetArtifact(account_id=local_runner.account_id, run_id=run_id, path="big.bin")
    settings = (local_runner.token, local_runner.account_id, local_runner.base_url)
    with DbtCloud(*settings) as cloud:
        assert cloud.download(request, tmp_path / "sync.bin") == len(LARGE)

    async def main() -> int:
        async with AsyncDbtCloud(*settings) as cloud:
            return await cloud.download(request, tmp_path / "async.bin")

    assert asyncio.run(main()) == len(LARGE)
    contents = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert contents == {"cli.bin": files["big.bin"], "sync.bin": files["big.bin"], "async.bin": files["big.bin"]}


def test_several_large_files_at_once_are_each_whole(
    local_cli: Any, artifacts: tuple[int, dict[str, bytes]], tmp_path: Path
) -> None:
    run_id, files = artifacts
    paths = [arg for name in files for arg in ("--path", name)]
    outcome = local_cli("run", "get-artifact", "--run-id", str(run_id), *paths, "--output-dir", str(tmp_path))
    assert outcome.exit_code == 0, outcome.stderr
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == files


def test_the_typed_client_refuses_to_download_a_json_command(local_runner: LocalRunner, tmp_path: Path) -> None:
    command = RunGet(account_id=local_runner.account_id, run_id=1)
    with (
        DbtCloud(local_runner.token, local_runner.account_id, local_runner.base_url) as cloud,
        pytest.raises(InputError, match="answers with JSON"),
    ):
        cloud.download(command, tmp_path / "x")
    assert list(tmp_path.iterdir()) == []
