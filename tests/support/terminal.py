"""A program in a real pseudo-terminal, its output drawn on an emulated screen: what a person would
see, for tests (and benchmarks) of interactive commands.

pexpect runs the program in a pty; pyte, a VT100/xterm emulator, draws what it writes and answers its
queries (the cursor position report) the way a terminal does. Terminal libraries such as blessed ask
the terminal about itself at start-up and wait seconds for an answer that a bare pty never gives.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence

import pexpect
import pyte

#: A device control string (ESC P ... ESC \\): blessed's capability queries. A terminal consumes them;
#: pyte does not know them and would draw their payload, so they are taken out before it sees them.
_DCS = re.compile(rb"\x1bP.*?\x1b\\", re.DOTALL)
#: Control sequences, for reading what was written as plain text.
_CONTROL = re.compile(r"\x1b(\[[0-9;?>]*[ -/]*[@-~]|[78=>]|\][^\x07]*\x07)")

KEYS = {
    "up": "\x1b[A",
    "down": "\x1b[B",
    "enter": "\r",
    "ctrl-c": "\x03",
    "backspace": "\x7f",
}


class VirtualTerminal:
    def __init__(
        self,
        argv: Sequence[str],
        *,
        rows: int = 50,
        columns: int = 120,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
    ) -> None:
        self.screen = pyte.Screen(columns, rows)
        # pyte hands its answers to terminal queries (e.g. ESC [ 6 n) to this hook.
        self.screen.write_process_input = self._reply
        self.stream = pyte.ByteStream(self.screen)
        environment = {"TERM": "xterm-256color", "LANG": "C.UTF-8", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        environment.update(env or {})
        self.child = pexpect.spawn(argv[0], list(argv[1:]), dimensions=(rows, columns), env=environment, cwd=cwd)
        self.transcript = b""
        self._pending = b""
        #: Where the transcript stood at the last key press: text must be drawn after it to count.
        self._mark = 0

    def _reply(self, data: str) -> None:
        self.child.send(data)

    def pump(self, seconds: float = 0.05) -> bool:
        """Draw what the program wrote within `seconds`; False once it has exited."""
        try:
            data = self.child.read_nonblocking(65536, timeout=seconds)
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            return False
        self.transcript += data
        data = _DCS.sub(b"", self._pending + data)
        start = data.rfind(b"\x1bP")
        data, self._pending = (data[:start], data[start:]) if start >= 0 else (data, b"")
        self.stream.feed(data)
        return True

    def text(self) -> str:
        """The screen as a person sees it, trailing blanks removed."""
        return "\n".join(line.rstrip() for line in self.screen.display).rstrip("\n")

    def written_since_key(self) -> str:
        """What the program wrote since the last key press, as plain text."""
        return _CONTROL.sub("", self.transcript[self._mark :].decode("utf-8", "replace"))

    def wait_for(self, *texts: str, timeout: float = 20.0) -> str:
        """Wait until every one of `texts` is on the screen, drawn since the last key press (not left
        over from an earlier screen), and the program has finished drawing; return the screen."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.text()
            fresh = self.written_since_key()
            if all(text in screen and text in fresh for text in texts):
                self._wait_until_quiet()
                return self.text()
            alive = self.pump()
            if time.monotonic() > deadline or not alive:
                missing = [text for text in texts if text not in self.text()]
                raise AssertionError(f"not on the screen: {missing!r}\n--- screen ---\n{self.text()}")

    def press(self, *keys: str) -> None:
        """Type key names (`down`, `enter`, ...) and text, in one write.

        inquirer reads keys with readchar, which discards input that arrives while the program is not
        reading (it sets the terminal with TCSAFLUSH before each key): what a person types while the
        screen is still being drawn is lost. So the keys go in one write, once the program has been
        quiet for a moment (waiting for a key); and if it draws nothing in answer, they were lost,
        and are typed again.
        """
        data = "".join(KEYS.get(key, key) for key in keys)
        for _ in range(3):
            self._wait_until_quiet()
            self._mark = len(self.transcript)
            self.child.send(data)
            deadline = time.monotonic() + 3.0
            while len(self.transcript) == self._mark and time.monotonic() < deadline:
                if not self.pump(0.05):
                    return  # it exited: the keys were read
            if len(self.transcript) > self._mark:
                return
        raise AssertionError(f"the program did not answer {keys!r}\n--- screen ---\n{self.text()}")

    def _wait_until_quiet(self, seconds: float = 0.3, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = len(self.transcript)
            if not self.pump(seconds) or len(self.transcript) == before:
                return

    def wait_for_exit(self, timeout: float = 20.0) -> int:
        deadline = time.monotonic() + timeout
        while self.pump() and time.monotonic() < deadline:
            pass
        self.child.close()
        return int(self.child.exitstatus if self.child.exitstatus is not None else -(self.child.signalstatus or 0))

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
