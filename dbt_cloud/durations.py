"""Durations as people type them: `90`, `90s`, `15m`, `2h`, `1h30m`. One parser for the command
line's DURATION options and the settings read from the environment and the profile."""

from __future__ import annotations

import re

from dbt_cloud.defaults import MAX_SECONDS

_PART = re.compile(r"(\d+(?:\.\d+)?)([smh])")
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(value: object) -> float:
    """Seconds; ValueError with the words to show when `value` is no duration or is negative."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration (try 90, 90s, 15m or 2h)")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = str(value).strip().lower()
        try:
            seconds = float(text)
        except ValueError:
            parts = _PART.findall(text)
            if not parts or "".join(n + u for n, u in parts) != text:
                raise ValueError(f"{value!r} is not a duration (try 90, 90s, 15m or 2h)") from None
            seconds = sum(float(number) * _UNITS[unit] for number, unit in parts)
    if seconds < 0 or seconds != seconds or seconds == float("inf"):
        raise ValueError("a duration cannot be negative" if seconds < 0 else "a duration must be a finite number")
    if seconds > MAX_SECONDS:
        raise ValueError(f"a duration must be at most {MAX_SECONDS:.0f} s (about 11 days)")
    return seconds
