"""`job run --reuse-existing` from 8 processes at once, against the local runner: one run does the
work, the runs some of them had to trigger are cancelled before they start (and each says so),
and all 8 report the same run and exit 0."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import invoke
from tests.support.fault_proxy import FaultProxy
from tests.support.local_runner import LocalRunner
from tests.support.tiny_project import prepare_tiny

INVOCATIONS = 8
#: Each process imports the command line first, then waits on stdin, so that the 8 are let go at
#: the same moment: the race is between their requests, not between their start-up times.
AT_ONCE = (
    "import sys\n"
    "from dbt_cloud.cli import main\n"
    "import dbt_cloud.cli.commands.job_composites, dbt_cloud.http.client\n"
    "print('ready', file=sys.stderr, flush=True)\n"
    "sys.stdin.readline()\n"
    "main(sys.argv[1:])\n"
)
SECONDS = 180


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRunner]:
    folder = tmp_path_factory.mktemp("reuse")
    started = LocalRunner(folder / "data")
    prepare_tiny(started, folder / "tiny")
    started.start()
    yield started
    started.stop()


def test_eight_at_once_end_with_one_run_doing_the_work(runner: LocalRunner, tmp_path: Path) -> None:
    job_id = runner.jobs["build"]
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith("DBT_CLOUD_")},
        **runner.env(DBT_CLOUD_CONFIG=str(tmp_path / "config.toml")),
    }
    command = [sys.executable, "-c", AT_ONCE, "job", "run", "--job-id", str(job_id), "--reuse-existing"]
    command += ["--wait", "--poll-interval", "0.2"]
    processes = [
        subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        for _ in range(INVOCATIONS)
    ]
    for process in processes:
        assert process.stderr is not None
        assert process.stderr.readline() == "ready\n"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("\n")
        process.stdin.flush()
    outcomes = [(process, *process.communicate(timeout=SECONDS)) for process in processes]
    for process, _, stderr in outcomes:
        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr
    reported = {json.loads(stdout)["data"]["id"] for _, stdout, _ in outcomes}
    assert len(reported) == 1, f"every invocation reports the same run, not {sorted(reported)}"
    (winner,) = reported
    runs = _runs_of_job(runner, job_id)
    assert runs[winner]["status"] == 10, runs[winner]["status_message"]
    redundant = [run for run_id, run in runs.items() if run_id != winner]
    assert all(run["status"] == 30 for run in redundant), [run["status"] for run in redundant]
    assert all(run["started_at"] is None for run in redundant), "cancelled before they started"
    assert all(run_id > winner for run_id in runs if run_id != winner), "the oldest run is the one kept"
    told = [stderr for _, _, stderr in outcomes if "Cancelled run " in stderr]
    assert len(told) == len(redundant), "each invocation whose run was redundant says so"
    for stderr in told:
        assert f"since run {winner} of job {job_id} was triggered first" in stderr
    assert len(runs) <= INVOCATIONS


class RunTriggeredMeanwhile(FaultProxy):
    """Passes everything through, and just before our trigger reaches the runner, triggers a run of
    the same job itself: another invocation winning the race, on demand."""

    def __init__(self, runner: LocalRunner) -> None:
        super().__init__(upstream=runner.base_url, rate=0.0)
        self.runner = runner
        self.other: int | None = None

    def choose(self, method: str, path: str) -> str | None:
        if method == "POST" and path.endswith("/run/") and self.other is None:
            with self.runner.http() as http:
                answer = http.post(path, json={"cause": "the other invocation"})
            self.other = int(answer.json()["data"]["id"])
        return super().choose(method, path)


def test_a_run_triggered_between_the_look_and_ours_wins_and_ours_is_cancelled(runner: LocalRunner) -> None:
    job_id = runner.jobs["build"]
    before = set(_runs_of_job(runner, job_id))
    proxy = RunTriggeredMeanwhile(runner).start()
    try:
        outcome = invoke(
            ["job", "run", "--job-id", str(job_id), "--reuse-existing", "--wait", "--poll-interval", "0.2"],
            env=runner.env(DBT_CLOUD_HOST=proxy.url),
        )
    finally:
        proxy.stop()
    assert outcome.exit_code == 0, outcome.stderr
    other = proxy.other
    assert other is not None
    assert json.loads(outcome.stdout)["data"]["id"] == other, "the older run is reported"
    (ours,) = set(_runs_of_job(runner, job_id)) - before - {other}
    assert ours > other
    assert (
        f"Cancelled run {ours}, triggered here, since run {other} of job {job_id} was triggered first: "
        f"attaching to run {other} (--reuse-existing)"
    ) in outcome.stderr_lines
    runs = _runs_of_job(runner, job_id)
    assert runs[ours]["status"] == 30
    assert runs[ours]["started_at"] is None, "cancelled while it was queued behind the older run"
    assert runs[other]["status"] == 10


def _runs_of_job(runner: LocalRunner, job_id: int) -> dict[int, dict[str, Any]]:
    with runner.http() as http:
        answer = http.get(f"/api/v2/accounts/{runner.account_id}/runs/", params={"job_definition_id": job_id})
    return {int(run["id"]): run for run in answer.json()["data"]}
