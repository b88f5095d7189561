"""Stubbed HTTP answers behind `httpx.MockTransport`, for faults a real server cannot be made to
produce on cue. Like gh's httpmock registry: each stub answers requests that match it, and
`verify()` (the `http_stubs` fixture calls it after the test) fails the test when a stub was never
requested, so a test cannot pass while its stubs stand unused.

    stubs.add("GET", "/api/v2/accounts/1/runs/7/", json={"data": {...}})
    stubs.add("GET", "/api/v2/accounts/1/runs/7/", [503, 200])   # answers in turn, the last repeats
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


@dataclass
class Stub:
    method: str
    path: str
    answers: list[Answer]
    #: The requests this stub answered, in order.
    requests: list[httpx.Request] = field(default_factory=list)

    def matches(self, request: httpx.Request) -> bool:
        return request.method == self.method and request.url.path == self.path

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        chosen = self.answers[min(len(self.requests), len(self.answers)) - 1]
        return chosen(request) if callable(chosen) else chosen


class StubRegistry:
    """The stubs of one test; `transport()` and `async_transport()` answer from them."""

    def __init__(self) -> None:
        self.stubs: list[Stub] = []
        self.unmatched: list[httpx.Request] = []

    def add(
        self,
        method: str,
        path: str,
        answers: Answer | int | Sequence[Answer | int] = 200,
        *,
        json: Any = None,
    ) -> Stub:
        """A stub for `METHOD path`: each answer a status code (with `json` as its body), a
        response, or a function of the request; several are given in turn, the last repeating."""
        listed = list(answers) if isinstance(answers, (list, tuple)) else [answers]
        made = [httpx.Response(item, json=json) if isinstance(item, int) else item for item in listed]
        stub = Stub(method.upper(), path, made)
        self.stubs.append(stub)
        return stub

    def handle(self, request: httpx.Request) -> httpx.Response:
        for stub in self.stubs:
            if stub.matches(request):
                return stub.answer(request)
        self.unmatched.append(request)
        return httpx.Response(599, json={"status": {"is_success": False, "user_message": "no stub"}})

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def async_transport(self) -> httpx.MockTransport:
        async def handle(request: httpx.Request) -> httpx.Response:
            return self.handle(request)

        return httpx.MockTransport(handle)

    def verify(self) -> None:
        """Every stub was requested and every request had a stub; else an AssertionError naming them."""
        unused = [f"{stub.method} {stub.path}" for stub in self.stubs if not stub.requests]
        strays = [f"{request.method} {request.url.path}" for request in self.unmatched]
        problems = []
        if unused:
            problems.append(f"stubs never requested: {', '.join(unused)}")
        if strays:
            problems.append(f"requests without a stub: {', '.join(strays)}")
        assert not problems, "; ".join(problems)
