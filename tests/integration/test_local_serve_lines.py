"""What `local serve` says on its stderr: a line when a run starts and when it ends (id, job,
status, duration), one on shutdown; `--quiet` for none of them."""

from __future__ import annotations

import re
import time
from pathlib import Path

from tests.support.local_runner import LocalRunner
from tests.support.tiny_project import BROKEN, prepare_tiny

WAIT_SECONDS = 120
TIME = r"\d\d:\d\d:\d\d  "


def _trigger(runner: LocalRunner, job_id: int) -> int:
    with runner.http() as http:
        answer = http.post(f"/api/v2/accounts/{runner.account_id}/jobs/{job_id}/run/", json={"cause": "lines"})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["data"]["id"])


def _line(runner: LocalRunner, pattern: str) -> str:
    """The first stderr line that matches, waiting for it (the watcher looks twice a second)."""
    compiled = re.compile(pattern)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        for line in list(runner.stderr):
            if compiled.search(line):
                return line.rstrip("\n")
        time.sleep(0.1)
    raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(runner.stderr)}")


def test_serve_tells_each_run_start_and_end_and_its_shutdown(tmp_path: Path) -> None:
    runner = LocalRunner(tmp_path / "data")
    prepare_tiny(runner, tmp_path / "tiny")
    runner.start(concurrency=1)
    try:
        good = _trigger(runner, runner.jobs["build"])
        queued = _trigger(runner, runner.jobs["build"])  # waits behind the first: same environment
        with runner.http() as http:
            http.post(f"/api/v2/accounts/{runner.account_id}/runs/{queued}/cancel/")
        runner.wait_for_run(good)
        bad = _trigger(runner, runner.jobs[BROKEN])
        runner.wait_for_run(bad)
        build = runner.jobs["build"]
        assert re.fullmatch(
            f"{TIME}Run {good} of job {build} \\(Build\\) started", _line(runner, f"Run {good} .*started")
        )
        ended = _line(runner, f"Run {good} .*ended")
        assert re.fullmatch(f"{TIME}Run {good} of job {build} \\(Build\\) ended: Success in \\d+\\.\\ds", ended), ended
        cancelled = _line(runner, f"Run {queued} .*ended")
        assert cancelled.endswith(f"Run {queued} of job {build} (Build) ended: Cancelled before it started"), cancelled
        assert sum(f"Run {queued} " in line for line in runner.stderr) == 1, "told once"
        failed = _line(runner, f"Run {bad} .*ended")
        assert re.search(f"Run {bad} of job {runner.jobs[BROKEN]} \\(Broken\\) ended: Error in \\S+: Step \\d", failed)
    finally:
        runner.stop()
    lines = [line.rstrip("\n") for line in runner.stderr]
    stop = [index for index, line in enumerate(lines) if re.fullmatch(f"{TIME}Stopped", line)]
    assert stop, lines
    assert stop[0] > max(index for index, line in enumerate(lines) if "ended:" in line), lines
    assert "Traceback" not in "".join(runner.stderr)


def test_quiet_serve_says_nothing_on_stderr(tmp_path: Path) -> None:
    runner = LocalRunner(tmp_path / "data")
    prepare_tiny(runner, tmp_path / "tiny")
    runner.start(concurrency=1, extra=("--quiet",))
    try:
        run = runner.wait_for_run(_trigger(runner, runner.jobs["build"]))
        assert run["status"] == 10, run["status_message"]
        time.sleep(0.6)  # the watcher's next look, which would have told the run's end
    finally:
        runner.stop()
    assert list(runner.stderr) == []
