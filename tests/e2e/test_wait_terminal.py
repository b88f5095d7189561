"""`job run --wait` on a terminal (a real pseudo-terminal, drawn by pyte): the live line names the
step that is running, and is replaced by the final line when the run ends."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator

import pytest

from tests.support.local_runner import LocalRunner
from tests.support.secrets_watch import record
from tests.support.terminal import VirtualTerminal


@pytest.fixture
def terminals() -> Iterator[list[VirtualTerminal]]:
    started: list[VirtualTerminal] = []
    yield started
    for terminal in started:
        terminal.close()
        record("the terminal of dbt-cloud job run --wait", terminal.transcript.decode("utf-8", "replace"))


def test_the_live_line_names_the_running_step(terminals: list[VirtualTerminal], local_runner: LocalRunner) -> None:
    job_id = local_runner.jobs["build"]
    env = {**local_runner.env(), "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    argv = [
        sys.executable,
        "-m",
        "dbt_cloud",
        "job",
        "run",
        "--job-id",
        str(job_id),
        "--wait",
        "--poll-interval",
        "0.5",
    ]
    terminal = VirtualTerminal(argv, rows=30, columns=120, env=env)
    terminals.append(terminal)
    screen = terminal.wait_for("step 4/4 `dbt build`", timeout=120)
    (live,) = [line for line in screen.splitlines() if "step 4/4" in line]
    assert re.fullmatch(r"[|/\\-] Run \d+: Running, step 4/4 `dbt build`  \([^)]+\)", live.strip()), live
    assert terminal.wait_for_exit(timeout=120) == 0
    written = terminal.written_since_key()  # all of it: the run's JSON scrolls the screen
    assert re.search(r"Run \d+ finished: Success after ", written)
    assert '"run_steps": []' in written, "stdout holds the run as `run get` prints it"
