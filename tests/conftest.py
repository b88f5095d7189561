"""Fixtures shared by every test: an isolated environment, the recorded API server, and a way to
run the CLI in process exactly as the console script does (exit code, stdout, stderr)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dbt_cloud.cli import run
from dbt_cloud.http.retry import RetryPolicy
from tests.support.httpmock import StubRegistry
from tests.support.local_runner import LocalRunner, start_local_runner
from tests.support.packaging import Distributions, build
from tests.support.recorded_api import RecordedApi
from tests.support.secrets_watch import ISSUED, OUTPUTS, SECRETS, find_leaks, record, remember_secret

TOKEN = "test-token-7f3a9c"


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No test sees the developer's settings: DBT_CLOUD_* cleared, the profile file in tmp."""
    for name in list(os.environ):
        # GITHUB_*: the project's own CI runs on GitHub Actions, where GITHUB_ACTIONS=true would turn
        # on the CLI's GitHub output in every test.
        if name.startswith(("DBT_CLOUD_", "GITHUB_")) or name in ("LOG_LEVEL", "NO_COLOR", "FORCE_COLOR"):
            monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("DBT_CLOUD_CONFIG", str(config))
    return config


#: Retries of the command line wait milliseconds, not seconds, in tests (handed to `run`, the
#: command line's injection point); how long they wait is tested on RetryPolicy itself.
QUICK_BACKOFF = RetryPolicy(base_seconds=0.01, cap_seconds=0.05)


@pytest.fixture
def api() -> Iterator[RecordedApi]:
    server = RecordedApi(token=TOKEN).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def local_runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRunner]:
    """The bundled local runner, started once for the session, with the demo project registered."""
    for runner in start_local_runner(tmp_path_factory.mktemp("local-runner")):
        remember_secret(runner.token)
        yield runner


@pytest.fixture(scope="session")
def built_distributions(tmp_path_factory: pytest.TempPathFactory) -> Distributions:
    """The sdist and wheel, built once per session as a release builds them."""
    return build(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="session")
def built_wheel(built_distributions: Distributions) -> Path:
    return built_distributions.wheel


@pytest.fixture
def local_cli(local_runner: LocalRunner) -> object:
    """Run the CLI against the local runner."""

    def call(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Outcome:
        return invoke(list(args), env={**local_runner.env(), **(env or {})}, stdin=stdin)

    return call


def invoke(
    args: list[str],
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    retry_policy: RetryPolicy = QUICK_BACKOFF,
) -> Outcome:
    runner = CliRunner()
    for name, value in (env or {}).items():
        if "TOKEN" in name and value:
            remember_secret(value)
    with runner.isolation(input=stdin, env=env) as (stdout, stderr, _):
        code = run(list(args), debug="--debug" in args, retry_policy=retry_policy)
        sys.stdout.flush()
        sys.stderr.flush()
        outcome = Outcome(code, stdout.getvalue().decode(), stderr.getvalue().decode())
    shown = " ".join(args)[:80]
    record(f"stdout of dbt-cloud {shown}", outcome.stdout)
    record(f"stderr of dbt-cloud {shown}", outcome.stderr)
    return outcome


@pytest.fixture
def cli(api: RecordedApi) -> object:
    """Run the CLI against the recorded API with a valid token and account."""

    def call(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Outcome:
        base = {"DBT_CLOUD_API_TOKEN": TOKEN, "DBT_CLOUD_HOST": api.url, "DBT_CLOUD_ACCOUNT_ID": "123456"}
        return invoke(["--max-retries", "2", *args], env={**base, **(env or {})}, stdin=stdin)

    return call


remember_secret(TOKEN)


@pytest.fixture(autouse=True, scope="session")
def watch_runner_results() -> Iterator[None]:
    """What programmatic calls hand back (results, exceptions) is searched for tokens too."""
    from dbt_cloud.runner import DbtCloudRunner

    original = DbtCloudRunner.invoke

    def recording(self: DbtCloudRunner, args: Any, **kwargs: Any) -> Any:
        result = original(self, args, **kwargs)
        shown = " ".join(map(str, args))[:80]
        record(f"RunnerResult.exception of {shown}", repr(result.exception))
        record(f"RunnerResult.result of {shown}", repr(result.result)[:100_000])
        return result

    DbtCloudRunner.invoke = recording  # type: ignore[method-assign]
    yield
    DbtCloudRunner.invoke = original  # type: ignore[method-assign]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The token never leaks: search every output and file of the session for the tokens used."""
    base = getattr(session.config, "_tmp_path_factory", None)
    folder = base.getbasetemp() if base is not None else None
    leaks = find_leaks(folder, SECRETS, OUTPUTS, ISSUED)
    if leaks:
        print("\nA token leaked into: " + "; ".join(sorted(set(leaks))[:20]), file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def http_stubs() -> Iterator[StubRegistry]:
    """Stubbed HTTP answers (`httpx.MockTransport`) for faults a real server cannot produce on cue;
    the test fails when a stub was never requested (see tests/support/httpmock.py)."""
    registry = StubRegistry()
    yield registry
    registry.verify()
