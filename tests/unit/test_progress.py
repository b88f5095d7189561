"""What a person sees on stderr while waiting or downloading: a live line on a terminal, plain
lines elsewhere."""

from __future__ import annotations

import io

from dbt_cloud.cli.progress import CLEAR_LINE, DownloadBar, RunProgress
from dbt_cloud.events import DownloadProgress, RunFinished, RunStatusChanged


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
