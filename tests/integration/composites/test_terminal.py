"""On a terminal: one live line while waiting, and Ctrl-C asks whether to cancel the run. The real
console script runs in a pseudo-terminal, as a person would see it."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from pathlib import Path

from tests.support.scripted_api import ScriptedServer

ROOT = Path(__file__).resolve().parents[3]
CLEAR_LINE = b"\r\x1b[2K"


class Terminal:
    """`dbt-cloud ARGS` with a pseudo-terminal as its controlling terminal, stdin and output."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the command
            os.chdir(ROOT)
            os.execve(
                sys.executable, [sys.executable, "-m", "dbt_cloud", *args], {**os.environ, **env, "TERM": "xterm"}
            )
        self.output = b""

    def read_until(self, wanted: bytes, timeout: float = 30) -> bytes:
        deadline = time.monotonic() + timeout
        while wanted not in self.output and time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:  # the command has ended and closed the terminal
                    break
                if not chunk:
                    break
                self.output += chunk
        assert wanted in self.output, self.output.decode(errors="replace")
        return self.output

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def exit_code(self) -> int:
        while True:
            try:
                self.output += os.read(self.fd, 4096)
            except OSError:
                break
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


def test_a_live_line_on_a_terminal(scripted: ScriptedServer) -> None:
    args = ["job", "run", "--job-id", str(scripted.jobs["slow"]), "--wait", "--wait-timeout", "1.5"]
    terminal = Terminal([*args, "--poll-interval", "0.2"], scripted.env())
    terminal.read_until(b"did not finish within 1.5s")
    assert terminal.exit_code() == 1
    text = terminal.output
    assert text.count(CLEAR_LINE) >= 3, "the line is redrawn in place"
    assert b"Run " in text
    assert b": Running  (" in text, "the status with the time waited"
    assert b"Queued -> " not in text, "no line per change on a terminal"


def test_ctrl_c_on_a_terminal_asks_and_cancels(scripted: ScriptedServer) -> None:
    args = ["job", "run", "--job-id", str(scripted.jobs["slow"]), "--wait", "--poll-interval", "0.2"]
    terminal = Terminal(args, scripted.env())
    terminal.read_until(b": Running  (")
    terminal.type(b"\x03")  # Ctrl-C, as the terminal sends it
    terminal.read_until(b"Cancel run")
    terminal.type(b"y\n")
    terminal.read_until(b"Cancelled run")
    assert terminal.exit_code() == 130
    assert len(scripted.api.requests_to("POST", r"/runs/\d+/cancel/$")) == 1
    assert b"Traceback" not in terminal.output


def test_a_progress_bar_on_a_terminal(scripted: ScriptedServer, tmp_path: Path) -> None:
    run = scripted.api.add_run(scripted.api.jobs[scripted.jobs["build"]])
    run.artifacts[(None, "manifest.json")] = b"{}" * 500_000
    target = tmp_path / "manifest.json"
    args = ["run", "get-artifact", "--run-id", str(run.data["id"]), "--path", "manifest.json", "-f", str(target)]
    terminal = Terminal(args, scripted.env())
    assert terminal.exit_code() == 0
    assert b"\x1b[2Kmanifest.json [" in terminal.output, "the file's name, a bar, the share done"
    assert b"/976.6 KB" in terminal.output
    assert target.stat().st_size == 1_000_000
