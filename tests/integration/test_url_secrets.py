"""A password in the host URL (`http://user:pw@host`) is a secret as the token is: never in --debug
lines, error lines, tracebacks or reprs, and the token, not the URL's user part, still
authenticates."""

from __future__ import annotations

import pytest

from dbt_cloud.config import Settings
from tests.conftest import invoke
from tests.support.local_runner import LocalRunner
from tests.support.secrets_watch import remember_secret

PASSWORD = "secretpw-in-the-host"


def with_password(runner: LocalRunner, password: str = PASSWORD) -> str:
    return runner.base_url.replace("http://", f"http://someone:{password}@")


@pytest.fixture(autouse=True)
def watched() -> None:
    remember_secret(PASSWORD)  # the suite's watch fails any test whose output holds it


def test_debug_lines_mask_the_password_and_the_token_still_authenticates(local_runner: LocalRunner) -> None:
    job_id = local_runner.jobs["build"]
    env = local_runner.env(DBT_CLOUD_HOST=with_password(local_runner))
    outcome = invoke(["--debug", "job", "get", "--job-id", str(job_id)], env=env)
    assert outcome.exit_code == 0, outcome.stderr
    assert PASSWORD not in outcome.stderr
    assert "someone:****@127.0.0.1" in outcome.stderr, "the debug lines show the URL, its password masked"
    assert "Token ****" in outcome.stderr


def test_error_lines_and_tracebacks_mask_the_password(local_runner: LocalRunner) -> None:
    env = local_runner.env(DBT_CLOUD_HOST=with_password(local_runner))
    outcome = invoke(["--debug", "job", "get", "--job-id", "987654321"], env=env)
    assert outcome.exit_code == 1
    assert "404" in outcome.stderr
    assert PASSWORD not in outcome.stderr


def test_a_short_password_is_masked_in_debug_lines_too(local_runner: LocalRunner) -> None:
    """Too short for the redaction pass (which would mask every "pw" in the output): the URL is
    shown masked where it is built."""
    env = local_runner.env(DBT_CLOUD_HOST=with_password(local_runner, "pw"))
    outcome = invoke(["--debug", "job", "get", "--job-id", str(local_runner.jobs["build"])], env=env)
    assert outcome.exit_code == 0, outcome.stderr
    assert ":pw@" not in outcome.stderr
    assert "someone:****@" in outcome.stderr


def test_the_settings_repr_masks_the_password() -> None:
    settings = Settings.resolve({"dbt_cloud_host": f"https://someone:{PASSWORD}@example.com", "api_token": "t0ken"})
    assert PASSWORD not in repr(settings)
    assert "https://someone:****@example.com" in repr(settings)
    assert settings.url_password == PASSWORD


def test_a_malformed_host_with_a_password_is_refused_without_it() -> None:
    outcome = invoke(["job", "list", "--dbt-cloud-host", f"http://someone:{PASSWORD}@[::1"])
    assert outcome.exit_code == 2
    assert PASSWORD not in outcome.stderr
    assert "someone:****@" in outcome.stderr
