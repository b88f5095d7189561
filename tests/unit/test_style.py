"""When colour is wanted: a terminal, unless NO_COLOR (non-empty) or TERM=dumb; FORCE_COLOR where
there is no terminal."""

from __future__ import annotations

import io

import pytest

from dbt_cloud.terminal.style import Style, colour_wanted


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        super().isatty()  # raises ValueError once closed, as a real stream does
        return True


@pytest.mark.parametrize(
    ("env", "terminal", "wanted"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": ""}, True, True),
        ({"TERM": "dumb"}, True, False),
        ({"FORCE_COLOR": "1"}, False, True),
        ({"FORCE_COLOR": "0"}, False, False),
        ({"FORCE_COLOR": "1", "NO_COLOR": "yes"}, False, False),
        ({"FORCE_COLOR": "1", "TERM": "dumb"}, False, False),
    ],
)
def test_colour_wanted(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], terminal: bool, wanted: bool) -> None:
    monkeypatch.setenv("TERM", "xterm")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    stream = FakeTerminal() if terminal else io.StringIO()
    assert colour_wanted(stream) is wanted


def test_a_closed_or_missing_stream_gets_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    closed = FakeTerminal()
    closed.close()
    assert not colour_wanted(closed)
    assert not colour_wanted(None)


def test_painting() -> None:
    on, off = Style(True), Style(False)
    assert on.status("Success") == "\x1b[32mSuccess\x1b[0m"
    assert on.status("Running") == "Running"
    assert off.status("Error") == "Error"
    assert on.error_line("Error: no") == "\x1b[31;1mError:\x1b[0m no"
    assert on.error_line("Aborted.") == "Aborted."
    assert on.bold("") == ""
