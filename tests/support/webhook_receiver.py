"""A webhook receiver for tests: a real HTTP server on 127.0.0.1 and a free port that keeps every
request it gets (headers and raw body) and answers with the status codes it is told to."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def signed_with(self, secret: str) -> bool:
        """The check dbt Cloud's documentation gives receivers: the Authorization header is the hex
        HMAC-SHA256 of the raw body keyed with the subscription's secret."""
        expected = hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers.get("authorization", ""))


class Receiver:
    def __init__(self, statuses: list[int] | None = None, then: int = 200) -> None:
        self.received: list[Received] = []
        self.statuses = list(statuses or [])  # answered in turn, then `then` for ever
        self.then = then
        self.redirect_to: str | None = None
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    status = receiver.statuses.pop(0) if receiver.statuses else receiver.then
                self.send_response(status)
                if 300 <= status < 400 and receiver.redirect_to:
                    self.send_header("Location", receiver.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def events(self, path: str = "/hook") -> list[Received]:
        with self._lock:
            return [item for item in self.received if item.path == path]

    def wait_for(self, count: int, path: str = "/hook", timeout: float = 120) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.events(path)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise TimeoutError(f"the receiver got {len(self.events(path))} of {count} requests in {timeout} s")


@contextmanager
def webhook_receiver(statuses: list[int] | None = None, then: int = 200) -> Iterator[Receiver]:
    receiver = Receiver(statuses, then)
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
