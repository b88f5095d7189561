"""A server trickling its answer a byte at a time (each byte well inside the per-read timeout) is cut
off at the deadline of the whole answer, and the retry budget counts the time it took."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.conftest import invoke

BODY = b'{"status": {"code": 200, "is_success": true}, "data": {"id": 1}}'
#: Seconds between two bytes: far under the --timeout of the tests, so only a deadline cuts it.
GAP = 0.05


@dataclass
class TrickleServer:
    """Answers every connection byte by byte: from the status line on (`headers_fast=False`) or
    after headers sent at once. Counts connections and how many bytes each got before the client
    hung up."""

    headers_fast: bool = False
    connections: int = 0
    sent: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(BODY)
        payload = head + BODY
        slow = payload if not self.headers_fast else payload[len(head) :]
        count = 0
        with conn:
            conn.recv(65536)
            try:
                if self.headers_fast:
                    conn.sendall(head)
                    count += len(head)
                for index in range(len(slow) - 1):  # never the last byte: only a deadline ends it
                    if self._stop.is_set():
                        break
                    conn.sendall(slow[index : index + 1])
                    count += 1
                    time.sleep(GAP)
                self._stop.wait(60)
            except OSError:
                pass  # the client hung up: what the test wants
            self.sent.append(count)

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()


@pytest.fixture(params=[False, True], ids=["status-line-trickles", "body-trickles"])
def trickle(request: pytest.FixtureRequest) -> Iterator[TrickleServer]:
    server = TrickleServer(headers_fast=request.param)
    yield server
    server.stop()


ENV = {"DBT_CLOUD_API_TOKEN": "dbtc_trickletest", "DBT_CLOUD_ACCOUNT_ID": "1"}


def test_a_trickling_answer_is_cut_off_at_the_deadline(trickle: TrickleServer) -> None:
    env = {**ENV, "DBT_CLOUD_HOST": trickle.url}
    outcome = invoke(["--timeout", "0.5", "--max-retries", "0", "account", "get"], env=env)
    assert outcome.exit_code == 1, outcome.stderr
    assert len(outcome.stderr_lines) == 1, outcome.stderr
    assert "did not arrive within the timeout (the server is sending very slowly; raise --timeout" in outcome.stderr, (
        outcome.stderr
    )
    assert trickle.connections == 1


def test_the_retry_budget_counts_the_time_of_trickling_attempts(trickle: TrickleServer) -> None:
    """Each attempt is cut at 0.4 s; with a budget of 1 s there is room for two or three attempts,
    not for the 20 retries --max-retries allows."""
    env = {**ENV, "DBT_CLOUD_HOST": trickle.url}
    outcome = invoke(["--timeout", "0.4", "--retry-budget", "1", "account", "get"], env=env)
    assert outcome.exit_code == 1, outcome.stderr
    assert "did not arrive within the timeout; gave up after" in outcome.stderr, outcome.stderr
    assert "raise --timeout" in outcome.stderr, "the command line's hint"
    assert 2 <= trickle.connections <= 4, trickle.connections


def test_the_async_client_keeps_the_same_deadline(trickle: TrickleServer) -> None:
    import asyncio

    from dbt_cloud.api.operations.account import AccountGet
    from dbt_cloud.config import Settings
    from dbt_cloud.errors import APITimeoutError
    from dbt_cloud.http.async_client import AsyncDbtCloudClient

    settings = Settings(api_token="dbtc_trickletest", base_url=trickle.url, timeout=0.5, max_retries=0)

    async def ask() -> None:
        async with AsyncDbtCloudClient(settings) as client:
            await client.send(AccountGet(account_id=1))

    with pytest.raises(APITimeoutError, match="did not arrive within the timeout"):
        asyncio.run(ask())
    assert trickle.connections == 1
