"""A local runner killed mid-run (SIGKILL: no chance to clean up) starts again with its data intact
and the interrupted run errored with a message saying why, so nothing stays "running" forever."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.support.local_runner import LocalRunner


def process_gone(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return True
    # Reparented orphans may linger as zombies until init reaps them: those run nothing.
    return "State:\tZ" in status.read_text()


def wait_for_status(http: httpx.Client, path: str, wanted: int, timeout: float = 120) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = http.get(path).json()["data"]
        if run["status"] == wanted:
            return dict(run)
        time.sleep(0.05)
    raise AssertionError(f"{path} never reached status {wanted}")


def test_a_killed_server_errors_the_interrupted_run_and_keeps_everything_else(tmp_path: Path) -> None:
    runner = LocalRunner(tmp_path / "runner").prepare().start()
    account = f"/api/v2/accounts/{runner.account_id}"
    try:
        with runner.http() as http:
            done = http.post(f"{account}/jobs/{runner.jobs['build']}/run/", json={"cause": "before"}).json()["data"]
        finished = runner.wait_for_run(done["id"])
        assert finished["status"] == 10
        with runner.http() as http:
            jobs_before = http.get(f"{account}/jobs/").json()["data"]
            running = http.post(f"{account}/jobs/{runner.jobs['docs']}/run/", json={"cause": "doomed"}).json()["data"]
            wait_for_status(http, f"{account}/runs/{running['id']}/", 3)
            queued = http.post(f"{account}/jobs/{runner.jobs['docs']}/run/", json={"cause": "queued"}).json()["data"]
        store = runner.store()
        worker_pid = store.get_run(running["id"])["worker_pid"]  # type: ignore[index]
        store.close()
        runner.kill()

        deadline = time.monotonic() + 10
        while not process_gone(worker_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert process_gone(worker_pid), "the run's worker outlived the server"

        runner.start()
        with runner.http() as http:
            interrupted = http.get(f"{account}/runs/{running['id']}/").json()["data"]
            was_queued = http.get(f"{account}/runs/{queued['id']}/").json()["data"]
            earlier = http.get(f"{account}/runs/{done['id']}/").json()["data"]
            jobs_after = http.get(f"{account}/jobs/").json()["data"]
            artifact = http.get(f"{account}/runs/{done['id']}/artifacts/run_results.json")
        assert interrupted["status"] == 20
        assert "stopped while this run was running" in interrupted["status_message"]
        assert interrupted["finished_at"] is not None
        assert was_queued["status"] == 20
        assert "stopped while this run was queued" in was_queued["status_message"]
        assert earlier["status"] == 10
        assert jobs_after == jobs_before
        assert artifact.status_code == 200
        assert artifact.json()["results"]
    finally:
        runner.stop()
