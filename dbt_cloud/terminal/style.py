"""Colour for people, never for programs.

Colour goes only to a stream that is a terminal, and never when the user said no: `NO_COLOR` set to
anything but the empty string (https://no-color.org) or `TERM=dumb` turn it off whatever else is
set; `FORCE_COLOR` (non-empty, not "0") turns it on where there is no terminal, for CI logs that
render ANSI. A stream that gets no colour gets the very same text without the escape codes, so
what a pipe or a file receives does not change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import IO

RESET = "\x1b[0m"
CODES = {"bold": "1", "red": "31", "green": "32", "yellow": "33"}
#: A run's status (as the API names it, `status_humanized`) -> its colour: how it ended, at a glance.
STATUS_COLOURS = {"success": "green", "error": "red", "cancelled": "yellow"}


def colour_wanted(stream: IO[str] | None) -> bool:
    """Whether text written to `stream` may carry colour."""
    if os.environ.get("NO_COLOR", "") != "":
        return False
    if os.environ.get("TERM", "") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR", "").strip().lower() not in ("", "0", "false", "no"):
        return True
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


@dataclass(frozen=True)
class Style:
    """Paints text for one stream, or hands it back unchanged when that stream gets no colour."""

    enabled: bool

    @classmethod
    def for_stream(cls, stream: IO[str] | None) -> Style:
        return cls(colour_wanted(stream))

    def paint(self, text: str, *styles: str) -> str:
        if not self.enabled or not styles or not text:
            return text
        return f"\x1b[{';'.join(CODES[style] for style in styles)}m{text}{RESET}"

    def bold(self, text: str) -> str:
        return self.paint(text, "bold")

    def error(self, text: str) -> str:
        return self.paint(text, "red", "bold")

    def status(self, text: str) -> str:
        """A run status in its colour: green success, red error, yellow cancelled; others plain."""
        colour = STATUS_COLOURS.get(text.strip().lower())
        return self.paint(text, colour) if colour else text

    def error_line(self, line: str) -> str:
        """`Error: ...` with its prefix in red; any other line as it is."""
        prefix = "Error:"
        if not line.startswith(prefix):
            return line
        return self.error(prefix) + line[len(prefix) :]


PLAIN = Style(False)
