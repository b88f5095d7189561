"""The deadline of one answer, beside the per-read timeout.

httpx bounds each read (the gap between bytes), not the whole exchange: a server trickling a byte a
second holds a request for as long as it likes. The client sets a deadline around each attempt;
our network streams (dbt_cloud.http.wire) cut every connect, read and write to what is left of it,
and the client checks it between the pieces of a body it reads (which covers transports that are
not ours, e.g. httpx's own behind a proxy, once the headers are in).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

#: The moment (time.monotonic) by which the answer being read must be complete, or None. Set by the
#: client around one attempt (`answer_deadline`); every read and write of our streams waits at most
#: until then, so a server trickling a byte a second cannot hold a request past it, whatever the
#: per-read timeout. A context variable: each thread and task has its own request.
_DEADLINE: ContextVar[float | None] = ContextVar("dbt_cloud_answer_deadline", default=None)

DEADLINE_MESSAGE = "the whole answer did not arrive within the deadline"


@contextmanager
def answer_deadline(seconds: float) -> Iterator[None]:
    """Reads and writes of our streams inside the block end by `seconds` from now."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def deadline_passed() -> bool:
    deadline = _DEADLINE.get()
    return deadline is not None and time.monotonic() >= deadline


def within_deadline(timeout: float | None, error: type[Exception]) -> float | None:
    """The timeout of one read or write, cut to what is left before the deadline."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error(DEADLINE_MESSAGE)
    return left if timeout is None else min(timeout, left)
