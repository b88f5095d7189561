"""A dbt-Cloud-compatible server for the benchmarks: a large artifact of one run, and many runs to
page through, over HTTP, or over HTTPS with a certificate of its own (dbt-cloud-cli 0.9.1 only
speaks HTTPS).

It answers the endpoints the benchmarks use exactly as dbt Cloud and the bundled local runner do:
the raw artifact file, the run list in its envelope with `extra.pagination`. It stands in for the
local runner, which does not yet let a benchmark plant a 1 GB artifact; both serve from a Python
process on 127.0.0.1, so the clients meet the same kind of server. The artifact goes out with
`sendfile` over HTTP, so the server is never what limits a client.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "bench-token-5e1f0a"
ACCOUNT_ID = 1
RUN_ID = 1


@dataclass
class Content:
    """What the server holds: one artifact file, and `run_count` runs."""

    artifact: Path | None = None
    #: More artifact files of the same run, served by their names (several downloads at once).
    more_artifacts: tuple[Path, ...] = ()
    run_count: int = 0
    #: Seconds each run-list answer waits before it is sent: the network and the service.
    list_latency: float = 0.0


def _run(number: int) -> dict[str, Any]:
    return {
        "id": number,
        "account_id": ACCOUNT_ID,
        "job_definition_id": 7,
        "status": 10,
        "status_humanized": "Success",
        "created_at": "2024-05-01 12:00:00.000000+00:00",
        "finished_at": "2024-05-01 12:01:30.000000+00:00",
        "git_branch": "main",
        "is_complete": True,
        "href": f"https://cloud.getdbt.com/deploy/1/projects/1/runs/{number}/",
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _json(self, status: int, document: Any) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.headers.get("Authorization") not in (f"Token {TOKEN}", f"Bearer {TOKEN}"):
            self._json(401, {"status": {"code": 401, "is_success": False, "user_message": "Invalid token."}})
            return
        parts = urlsplit(self.path)
        content = self.server.content
        artifact = re.fullmatch(r"/api/v2/accounts/\d+/runs/\d+/artifacts/(.+)", parts.path)
        served = {path.name: path for path in (content.artifact, *content.more_artifacts) if path is not None}
        if artifact and artifact.group(1) in served:
            self._send_file(served[artifact.group(1)])
        elif re.fullmatch(r"/api/v2/accounts/\d+/runs/?", parts.path):
            query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
            offset, limit = int(query.get("offset", 0)), min(int(query.get("limit", 100)), 100)
            page = [_run(n) for n in range(offset + 1, min(offset + limit, content.run_count) + 1)]
            time.sleep(content.list_latency)
            self._json(
                200,
                {
                    "status": {"code": 200, "is_success": True, "user_message": "Success!", "developer_message": ""},
                    "data": page,
                    "extra": {
                        "filters": {"account_id": ACCOUNT_ID, "limit": limit, "offset": offset},
                        "order_by": "id",
                        "pagination": {"count": len(page), "total_count": content.run_count},
                    },
                },
            )
        else:
            self._json(404, {"status": {"code": 404, "is_success": False, "user_message": "Not found."}, "data": None})

    def _send_file(self, path: Path) -> None:
        size = path.stat().st_size
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        self.wfile.flush()
        with path.open("rb") as source:
            if isinstance(self.connection, ssl.SSLSocket):
                shutil.copyfileobj(source, self.wfile, 1 << 20)
            else:
                self.connection.sendfile(source)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, content: Content, context: ssl.SSLContext | None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.content = content
        self.context = context

    def get_request(self) -> tuple[Any, Any]:
        connection, address = super().get_request()
        # Headers and body go out in two writes: without this, Nagle's algorithm holds the body
        # until the client's delayed ACK, 40 ms per answer that no real server makes one wait.
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.context is not None:
            connection = self.context.wrap_socket(connection, server_side=True)
        return connection, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client that hangs up is not news


@dataclass(frozen=True)
class Running:
    url: str
    #: The certificate a client must trust (HTTPS only).
    ca_file: Path | None

    def env(self) -> dict[str, str]:
        """The environment for dbt-cloud (and dbt-cloud-cli, which takes the host without scheme)."""
        env = {"DBT_CLOUD_API_TOKEN": TOKEN, "DBT_CLOUD_ACCOUNT_ID": str(ACCOUNT_ID), "DBT_CLOUD_HOST": self.url}
        if self.ca_file is not None:
            env.update(SSL_CERT_FILE=str(self.ca_file), REQUESTS_CA_BUNDLE=str(self.ca_file))
        return env


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@contextmanager
def serve(content: Content, *, tls_folder: Path | None = None) -> Iterator[Running]:
    """Serve `content` on 127.0.0.1 (HTTPS when given a folder for the certificate)."""
    context = None
    ca_file = None
    if tls_folder is not None:
        cert, key = _certificate(tls_folder)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        ca_file = cert
    server = _Server(content, context)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield Running(f"{'https' if context else 'http'}://{host}:{port}", ca_file)
    finally:
        server.shutdown()
        server.server_close()


def write_artifact(path: Path, size: int) -> None:
    """`size` bytes that do not compress: one random megabyte, repeated."""
    block = os.urandom(1 << 20)
    with path.open("wb") as sink:
        for _ in range(size // len(block)):
            sink.write(block)
        sink.write(block[: size % len(block)])
