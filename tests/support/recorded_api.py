"""A real HTTP server on 127.0.0.1 that answers like dbt Cloud, from responses recorded off the
real service (tests/data/api-samples), for the commands of the drop-in set.

Real over fake: the CLI talks to it over a socket exactly as it talks to dbt Cloud, so the tests
cover the whole path (URL building, headers, retries, timeouts, streaming). It also keeps a log of
every request and can be told to fail the next requests in chosen ways, for the faults a healthy
server never produces on demand. The bundled local runner will take over the happy paths.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "api-samples"


def sample(name: str) -> Any:
    return json.loads((SAMPLES / f"{name}.json").read_text())


def envelope(data: Any, code: int = 200, message: str = "Success!", extra: Any = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "status": {"code": code, "is_success": code < 400, "user_message": message, "developer_message": ""},
        "data": data,
    }
    if extra is not None:
        document["extra"] = extra
    return document


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds to wait before answering (to trip read timeouts).
    delay: float = 0.0
    #: Close the connection without answering.
    drop: bool = False
    #: Send headers and only this many bytes of the body, then close.
    cut_after: int | None = None
    #: Send the body in chunks of this size with no Content-Length (Transfer-Encoding: chunked).
    chunked: int | None = None

    @classmethod
    def json(cls, document: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        return cls(status, json.dumps(document).encode(), {"Content-Type": "application/json", **(headers or {})})


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


Handler = Callable[["RecordedApi", LoggedRequest, re.Match[str]], Reply]


class RecordedApi:
    """The server: start(), then point the CLI at `url`."""

    def __init__(self, token: str = "test-token-7f3a9c", account_id: int | None = None) -> None:
        self.token = token
        self.account_id = account_id
        self.requests: list[LoggedRequest] = []
        self.faults: list[tuple[str, str, Reply]] = []
        self.runs: list[dict[str, Any]] = []
        #: The largest page the server hands out, whatever `limit` asks (dbt Cloud's is 100).
        self.page_cap = 100
        self.artifacts: dict[str, bytes] = {
            "run_results.json": (SAMPLES / "run_get_artifact_response.json").read_bytes(),
            "manifest.json": b'{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"}}',
        }
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = [
            (method, re.compile(f"^{pattern}$"), handler) for method, pattern, handler in ROUTES
        ]

    # -- control ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> RecordedApi:
        api = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _handle(self) -> None:
                api._serve(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle  # noqa: N815 - the stdlib's names

        self._server = _QuietServer(("127.0.0.1", 0), RequestHandler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def fail_next(self, reply: Reply, *, times: int = 1, method: str = "*", path: str = ".*") -> None:
        """The next `times` requests matching method and path (a regex) get `reply` instead."""
        with self._lock:
            self.faults.extend((method, path, reply) for _ in range(times))

    def add_runs(self, count: int, **fields: Any) -> None:
        base = sample("run_get_response")["data"]
        with self._lock:
            start = len(self.runs) + 1
            for number in range(start, start + count):
                self.runs.append({**base, "id": number, **fields})

    def requests_to(self, method: str, path_pattern: str) -> list[LoggedRequest]:
        pattern = re.compile(path_pattern)
        return [r for r in self.requests if r.method == method and pattern.search(r.path)]

    # -- serving ------------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        request = LoggedRequest(
            method=handler.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
        )
        with self._lock:
            self.requests.append(request)
            reply = self._take_fault(request)
        if reply is None:
            reply = self._answer(request)
        self._send(handler, reply)

    def _take_fault(self, request: LoggedRequest) -> Reply | None:
        for index, (method, path, reply) in enumerate(self.faults):
            if method in ("*", request.method) and re.search(path, request.path):
                del self.faults[index]
                return reply
        return None

    def _answer(self, request: LoggedRequest) -> Reply:
        auth = request.headers.get("authorization", "")
        scheme, _, given = auth.partition(" ")
        if scheme not in ("Token", "Bearer") or given != self.token:
            return Reply.json(envelope(None, 401, "Invalid token."), 401)
        match_account = re.match(r"^/api/v\d/accounts/(\d+)/", request.path)
        if self.account_id is not None and match_account and int(match_account.group(1)) != self.account_id:
            return Reply.json(envelope(None, 403, "Access denied: Token is not scoped to account."), 403)
        for method, pattern, route in self.routes:
            if method == request.method:
                match = pattern.match(request.path)
                if match:
                    return route(self, request, match)
        return Reply.json(envelope(None, 404, "The requested resource was not found."), 404)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        if reply.drop:
            handler.close_connection = True
            handler.connection.close()
            return
        handler.send_response(reply.status)
        for key, value in reply.headers.items():
            handler.send_header(key, value)
        if reply.chunked:
            handler.send_header("Transfer-Encoding", "chunked")
            handler.end_headers()
            for start in range(0, len(reply.body), reply.chunked):
                piece = reply.body[start : start + reply.chunked]
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            handler.wfile.write(b"0\r\n\r\n")
            return
        handler.send_header("Content-Length", str(len(reply.body)))
        handler.end_headers()
        if reply.cut_after is not None:
            handler.wfile.write(reply.body[: reply.cut_after])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        handler.wfile.write(reply.body)


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up mid-answer are part of the tests, not errors worth printing."""

    def get_request(self) -> tuple[Any, Any]:
        connection, address = super().get_request()
        # Headers and body go out in two writes; without this, Nagle's algorithm holds the body
        # for the client's delayed ACK: 40 ms per answer on a kept-alive connection.
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        return


# --- routes ------------------------------------------------------------------------------------


def _fixed(name: str) -> Handler:
    return lambda api, request, match: Reply.json(sample(name), sample(name)["status"]["code"])


def _echo_update(api: RecordedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    return Reply.json(envelope(request.body))


def _get_for_update(name: str) -> Handler:
    return _fixed(name)


def _run_list(api: RecordedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    query = {k: v[-1] for k, v in request.query.items()}
    runs = list(api.runs)
    if "job_definition_id" in query:
        runs = [r for r in runs if str(r.get("job_definition_id")) == query["job_definition_id"]]
    if "status" in query:
        runs = [r for r in runs if str(r.get("status")) == query["status"]]
    order = query.get("order_by", "id")
    runs.sort(key=lambda r: r["id"], reverse=order.startswith("-"))
    offset = int(query.get("offset", 0))
    limit = min(int(query.get("limit", 100)), api.page_cap)
    page = runs[offset : offset + limit]
    filters = {"account_id": int(match.group(1)), "limit": limit, "offset": offset}
    extra = {"filters": filters, "order_by": order, "pagination": {"count": len(page), "total_count": len(runs)}}
    return Reply.json(envelope(page, extra=extra))


def _artifact(api: RecordedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    path = unquote(match.group(2))
    content = api.artifacts.get(path)
    if content is None:
        return Reply.json(envelope(None, 404, f"No artifact {path} for this run."), 404)
    return Reply(200, content, {"Content-Type": "application/json"})


def _graphql(api: RecordedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    query = (request.body or {}).get("query", "") if isinstance(request.body, dict) else ""
    if "syntax error" in query:
        return Reply.json({"data": None, "errors": [{"message": "Syntax Error: Unexpected Name"}]})
    return Reply.json({"data": {"job": {"id": 43167, "models": [{"name": "customers"}]}}})


A = r"/api/v2/accounts/(\d+)"
A3 = r"/api/v3/accounts/(\d+)"
ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", r"/api/v2/accounts/", _fixed("account_list_response")),
    ("GET", A + r"/", _fixed("account_get_response")),
    ("GET", A3 + r"/audit-logs/", _fixed("audit_log_get_response")),
    ("GET", A3 + r"/projects/(\d+)/connections/", _fixed("connection_list_response")),
    ("POST", A3 + r"/projects/(\d+)/connections/", _fixed("connection_create_response")),
    ("GET", A3 + r"/projects/(\d+)/connections/(\d+)/", _fixed("connection_get_response")),
    ("DELETE", A3 + r"/projects/(\d+)/connections/(\d+)/", _fixed("connection_delete_response")),
    ("GET", A3 + r"/projects/(\d+)/environments/", _fixed("environment_list_response")),
    ("POST", A3 + r"/projects/(\d+)/environments/", _fixed("environment_create_response")),
    ("GET", A3 + r"/projects/(\d+)/environments/(\d+)/", _fixed("environment_get_response")),
    ("POST", A3 + r"/projects/(\d+)/environments/(\d+)/", _echo_update),
    ("DELETE", A3 + r"/projects/(\d+)/environments/(\d+)/", _fixed("environment_delete_response")),
    ("GET", A3 + r"/projects/", _fixed("project_list_response")),
    ("POST", A3 + r"/projects/", _fixed("project_create_response")),
    ("GET", A3 + r"/projects/(\d+)/", _fixed("project_get_response")),
    ("POST", A3 + r"/projects/(\d+)/", _echo_update),
    ("DELETE", A3 + r"/projects/(\d+)/", _fixed("project_delete_response")),
    ("GET", A + r"/jobs/", _fixed("job_list_response")),
    ("POST", A + r"/jobs/", _fixed("job_create_response")),
    ("GET", A + r"/jobs/(\d+)/", _fixed("job_get_response")),
    ("POST", A + r"/jobs/(\d+)/", _echo_update),
    ("DELETE", A + r"/jobs/(\d+)/", _fixed("job_delete_response")),
    ("POST", A + r"/jobs/(\d+)/run/", _fixed("job_run_response")),
    ("GET", A + r"/runs/", _run_list),
    ("GET", A + r"/runs/(\d+)/", _fixed("run_get_response")),
    ("POST", A + r"/runs/(\d+)/cancel/", _fixed("run_cancel_response")),
    ("GET", A + r"/runs/(\d+)/artifacts/", _fixed("run_list_artifacts_response")),
    ("GET", A + r"/runs/\d+/artifacts/(.+)", lambda api, r, m: _artifact(api, r, m)),
    ("POST", r"/graphql", _graphql),
]
