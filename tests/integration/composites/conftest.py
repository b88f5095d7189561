"""The server the composite commands are tested against, as a fixture that can be swapped.

Today it is the scripted server (`tests/support/scripted_api.py`); the bundled local runner offers
the same interface (`base_url`, `token`, `account_id`, `project_id`, `environment_id`, `jobs`,
`env()`, `seed_runs`, `seed_jobs`) and takes over the happy paths when it lands. Tests that need a
fault a healthy server never produces (a stream cut midway, a 503) ask for `scripted` by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.conftest import TOKEN, Outcome, invoke
from tests.support.scripted_api import ScriptedServer

Cli = Callable[..., Outcome]


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer(TOKEN)
    yield server
    server.stop()


@pytest.fixture
def server(scripted: ScriptedServer) -> ScriptedServer:
    """The dbt-Cloud-compatible server of the happy paths."""
    return scripted


@pytest.fixture
def dbt(server: ScriptedServer) -> Cli:
    """Run the CLI against `server`, as the console script would."""

    def call(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Outcome:
        return invoke(["--max-retries", "2", *args], env={**server.env(), **(env or {})}, stdin=stdin)

    return call
