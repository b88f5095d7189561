"""`-f FILE` writes into whatever is at the path: a regular file is replaced whole (through a
symlink, which stays a link), a FIFO, a device or /dev/stdout is streamed into, and a device that
refuses the bytes (/dev/full) is exit 1 with one plain line and the node left as it was.

Each case runs `run watch RUN -f TARGET` on a finished run of the local runner (a read: no run is
started)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import invoke
from tests.support.fifo import fifo_with_reader
from tests.support.local_runner import LocalRunner


@pytest.fixture(scope="module")
def finished_run(local_runner: LocalRunner) -> int:
    job_id = local_runner.seed_jobs(1)[0]
    return local_runner.seed_runs(job_id, 1, status=10)[0]


def watch_into(runner: LocalRunner, run_id: int, target: str) -> list[str]:
    return ["run", "watch", str(run_id), "-f", target]


def test_dev_stdout_gets_the_answer_on_the_process_stdout(local_runner: LocalRunner, finished_run: int) -> None:
    env = {**os.environ, **local_runner.env(), "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-m", "dbt_cloud", *watch_into(local_runner, finished_run, "/dev/stdout")],
        capture_output=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["data"]["id"] == finished_run
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_a_symlink_stays_a_link_and_its_target_gets_the_answer(
    local_runner: LocalRunner, finished_run: int, tmp_path: Path
) -> None:
    target = tmp_path / "kept" / "run.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    outcome = invoke(watch_into(local_runner, finished_run, str(link)), env=local_runner.env())
    assert outcome.exit_code == 0, outcome.stderr
    assert link.is_symlink()
    assert json.loads(target.read_text())["data"]["id"] == finished_run


def test_a_fifo_reader_gets_the_answer(local_runner: LocalRunner, finished_run: int, tmp_path: Path) -> None:
    fifo = tmp_path / "answers"
    with fifo_with_reader(fifo) as received:
        outcome = invoke(watch_into(local_runner, finished_run, str(fifo)), env=local_runner.env())
    assert outcome.exit_code == 0, outcome.stderr
    assert json.loads(received[0])["data"]["id"] == finished_run
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_dev_null_takes_the_answer_and_stays_a_device(local_runner: LocalRunner, finished_run: int) -> None:
    before = os.lstat("/dev/null")
    outcome = invoke(watch_into(local_runner, finished_run, "/dev/null"), env=local_runner.env())
    assert outcome.exit_code == 0, outcome.stderr
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert after.st_ino == before.st_ino


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
def test_dev_full_is_exit_1_with_a_plain_line_and_the_node_stays(local_runner: LocalRunner, finished_run: int) -> None:
    before = os.lstat("/dev/full")
    outcome = invoke(watch_into(local_runner, finished_run, "/dev/full"), env=local_runner.env())
    assert outcome.exit_code == 1
    assert outcome.stderr_lines[-1] == "Error: Could not write /dev/full: No space left on device"
    assert "Traceback" not in outcome.stderr
    assert "unexpected" not in outcome.stderr
    after = os.lstat("/dev/full")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
