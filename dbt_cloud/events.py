"""Events the client emits while it works: one stream, read by the CLI's progress and debug output
and by callbacks of programmatic users. Events never carry the token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    """Base class of all events."""


@dataclass(frozen=True)
class RequestSent(Event):
    method: str
    url: str
    attempt: int


@dataclass(frozen=True)
class ResponseReceived(Event):
    method: str
    url: str
    status_code: int
    elapsed_seconds: float


@dataclass(frozen=True)
class RetryScheduled(Event):
    method: str
    url: str
    attempt: int
    wait_seconds: float
    reason: str


@dataclass(frozen=True)
class PageFetched(Event):
    offset: int
    count: int
    total_count: int | None


@dataclass(frozen=True)
class DownloadProgress(Event):
    path: str
    bytes_done: int
    bytes_total: int | None


EventHandler = Callable[[Event], None]
