"""What a person sees on stderr while waiting or downloading: a live line on a terminal, plain
lines elsewhere."""

from __future__ import annotations

import io
from datetime import datetime, timezone

from dbt_cloud.cli.progress import CLEAR_LINE, DownloadBar, OutageNotice, RunProgress
from dbt_cloud.events import (
    DownloadProgress,
    RunFinished,
    RunStatusChanged,
    StepStarted,
    WaitInterrupted,
    WaitResumed,
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


EVENTS = [
    RunStatusChanged(7, 1, "Queued", None, "https://cloud.example/runs/7/"),
    RunStatusChanged(7, 3, "Running", 1),
    RunFinished(7, 10, "Success", 75.0),
]


def test_plain_lines_off_a_terminal() -> None:
    stream = io.StringIO()
    progress = RunProgress(stream, live=False)
    for event in EVENTS:
        progress(event)
    progress.tick()
    progress.close()
    assert stream.getvalue().splitlines() == [
        "Run 7: https://cloud.example/runs/7/",
        "Run 7: Queued",
        "Run 7: Queued -> Running",
        "Run 7 finished: Success after 1m 15s",
    ]
    assert "\r" not in stream.getvalue()


def test_one_live_line_on_a_terminal_with_the_time_waited() -> None:
    stream = io.StringIO()
    clock = Clock()
    progress = RunProgress(stream, live=True, clock=clock)
    progress(EVENTS[0])
    clock.now = 65
    progress(EVENTS[1])
    live = stream.getvalue().split(CLEAR_LINE)[-1]
    assert live.endswith("Run 7: Running  (1m 05s)")
    progress(EVENTS[2])
    text = stream.getvalue()
    assert text.endswith(f"{CLEAR_LINE}Run 7 finished: Success after 1m 15s\n")
    assert "Run 7: https://cloud.example/runs/7/\n" in text


def test_the_sleeper_keeps_the_live_line_moving() -> None:
    stream = io.StringIO()
    clock = Clock()
    progress = RunProgress(stream, live=True, clock=clock)
    progress(EVENTS[0])
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    progress.sleeper(sleep)(2.0)
    assert slept == [0.5, 0.5, 0.5, 0.5]
    assert stream.getvalue().count("Run 7: Queued") >= 5


def test_download_bar_only_on_a_terminal_and_throttled() -> None:
    quiet = io.StringIO()
    DownloadBar(quiet, live=False)(DownloadProgress("manifest.json", 10, 100))
    assert quiet.getvalue() == ""
    stream = io.StringIO()
    clock = Clock()
    bar = DownloadBar(stream, live=True, clock=clock)
    clock.now = 1.0
    bar(DownloadProgress("manifest.json", 50 * 1024 * 1024, 100 * 1024 * 1024))
    bar(DownloadProgress("manifest.json", 60 * 1024 * 1024, 100 * 1024 * 1024))  # within 0.1 s: not drawn
    assert stream.getvalue().count(CLEAR_LINE) == 1
    assert "manifest.json [############------------]  50% 50.0 MB/100.0 MB 50.0 MB/s" in stream.getvalue()
    bar.close()
    assert stream.getvalue().endswith(CLEAR_LINE)


def test_off_a_terminal_the_step_is_named_when_it_changes_and_a_heartbeat_comes_every_minute() -> None:
    stream = io.StringIO()
    clock = Clock()
    progress = RunProgress(stream, live=False, clock=clock)
    pause = progress.sleeper(lambda seconds: setattr(clock, "now", clock.now + seconds))
    progress(RunStatusChanged(26, 3, "Running", None, "https://cloud.example/runs/26/"))
    progress(StepStarted(26, 3, "Invoke dbt with `dbt build`", 8))
    for _ in range(13):  # 130 s of polls 10 s apart, nothing changing
        pause(10.0)
    progress(StepStarted(26, 4, "Invoke dbt with `dbt docs generate`", 8))
    pause(10.0)
    progress(RunFinished(26, 10, "Success", 140.0))
    for _ in range(10):
        pause(10.0)
    assert stream.getvalue().splitlines() == [
        "Run 26: https://cloud.example/runs/26/",
        "Run 26: Running",
        "Run 26: step 3/8 `dbt build` running",
        "Run 26: still Running, step 3/8 `dbt build` (waited 1m 00s)",
        "Run 26: still Running, step 3/8 `dbt build` (waited 2m 00s)",
        "Run 26: step 4/8 `dbt docs generate` running",
        "Run 26 finished: Success after 2m 20s",
    ], "no heartbeat once the run has finished"


def test_on_a_terminal_the_live_line_names_the_step() -> None:
    stream = io.StringIO()
    clock = Clock()
    progress = RunProgress(stream, live=True, clock=clock)
    progress(RunStatusChanged(26, 3, "Running", None))
    clock.now = 62
    progress(StepStarted(26, 1, "Clone git repository", None))
    assert stream.getvalue().split(CLEAR_LINE)[-1].endswith("Run 26: Running, step 1 Clone git repository  (1m 02s)")
    progress(StepStarted(26, 4, "Invoke dbt with `dbt build --select tag:nightly`", 8))
    assert (
        stream.getvalue()
        .split(CLEAR_LINE)[-1]
        .endswith("Run 26: Running, step 4/8 `dbt build --select tag:nightly`  (1m 02s)")
    )
    assert "\n" not in stream.getvalue().split("Run 26\n", 1)[-1], "the live line is redrawn, not repeated"


def test_an_outage_is_one_line_when_it_starts_and_one_when_it_ends() -> None:
    stream = io.StringIO()
    noon = datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)
    notice = OutageNotice(stream, wall=lambda: noon)
    notice(WaitInterrupted(26, "503", 900.0))
    notice(RunStatusChanged(26, 3, "Running", 1))
    notice(WaitResumed(26, 75.0, 9))
    assert stream.getvalue().splitlines() == [
        "dbt Cloud is not answering (503); still waiting for run 26, will keep trying until 12:15",
        "dbt Cloud is answering again after 1m 15s (9 polls failed); still waiting for run 26",
    ]
