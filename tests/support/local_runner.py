"""The bundled local runner as a test fixture: a real server process on 127.0.0.1 and a free port,
with the demo project registered, driven by tests through the CLI and the client only.

State is seeded straight into the runner's SQLite store when a test needs volume (250 runs for
paging), since triggering that many dbt runs would test dbt, not us.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from dbt_cloud.local.bootstrap import database_path, demo_project_dir, ensure_account, register_project
from dbt_cloud.local.clock import now, to_api
from dbt_cloud.local.store import Store

STARTUP_SECONDS = 60
LISTENING = re.compile(r"listening on (http://\S+)")


@dataclass
class LocalRunner:
    data_dir: Path
    token: str = ""
    account_id: int = 0
    project_id: int = 0
    environment_id: int = 0
    jobs: dict[str, int] = field(default_factory=dict)
    base_url: str = ""
    process: subprocess.Popen[str] | None = None
    #: The last lines the server wrote (its start, warnings, errors it logged), stdout and stderr.
    output: deque[str] = field(default_factory=lambda: deque(maxlen=500))
    #: The last lines of its stderr alone (a line per run started and ended, errors it logged).
    stderr: deque[str] = field(default_factory=lambda: deque(maxlen=2000))

    # -- lifecycle ------------------------------------------------------------------------------

    def prepare(self) -> LocalRunner:
        store = Store(database_path(self.data_dir))
        try:
            self.account_id, _ = ensure_account(store)
            registered = register_project(store, self.account_id, demo_project_dir(), self.data_dir)
            self.token = store.create_token(self.account_id, "tests")
        finally:
            store.close()
        self.project_id = registered.project_id
        self.environment_id = registered.environment_id
        self.jobs = dict(registered.jobs)
        return self

    def start(self, port: int = 0, concurrency: int = 2, extra: tuple[str, ...] = ()) -> LocalRunner:
        command = [sys.executable, "-m", "dbt_cloud", "local", "serve", "--data-dir", str(self.data_dir)]
        command += ["--port", str(port), "--concurrency", str(concurrency), *extra]
        environment = {key: value for key, value in os.environ.items() if not key.startswith("DBT_CLOUD_")}
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
        )
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        threading.Thread(target=self._drain_errors, args=(self.process.stderr,), daemon=True).start()
        deadline = time.monotonic() + STARTUP_SECONDS
        seen = []
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            seen.append(line)
            match = LISTENING.search(line)
            if match:
                self.base_url = match.group(1)
                # The server goes on writing (its log of errors among it): read it all, or once the
                # pipe's buffer is full the server blocks in a write and answers nothing more.
                self.output.extend(seen)
                threading.Thread(target=self._drain, args=(self.process.stdout,), daemon=True).start()
                return self
        self.stop()
        raise RuntimeError("the local runner did not start:\n" + "".join(seen) + "".join(self.stderr))

    def _drain(self, stream: IO[str]) -> None:
        for line in stream:
            self.output.append(line)

    def _drain_errors(self, stream: IO[str]) -> None:
        for line in stream:
            self.stderr.append(line)
            self.output.append(line)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """SIGKILL the server, as a crash or an OOM killer would."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self.process = None

    # -- helpers for tests ----------------------------------------------------------------------

    def env(self, **overrides: str) -> dict[str, str]:
        """What the CLI needs to talk to this runner."""
        return {
            "DBT_CLOUD_HOST": self.base_url,
            "DBT_CLOUD_API_TOKEN": self.token,
            "DBT_CLOUD_ACCOUNT_ID": str(self.account_id),
            **overrides,
        }

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, headers={"Authorization": f"Token {self.token}"}, timeout=30)

    def wait_for_run(self, run_id: int, timeout: float = 180) -> dict[str, Any]:
        """Poll until the run completes (tests of the waiting commands use those instead)."""
        deadline = time.monotonic() + timeout
        with self.http() as client:
            while time.monotonic() < deadline:
                run = client.get(f"/api/v2/accounts/{self.account_id}/runs/{run_id}/").json()["data"]
                if run["is_complete"]:
                    return dict(run)
                time.sleep(0.2)
        raise TimeoutError(f"run {run_id} did not complete in {timeout} s")

    def store(self) -> Store:
        return Store(database_path(self.data_dir))

    def seed_runs(self, job_id: int, count: int, status: int = 10) -> list[int]:
        """Insert finished runs of a job without running dbt (for paging and bulk tests)."""
        store = self.store()
        try:
            job = store.get("job", job_id)
            assert job is not None, f"no job {job_id}"
            stamp = to_api(now())
            finished = stamp if status in (10, 20, 30) else None
            columns = [
                {
                    "account_id": job["account_id"],
                    "job_id": job_id,
                    "project_id": job["project_id"],
                    "environment_id": job["environment_id"],
                    "status": status,
                    "created_at": stamp,
                    "updated_at": stamp,
                    "finished_at": finished,
                }
                for _ in range(count)
            ]
            data = [{"trigger": {"cause": "seeded by a test"}, "steps": job["execute_steps"]} for _ in range(count)]
            return store.insert_runs(columns, data)
        finally:
            store.close()

    def seed_jobs(self, count: int, **fields: Any) -> list[int]:
        """Insert jobs in the demo project and environment (for paging and bulk tests)."""
        store = self.store()
        try:
            base = {
                "account_id": self.account_id,
                "project_id": self.project_id,
                "environment_id": self.environment_id,
                "execute_steps": ["dbt build"],
                "settings": {"threads": 4, "target_name": "default"},
                "execution": {"timeout_seconds": 0},
            }
            documents = [{**base, "name": f"Seeded job {index}", **fields} for index in range(count)]
            return store.insert_many("job", documents)
        finally:
            store.close()


def start_local_runner(data_dir: Path) -> Iterator[LocalRunner]:
    runner = LocalRunner(data_dir).prepare().start()
    try:
        yield runner
    finally:
        runner.stop()
