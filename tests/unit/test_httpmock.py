"""The stub registry fails a test whose stubs were never asked for, and one that asked for what no
stub answers (as gh's httpmock `Verify` does)."""

from __future__ import annotations

import httpx
import pytest

from tests.support.httpmock import StubRegistry


def test_an_unused_stub_fails_verify() -> None:
    stubs = StubRegistry()
    stubs.add("GET", "/used/", 200, json={})
    stubs.add("POST", "/never/", 201)
    with httpx.Client(transport=stubs.transport(), base_url="http://127.0.0.1:9") as client:
        client.get("/used/")
    with pytest.raises(AssertionError, match=r"stubs never requested: POST /never/"):
        stubs.verify()


def test_a_request_without_a_stub_fails_verify() -> None:
    stubs = StubRegistry()
    with httpx.Client(transport=stubs.transport(), base_url="http://127.0.0.1:9") as client:
        assert client.get("/unknown/").status_code == 599
    with pytest.raises(AssertionError, match=r"requests without a stub: GET /unknown/"):
        stubs.verify()


def test_answers_come_in_turn_and_the_last_repeats() -> None:
    stubs = StubRegistry()
    stub = stubs.add("GET", "/flaky/", [503, 200])
    with httpx.Client(transport=stubs.transport(), base_url="http://127.0.0.1:9") as client:
        codes = [client.get("/flaky/").status_code for _ in range(3)]
    assert codes == [503, 200, 200]
    assert len(stub.requests) == 3
    stubs.verify()
