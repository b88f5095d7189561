"""Timestamps as the dbt Cloud API writes them, and the humanized durations it reports."""

from __future__ import annotations

from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)


def to_api(moment: datetime | None) -> str | None:
    """`2021-12-07 10:34:14.507280+00:00`, the API's own format."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat(sep=" ", timespec="microseconds")


def from_api(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text)


def clock_duration(seconds: float | None) -> str | None:
    """`00:01:50`."""
    if seconds is None:
        return None
    whole = max(0, int(seconds))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def humanize_duration(seconds: float | None) -> str | None:
    """`1 minute, 50 seconds`, `0 seconds`."""
    if seconds is None:
        return None
    whole = max(0, int(seconds))
    parts = []
    for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
        count, whole = divmod(whole, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return ", ".join(parts[:2]) or "0 seconds"


def humanize_ago(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    text = humanize_duration((now() - moment).total_seconds())
    return f"{text} ago"
