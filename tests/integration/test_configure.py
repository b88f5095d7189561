"""`dbt-cloud configure` without a terminal: flags only, `--check` tries them against the local runner
first, and with nothing given it says what to do (it cannot ask). The questions themselves, with a
scripted person answering, and in a real terminal in tests/e2e/test_configure_terminal.py."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest

from dbt_cloud.cli.commands.configure import Connection, Questions, _host_choice
from dbt_cloud.config import read_profiles
from tests.conftest import invoke
from tests.support.local_runner import LocalRunner

T = TypeVar("T")
WRONG_TOKEN = "dbtl_not-the-right-token-4242"


def flags(runner: LocalRunner, token: str | None = None) -> list[str]:
    return ["--api-token", token or runner.token, "--dbt-cloud-host", runner.base_url]


def test_nothing_given_without_a_terminal_says_what_to_do(isolated_environment: Path) -> None:
    outcome = invoke(["configure"])
    assert outcome.exit_code == 2
    assert outcome.stderr_lines == [
        "Error: Nothing to store: give at least one of --api-token, --account-id, --dbt-cloud-host, ... "
        "(or run it in a terminal, or with --interactive, to be asked)"
    ]
    asked = invoke(["configure", "--interactive"])
    assert asked.exit_code == 2
    assert asked.stderr_lines == ["Error: --interactive needs a terminal to ask in (give the values as flags instead)"]
    assert not isolated_environment.exists()


def test_check_tries_the_flags_before_saving(local_runner: LocalRunner, isolated_environment: Path) -> None:
    args = ["configure", "--check", *flags(local_runner), "--account-id", str(local_runner.account_id)]
    outcome = invoke(args)
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stderr_lines[0] == (
        f"Connected: {local_runner.base_url} answered: account {local_runner.account_id} (Local account)"
    )
    assert read_profiles(isolated_environment)["default"]["account_id"] == local_runner.account_id
    without_account = invoke(["configure", "--profile", "any", "--check", *flags(local_runner)])
    assert (
        without_account.stderr_lines[0] == f"Connected: {local_runner.base_url} answered; the token can see 1 account"
    )


def test_a_check_that_fails_saves_nothing(local_runner: LocalRunner, isolated_environment: Path) -> None:
    outcome = invoke(["configure", "--check", *flags(local_runner, WRONG_TOKEN), "--account-id", "1"])
    assert outcome.exit_code == 1
    assert len(outcome.stderr_lines) == 1
    assert outcome.stderr_lines[0].startswith("Error: ")
    assert not isolated_environment.exists()
    unreachable = invoke(["--max-retries", "0", "configure", "--check", "--dbt-cloud-host", "http://127.0.0.1:9"])
    assert unreachable.exit_code == 2, "no token to try: said before anything is sent"
    assert unreachable.stderr_lines == [
        "Error: No API token given (pass --api-token, set DBT_CLOUD_API_TOKEN, or store it with `dbt-cloud configure`)"
    ]


@pytest.mark.parametrize(
    ("stored", "choice", "typed"),
    [
        (None, "cloud.getdbt.com", ""),
        ("emea.dbt.com", "emea.dbt.com", ""),
        ("https://au.dbt.com/", "au.dbt.com", ""),
        ("ab123.us1.dbt.com", "access URL", "ab123.us1.dbt.com"),
        ("http://127.0.0.1:8765", "local runner", "http://127.0.0.1:8765"),
        ("http://localhost:9000", "local runner", "http://localhost:9000"),
        ("http://emea.dbt.com", "access URL", "http://emea.dbt.com"),
        ("https://x.com/a/path", "access URL", "https://x.com/a/path"),
    ],
)
def test_the_host_question_starts_at_the_stored_host(stored: str | None, choice: str, typed: str) -> None:
    assert _host_choice(stored) == (choice, typed)


class ScriptedPerson:
    """Answers questions from a script; records what was asked and where each question started."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, Any]] = []

    def _next(self, message: str, start: Any) -> Any:
        self.asked.append((message, start))
        return self.answers.pop(0)

    def choose(self, message: str, choices: Sequence[tuple[str, T]], default: T | None = None) -> T:
        label = self._next(message, default)
        return next(value for text, value in choices if text.startswith(label))

    def text(self, message: str, default: str = "", check: Any = None) -> str:
        answer = self._next(message, default)
        assert check is None or check(answer) is None, f"{message}: {check(answer)}"
        return str(answer)

    def secret(self, message: str, check: Any = None) -> str:
        return self.text(message, "", check)

    def confirm(self, message: str, default: bool = False) -> bool:
        return bool(self._next(message, default))


def test_an_access_url_and_an_account_not_listed(local_runner: LocalRunner, isolated_environment: Path) -> None:
    """A host typed as an account access URL is kept as typed; "another account id" asks for one;
    a failed check answered "yes, save anyway" saves."""
    person = ScriptedPerson(
        "an account access URL",
        local_runner.base_url,
        local_runner.token,
        "another account id",
        "424242",
        "",
        "",
        "",
        True,  # save anyway: account 424242 does not exist
    )
    saved = Questions(person, Connection(timeout=10, max_retries=0)).run("typed", {}, {})
    assert saved
    assert read_profiles(isolated_environment)["typed"] == {
        "dbt_cloud_host": local_runner.base_url,
        "api_token": local_runner.token,
        "account_id": 424242,
    }
    assert [message for message, _ in person.asked][-1] == "Save the profile anyway?"


def test_given_values_are_not_asked(local_runner: LocalRunner, isolated_environment: Path) -> None:
    person = ScriptedPerson(local_runner.token, "")
    given = {"dbt_cloud_host": local_runner.base_url, "account_id": local_runner.account_id, "job_id": 3}
    stored = {"project_id": 8, "metadata_url": "http://127.0.0.1:1/graphql"}
    profile = Questions(person, Connection(timeout=10, max_retries=0)).ask(stored, {**given, "environment_id": 2})
    assert [message for message, _ in person.asked] == [
        "API token (hidden)",
        "Default project id (optional; empty for none)",
    ]
    assert person.asked[1][1] == "8", "the stored value is offered"
    assert profile == {
        **given,
        "environment_id": 2,
        "api_token": local_runner.token,
        "project_id": None,
        "metadata_url": "http://127.0.0.1:1/graphql",
    }
