"""The retry policy: which failures are worth another attempt, and how long to wait.

Declared once here and used for every request (tenacity does the looping). A request that changes
something (POST, PUT, PATCH, DELETE) is retried only when the server certainly did not act on it:
the connection was never made, or the server said 429 (rate limiting happens before any work). A
read is also retried on 500/502/503/504, timeouts and dropped connections.

Retries end at whichever comes first: `max_retries` retries, or the retry budget, a span of time
from the first attempt (the time of the attempts counts, a trickling answer's too): no retry is
started whose wait would end past it. The clock and the sleep are the policy's, so a test can
drive them instead of waiting.
"""

from __future__ import annotations

import email.utils
import random
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from tenacity import RetryCallState

from dbt_cloud.defaults import DEFAULT_MAX_RETRIES, DEFAULT_RETRY_BUDGET

RETRYABLE_STATUS_FOR_READS = frozenset({500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_RETRY_AFTER_SECONDS = 120.0
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 8.0


class RetryableStatusError(Exception):
    """Raised inside the retry loop for an answer worth retrying; carries the response."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = DEFAULT_MAX_RETRIES
    #: Seconds from the first attempt after which no retry starts (see the module's docstring).
    budget_seconds: float = DEFAULT_RETRY_BUDGET
    base_seconds: float = BACKOFF_BASE_SECONDS
    cap_seconds: float = BACKOFF_CAP_SECONDS
    #: What time it is, for the budget: monotonic seconds.
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)
    #: How a sync client waits between attempts; None: the client's own (time.sleep by default).
    sleep: Callable[[float], None] | None = field(default=None, compare=False, repr=False)

    def stopper(self) -> Callable[[RetryCallState], bool]:
        """tenacity's `stop` for one request, its budget counted from now: stop after
        `max_retries` retries, or when the next wait would end past the budget (tenacity works
        out the wait before it asks whether to stop)."""
        started = self.clock()

        def stop(state: RetryCallState) -> bool:
            if state.attempt_number > self.max_retries:
                return True
            return self.clock() - started + state.upcoming_sleep > self.budget_seconds

        return stop

    def backoff(self, retry_number: int) -> float:
        """Exponential backoff with up to 25% jitter taken off, so clients spread out."""
        delay = min(self.base_seconds * 2.0 ** (retry_number - 1), self.cap_seconds)
        return delay * (1 - 0.25 * random.random())

    def wait_for(self, retry_number: int, exc: BaseException | None) -> float:
        """How long to wait before retry number `retry_number` (1-based)."""
        if isinstance(exc, RetryableStatusError):
            advised = retry_after_seconds(exc.response)
            if advised is not None:
                return advised
        return self.backoff(retry_number)


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The server's `Retry-After` (seconds or an HTTP date), when it is sane."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None  # unreadable: our own backoff decides
        seconds = parsed.timestamp() - time.time()
    if seconds < 0:
        return 0.0
    if seconds > MAX_RETRY_AFTER_SECONDS:
        return None  # fall back to our own backoff rather than sleep for minutes
    return seconds


def never_reached_server(exc: BaseException) -> bool:
    """True when the request certainly never got to the server (so even a trigger may be resent)."""
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


def is_permanent_connect_failure(exc: BaseException) -> bool:
    """Unknown host or a TLS failure: retrying cannot help."""
    cause: BaseException | None = exc
    seen = 0
    while cause is not None and seen < 10:
        if isinstance(cause, (socket.gaierror, ssl.SSLError)):
            return True
        text = str(cause)
        if "Name or service not known" in text or "nodename nor servname" in text:
            return True
        if "CERTIFICATE_VERIFY_FAILED" in text or ("SSL" in text and "handshake" in text.lower()):
            return True
        cause = cause.__cause__ or cause.__context__
        seen += 1
    return False


def should_retry(method: str, exc: BaseException) -> bool:
    idempotent = method.upper() in IDEMPOTENT_METHODS
    if isinstance(exc, RetryableStatusError):
        status = exc.response.status_code
        return status == 429 or (idempotent and status in RETRYABLE_STATUS_FOR_READS)
    if isinstance(exc, httpx.TransportError):
        if is_permanent_connect_failure(exc):
            return False
        return never_reached_server(exc) or idempotent
    return False


def describe(exc: BaseException) -> str:
    if isinstance(exc, RetryableStatusError):
        return f"HTTP {exc.response.status_code}"
    return type(exc).__name__
