"""Print the drift test's coverage of the vendored specs at the end of a run that ran it."""

from __future__ import annotations

from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.unit.test_spec_drift import COVERAGE

    if COVERAGE:
        covered, total = COVERAGE["covered"], COVERAGE["total"]
        terminalreporter.write_line(
            f"spec coverage: {covered} of {total} operations of the vendored specs have a command"
        )
