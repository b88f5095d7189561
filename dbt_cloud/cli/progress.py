"""Progress for people, on stderr, drawn from the client's events: the state of a run being waited
for, and downloads. On a terminal one live line is redrawn in place; anywhere else (CI logs, files)
each change is one plain line, and nothing is redrawn.

Renderers are event handlers (`renderer(event)`), so what they show is exactly what a programmatic
callback would receive.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import IO

from dbt_cloud.api.runs import format_seconds, step_label
from dbt_cloud.events import (
    DownloadProgress,
    Event,
    RunFinished,
    RunStatusChanged,
    StepStarted,
    WaitInterrupted,
    WaitResumed,
)
from dbt_cloud.terminal.style import Style

SPINNER = "|/-\\"
CLEAR_LINE = "\r\x1b[2K"
#: Redraws of a live line at most this often (seconds): a fast download emits thousands of events.
REDRAW_SECONDS = 0.1
#: Off a terminal, a line at least this often (seconds) while a run is waited for.
HEARTBEAT_SECONDS = 60.0


def local_now() -> datetime:
    return datetime.now().astimezone()


def outage_line(event: WaitInterrupted | WaitResumed, now: datetime) -> str:
    """The one line said when the polls of a wait start failing, or are answered again."""
    if isinstance(event, WaitInterrupted):
        until = (now + timedelta(seconds=event.window_seconds)).strftime("%H:%M")
        return (
            f"dbt Cloud is not answering ({event.reason}); still waiting for run {event.run_id}, "
            f"will keep trying until {until}"
        )
    polls = "poll" if event.failed_polls == 1 else "polls"
    return (
        f"dbt Cloud is answering again after {format_seconds(event.outage_seconds)} "
        f"({event.failed_polls} {polls} failed); still waiting for run {event.run_id}"
    )


class OutageNotice:
    """Only the outage lines of a wait (`run logs --follow`, whose stdout is the logs)."""

    def __init__(self, stream: IO[str], *, wall: Callable[[], datetime] = local_now) -> None:
        self.stream = stream
        self.wall = wall

    def __call__(self, event: Event) -> None:
        if isinstance(event, (WaitInterrupted, WaitResumed)):
            self.stream.write(outage_line(event, self.wall()) + "\n")
            self.stream.flush()


def is_terminal(stream: IO[str]) -> bool:
    """A live line only where a person watches: a TTY, and not a dumb terminal."""
    try:
        return stream.isatty() and os.environ.get("TERM", "") != "dumb"
    except (AttributeError, ValueError):
        return False


class RunProgress:
    """Shows the run's URL once, then its status and the step that is running: live with the time
    waited, or one line per change with a heartbeat line when nothing else was said for a minute
    (a CI log that stays silent for the length of a long step looks hung)."""

    def __init__(
        self,
        stream: IO[str],
        *,
        live: bool,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = local_now,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.stream = stream
        self.live = live
        self.clock = clock
        self.wall = wall
        self.heartbeat_seconds = heartbeat_seconds
        self.started = clock()
        self._said_at = self.started
        self._line: str | None = None
        self._frame = 0
        self._status: dict[int, str] = {}
        self._step: dict[int, str] = {}
        #: The run waited for, while it has not finished: what the heartbeat is about.
        self._waiting: int | None = None
        #: Statuses in their colours (success green, error red, cancelled yellow) where colour is wanted.
        self.style = Style.for_stream(stream)

    def __call__(self, event: Event) -> None:
        paint = self.style.status
        if isinstance(event, RunStatusChanged):
            status = paint(event.status_humanized)
            if event.previous_status is None:
                where = f": {event.url}" if event.url else ""
                self._print(f"Run {event.run_id}{where}")
                if not self.live:
                    self._print(f"Run {event.run_id}: {status}")
            elif not self.live:
                before = self._status.get(event.run_id, str(event.previous_status))
                self._print(f"Run {event.run_id}: {paint(before)} -> {status}")
            self._status[event.run_id] = event.status_humanized
            self._waiting = event.run_id
            self._relive(event.run_id)
        elif isinstance(event, StepStarted):
            of = f"/{event.total}" if event.total else ""
            self._step[event.run_id] = f"step {event.index}{of} {step_label(event.name)}"
            if not self.live:
                self._print(f"Run {event.run_id}: {self._step[event.run_id]} running")
            self._relive(event.run_id)
        elif isinstance(event, RunFinished):
            took = f" after {format_seconds(event.duration_seconds)}" if event.duration_seconds is not None else ""
            self._line = None
            self._waiting = None
            self._print(f"Run {event.run_id} finished: {paint(event.status_humanized)}{took}")
        elif isinstance(event, (WaitInterrupted, WaitResumed)):
            self._print(outage_line(event, self.wall()))
            self.tick()

    def _state(self, run_id: int) -> str:
        """ "Running, step 3/8 `dbt build`": the run's status and the step it is at."""
        status = self.style.status(self._status.get(run_id, "unknown"))
        step = self._step.get(run_id)
        return f"{status}, {step}" if step else status

    def _relive(self, run_id: int) -> None:
        if self.live:
            self._line = f"Run {run_id}: {self._state(run_id)}"
            self.tick()

    def tick(self) -> None:
        """Redraw the live line (the spinner and the time waited move on)."""
        if not self.live or self._line is None:
            return
        self._frame = (self._frame + 1) % len(SPINNER)
        waited = format_seconds(self.clock() - self.started)
        self.stream.write(f"{CLEAR_LINE}{SPINNER[self._frame]} {self._line}  ({waited})")
        self.stream.flush()

    def heartbeat(self) -> None:
        """Off a terminal: one line when nothing was said for `heartbeat_seconds`, so a CI log shows
        the wait is alive and where the run is."""
        if self.live or self._waiting is None or self.clock() - self._said_at < self.heartbeat_seconds:
            return
        waited = format_seconds(self.clock() - self.started)
        self._print(f"Run {self._waiting}: still {self._state(self._waiting)} (waited {waited})")

    def sleeper(self, sleep: Callable[[float], None] = time.sleep) -> Callable[[float], None]:
        """A `sleep` for the waiter that keeps the live line moving while it waits, or the
        heartbeat coming off a terminal."""

        def pause(seconds: float) -> None:
            if not self.live:
                sleep(seconds)
                self.heartbeat()
                return
            end = self.clock() + seconds
            while (left := end - self.clock()) > 0:
                sleep(min(left, 0.5))
                self.tick()

        return pause

    def close(self) -> None:
        """End the live line so what follows starts on its own line."""
        if self.live and self._line is not None:
            self.stream.write(CLEAR_LINE)
            self.stream.flush()
        self._line = None

    def _print(self, text: str) -> None:
        if self.live:
            self.stream.write(CLEAR_LINE)
        self.stream.write(text + "\n")
        self.stream.flush()
        self._said_at = self.clock()


def format_bytes(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GB"  # pragma: no cover - the loop returns


class DownloadBar:
    """One live line for every download under way (they may run concurrently): bytes, share and
    speed. Draws nothing off a terminal, where the final "Wrote ..." lines say enough."""

    WIDTH = 24

    def __init__(self, stream: IO[str], *, live: bool, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.live = live
        self.clock = clock
        self.started = clock()
        self._files: dict[str, tuple[int, int | None]] = {}
        self._drawn_at = 0.0
        self._drawn = False
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        if not self.live or not isinstance(event, DownloadProgress):
            return
        with self._lock:
            self._files[event.path] = (event.bytes_done, event.bytes_total)
            now = self.clock()
            if now - self._drawn_at < REDRAW_SECONDS:
                return
            self._drawn_at = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        done = sum(d for d, _ in self._files.values())
        totals = [t for _, t in self._files.values()]
        total = sum(t for t in totals if t) if all(totals) else None
        speed = done / max(now - self.started, 1e-6)
        label = os.path.basename(next(iter(self._files))) if len(self._files) == 1 else f"{len(self._files)} files"
        if total:
            share = min(done / total, 1.0)
            filled = int(share * self.WIDTH)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            text = f"{label} [{bar}] {share:4.0%} {format_bytes(done)}/{format_bytes(total)}"
        else:
            text = f"{label} {format_bytes(done)}"
        self.stream.write(f"{CLEAR_LINE}{text} {format_bytes(speed)}/s")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        with self._lock:
            if self._drawn:
                self.stream.write(CLEAR_LINE)
                self.stream.flush()
                self._drawn = False
