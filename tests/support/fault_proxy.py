"""A proxy on 127.0.0.1 between the CLI and the local runner that breaks requests on purpose.

A seeded schedule decides, request by request, whether to pass it through or to inject a fault:
a 429 with Retry-After, a 5xx with a JSON or an HTML body, a connection reset before or after the
request reached the server, a stall past the client's read timeout, or a body cut midway. The same
seed gives the same faults, so a failure can be replayed. Every request and what was done to it is
logged, so tests can say which faults they survived.

A `script` of faults (None: pass through) is played first, one per request, before the seeded
schedule. A scripted "refused" is no answer at all: the proxy stops listening, so the next attempt
is refused at connect; a test calls `between_attempts()` from the client's (injected) sleep, which
closes the listener when "refused" is next and opens it again one attempt later.
"""

from __future__ import annotations

import contextlib
import http.client
import random
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

#: Faults that never reach the server: retrying them is always safe.
BEFORE_SERVER = ("429", "500", "502", "503", "504", "html_502", "reset_before")
#: Faults after the server acted: a client must not repeat a request that changes something.
AFTER_SERVER = ("reset_after", "stall_after", "cut_body")
FAULTS = BEFORE_SERVER + AFTER_SERVER


@dataclass
class Logged:
    method: str
    path: str
    fault: str | None


@dataclass
class FaultProxy:
    upstream: str
    rate: float = 0.3
    seed: int = 7
    #: How long a stall lasts: longer than the client's read timeout in the tests.
    stall_seconds: float = 2.0
    faults: tuple[str, ...] = FAULTS
    log: list[Logged] = field(default_factory=list)
    #: Decides instead of the seeded dice when given: (method, path) -> a fault or None. A test
    #: whose outage follows a clock it drives says here when the outage is.
    schedule: Callable[[str, str], str | None] | None = None
    #: Faults for the first requests, in order, before the seeded schedule (see the docstring).
    script: list[str | None] = field(default_factory=list)
    #: What a 429 says in Retry-After.
    retry_after: str = "0"

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._handler: type[BaseHTTPRequestHandler] | None = None
        self._open: set[socket.socket] = set()
        self.port = 0
        self.url = ""

    def choose(self, method: str, path: str) -> str | None:
        with self._lock:
            if self.script and self.script[0] != "refused":
                fault = self.script.pop(0)
            elif self.schedule is not None:
                fault = self.schedule(method, path)
            else:
                fault = self._random.choice(self.faults) if self._random.random() < self.rate else None
            self.log.append(Logged(method, path, fault))
            return fault

    def refuse(self) -> None:
        """Refuse connections from now on, as a host whose API is down does: the port is closed and
        the open connections dropped, so a client meets ECONNREFUSED, not an answer."""
        self.stop()
        with self._lock:
            for connection in list(self._open):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self._open.clear()

    def accept(self) -> None:
        """Listen again on the same port after `refuse`."""
        self._listen(self.port)

    def between_attempts(self) -> None:
        """Called between a client's attempts: stop listening when "refused" is next in the
        script, listen again once an attempt has been refused."""
        if self._server is None:  # the last attempt was refused
            self.accept()
        elif self.script and self.script[0] == "refused":
            self.script.pop(0)
            self.log.append(Logged("?", "?", "refused"))
            self.refuse()

    def start(self) -> FaultProxy:
        proxy = self
        target = urlsplit(self.upstream)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with proxy._lock:
                    proxy._open.add(self.connection)

            def finish(self) -> None:
                with proxy._lock:
                    proxy._open.discard(self.connection)
                super().finish()

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fault = proxy.choose(self.command, self.path)
                if fault in ("429", "500", "502", "503", "504"):
                    status = int(fault)
                    headers = {"Retry-After": proxy.retry_after} if status == 429 else {}
                    self._answer(status, b'{"status": {"code": %d, "is_success": false}}' % status, headers)
                    return
                if fault == "html_502":
                    self._answer(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", {}, "text/html")
                    return
                if fault == "reset_before":
                    self._reset()
                    return
                status, headers, payload = self._forward(body)
                if fault == "reset_after":
                    self._reset()
                    return
                if fault == "stall_after":
                    time.sleep(proxy.stall_seconds)
                    self._reset()
                    return
                if fault == "cut_body" and len(payload) > 1:
                    self.send_response(status)
                    for name, value in headers:
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload[: len(payload) // 2])
                    self.wfile.flush()
                    self._reset()
                    return
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = do_PATCH = do_PUT = _any  # noqa: N815 - http.server's names

            def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
                connection = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=60)
                try:
                    headers = {name: value for name, value in self.headers.items() if name.lower() != "host"}
                    connection.request(self.command, self.path, body=body or None, headers=headers)
                    response = connection.getresponse()
                    payload = response.read()
                    kept = [
                        (name, value)
                        for name, value in response.getheaders()
                        if name.lower() not in ("transfer-encoding", "content-length", "connection")
                    ]
                    kept.append(("Content-Length", str(len(payload))))
                    return response.status, kept, payload
                finally:
                    connection.close()

            def _answer(
                self, status: int, body: bytes, headers: dict[str, str], content_type: str = "application/json"
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _reset(self) -> None:
                # SO_LINGER 0: close with a TCP reset, as a crashed proxy or load balancer would.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()

        self._handler = Handler
        self._listen(0)
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    def _listen(self, port: int) -> None:
        assert self._handler is not None, "start() the proxy first"
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def injected(self) -> set[str]:
        return {entry.fault for entry in self.log if entry.fault}
