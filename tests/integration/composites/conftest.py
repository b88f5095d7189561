"""The servers the composite commands are tested against, as fixtures that can be swapped.

`server` is the dbt-Cloud-compatible server of the happy paths; tests that use it touch it only
through the interface the bundled local runner offers too (`base_url`, `token`, `account_id`,
`project_id`, `environment_id`, `jobs` with "build", "failing" and "docs", `env()`, `seed_runs`,
`seed_jobs`) and through the CLI, so the local runner can take over by changing that one fixture.
Today it is the scripted server (`tests/support/scripted_api.py`). Tests that need what only the
scripted server gives (a fault on demand, the log of requests, a run that never ends) ask for
`scripted` and `dbt_scripted` by name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import pytest

from tests.conftest import TOKEN, Outcome, invoke
from tests.support.local_runner import LocalRunner
from tests.support.scripted_api import ScriptedServer

Cli = Callable[..., Outcome]
FAST = ("--poll-interval", "0.05")


class Server(Protocol):
    """What a test of the happy paths may use of its server (the local runner's interface)."""

    base_url: str
    token: str
    account_id: int
    project_id: int
    environment_id: int
    jobs: dict[str, int]

    def env(self) -> dict[str, str]: ...
    def seed_runs(self, job_id: int, count: int, status: int) -> list[int]: ...
    def seed_jobs(self, count: int, **fields: Any) -> list[int]: ...


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer(TOKEN)
    yield server
    server.stop()


@pytest.fixture
def server(local_runner: LocalRunner) -> Server:
    """The server of the happy paths: the bundled local runner, running dbt for real."""
    return local_runner


def cli_for(server: Server) -> Cli:
    def call(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Outcome:
        return invoke(["--max-retries", "2", *args], env={**server.env(), **(env or {})}, stdin=stdin)

    return call


@pytest.fixture
def dbt(server: Server) -> Cli:
    """Run the CLI against `server`, as the console script would."""
    return cli_for(server)


@pytest.fixture
def dbt_scripted(scripted: ScriptedServer) -> Cli:
    """Run the CLI against the scripted server."""
    return cli_for(scripted)


# --- reading the server's state through the CLI ---------------------------------------------------


def answer(outcome: Outcome) -> Any:
    assert outcome.exit_code == 0, outcome.stderr
    return json.loads(outcome.stdout)


def get_job(dbt: Cli, job_id: int) -> dict[str, Any]:
    return answer(dbt("job", "get", "--job-id", str(job_id)))["data"]  # type: ignore[no-any-return]


def active_jobs(dbt: Cli, environment_id: int) -> dict[int, dict[str, Any]]:
    listed = answer(dbt("job", "list", "--environment-id", str(environment_id), "--all"))["data"]
    return {job["id"]: job for job in listed if job.get("state", 1) == 1}


def get_run(dbt: Cli, run_id: int) -> dict[str, Any]:
    return answer(dbt("run", "get", "--run-id", str(run_id)))["data"]  # type: ignore[no-any-return]


def runs_of(dbt: Cli, job_id: int) -> dict[int, int]:
    """Run id -> status, for every run of the job."""
    listed = answer(dbt("run", "list", "--job-id", str(job_id), "--all"))["data"]
    return {run["id"]: run["status"] for run in listed}


def new_environment(dbt: Cli, server: Server, name: str) -> int:
    """A deployment environment of its own, for a test that filters or moves by environment."""
    project = str(server.project_id)
    made = answer(dbt("environment", "create", "--project-id", project, "--name", name, "--type", "deployment"))
    return int(made["data"]["id"])


def finished_run(dbt: Cli, server: Server, job: str) -> int:
    """A run of one of the server's jobs, triggered and waited for."""
    outcome = dbt("job", "run", "--job-id", str(server.jobs[job]), "--wait", *FAST)
    assert outcome.exit_code in (0, 1), outcome.stderr
    return int(json.loads(outcome.stdout)["data"]["id"])
