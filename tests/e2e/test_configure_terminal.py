"""`dbt-cloud configure` as a person answers it in a terminal (a real pseudo-terminal, the screen read
back through a terminal emulator): the profile it writes works, the token is never shown, and a
failed check or Ctrl-C leaves the profile file as it was."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dbt_cloud.cli.commands.configure import TOKEN_ATTEMPTS
from dbt_cloud.config import read_profiles
from tests.support.local_runner import LocalRunner
from tests.support.secrets_watch import record
from tests.support.terminal import VirtualTerminal

pytestmark = pytest.mark.slow

CONFIGURE = [sys.executable, "-m", "dbt_cloud", "configure"]
#: Enough to empty any line of text inquirer offers already typed in.
CLEAR = ["backspace"] * 40


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "profiles" / "config.toml"


@pytest.fixture
def terminals(config: Path) -> Iterator[list[VirtualTerminal]]:
    """Terminals started by a test: closed at the end, what they showed searched for tokens."""
    started: list[VirtualTerminal] = []
    yield started
    for terminal in started:
        terminal.close()
        record("the terminal of dbt-cloud configure", terminal.transcript.decode("utf-8", "replace"))


def start(terminals: list[VirtualTerminal], config: Path, *args: str) -> VirtualTerminal:
    # Only what a terminal session has (TERM, LANG, PATH) and where the profile file is: no DBT_CLOUD_*.
    terminal = VirtualTerminal([*CONFIGURE, *args], rows=40, columns=100, env={"DBT_CLOUD_CONFIG": str(config)})
    terminals.append(terminal)
    return terminal


def to_the_token_prompt(terminal: VirtualTerminal, local_runner: LocalRunner) -> None:
    """Pick the local runner in the host menu and give its URL: the terminal is left at the token."""
    terminal.wait_for("dbt Cloud host")
    terminal.press("down", "down", "down", "down", "enter")
    terminal.wait_for("Local runner URL")
    terminal.press(*CLEAR, local_runner.base_url, "enter")
    terminal.wait_for("API token (hidden)")


def profiles(config: Path) -> dict[str, dict[str, object]]:
    return dict(read_profiles(config))


def dbt_cloud(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The console script with the profile file and nothing else: no DBT_CLOUD_* variable."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DBT_CLOUD_")}
    env["DBT_CLOUD_CONFIG"] = str(config)
    return subprocess.run(
        [sys.executable, "-m", "dbt_cloud", *args], env=env, capture_output=True, text=True, check=False, timeout=60
    )


def test_configure_a_local_runner_then_use_the_profile(
    terminals: list[VirtualTerminal], config: Path, local_runner: LocalRunner
) -> None:
    terminal = start(terminals, config, "--profile", "mine")
    screen = terminal.wait_for("dbt Cloud host")
    assert " > cloud.getdbt.com (North America)" in screen
    assert "   a local runner (dbt-cloud local serve)" in screen
    terminal.press("down", "down", "down", "down", "enter")
    assert "[?] Local runner URL: http://127.0.0.1:8765" in terminal.wait_for("Local runner URL")
    terminal.press(*CLEAR, local_runner.base_url, "enter")
    terminal.wait_for("API token (hidden)")
    terminal.press(local_runner.token, "enter")
    screen = terminal.wait_for(f"{local_runner.account_id}  Local account")
    assert f"[?] API token (hidden): {'*' * len(local_runner.token)}" in screen, "typed, drawn as stars"
    assert f" > {local_runner.account_id}  Local account" in screen, "the accounts the token can see"
    terminal.press("enter")
    terminal.wait_for("Default project id")
    terminal.press(str(local_runner.project_id), "enter")
    terminal.wait_for("Default environment id")
    terminal.press("enter")
    terminal.wait_for("Default job id")
    terminal.press("enter")
    screen = terminal.wait_for("Try it: dbt-cloud --profile mine job list")
    assert f"Connected: {local_runner.base_url} answered: account {local_runner.account_id} (Local account)" in screen
    assert terminal.wait_for_exit() == 0

    transcript = terminal.transcript.decode("utf-8", "replace")
    assert local_runner.token not in transcript, "the token was never echoed"
    assert local_runner.token not in terminal.text()
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert profiles(config) == {
        "mine": {
            "dbt_cloud_host": local_runner.base_url,
            "api_token": local_runner.token,
            "account_id": local_runner.account_id,
            "project_id": local_runner.project_id,
        }
    }

    listed = dbt_cloud(config, "--profile", "mine", "job", "list", "-o", "ids")
    assert listed.returncode == 0, listed.stderr
    assert set(local_runner.jobs.values()) <= {int(line) for line in listed.stdout.split()}


def test_answers_start_from_the_stored_profile(
    terminals: list[VirtualTerminal], config: Path, local_runner: LocalRunner
) -> None:
    flags = ["--api-token", local_runner.token, "--dbt-cloud-host", local_runner.base_url]
    flags += ["--account-id", str(local_runner.account_id), "--project-id", "999", "--job-id", "7"]
    assert dbt_cloud(config, "configure", *flags).returncode == 0
    terminal = start(terminals, config)
    assert " > a local runner (dbt-cloud local serve)" in terminal.wait_for("dbt Cloud host")
    terminal.press("enter")
    assert f"[?] Local runner URL: {local_runner.base_url}" in terminal.wait_for("Local runner URL")
    terminal.press("enter")
    terminal.wait_for("API token (hidden; Enter keeps the stored one)")
    terminal.press("enter")
    assert f" > {local_runner.account_id}  Local account" in terminal.wait_for("Local account")
    terminal.press("enter")
    assert "[?] Default project id (optional; empty for none): 999" in terminal.wait_for("Default project id")
    terminal.press(*CLEAR, "enter")  # no default project any more
    terminal.wait_for("Default environment id")
    terminal.press("enter")
    assert "[?] Default job id (optional; empty for none): 7" in terminal.wait_for("Default job id")
    terminal.press("enter")
    terminal.wait_for("Saved profile 'default'")
    assert terminal.wait_for_exit() == 0
    assert profiles(config)["default"] == {
        "api_token": local_runner.token,
        "dbt_cloud_host": local_runner.base_url,
        "account_id": local_runner.account_id,
        "job_id": 7,
    }


def test_a_refused_token_is_said_and_nothing_is_saved_unless_asked(
    terminals: list[VirtualTerminal], config: Path, local_runner: LocalRunner
) -> None:
    wrong = "dbtl_wrong-token-for-the-test-0123456789"
    terminal = start(terminals, config)
    to_the_token_prompt(terminal, local_runner)
    terminal.press(wrong, "enter")
    for _ in range(TOKEN_ATTEMPTS - 1):
        terminal.wait_for("type it again, or Ctrl-C to stop.")
        terminal.press(wrong, "enter")
    screen = terminal.wait_for("Could not list the accounts of this token", "Account id")
    assert screen.count("The host refused this token (401); type it again") == TOKEN_ATTEMPTS - 1
    terminal.press(str(local_runner.account_id), "enter")
    for label in ("Default project id", "Default environment id", "Default job id"):
        terminal.wait_for(label)
        terminal.press("enter")
    screen = terminal.wait_for("Save the profile anyway? (y/N)")
    errors = [line for line in screen.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, screen
    assert "401" in errors[0] or "token" in errors[0].lower(), errors[0]
    terminal.press("n")
    terminal.wait_for("Nothing saved")
    assert terminal.wait_for_exit() == 1
    assert not config.exists()
    assert wrong not in terminal.transcript.decode("utf-8", "replace")


def test_a_refused_token_is_asked_for_again_and_the_right_one_goes_on(
    terminals: list[VirtualTerminal], config: Path, local_runner: LocalRunner
) -> None:
    wrong = "dbtl_wrong-token-for-the-test-9876543210"
    terminal = start(terminals, config, "--profile", "retyped")
    to_the_token_prompt(terminal, local_runner)
    terminal.press(wrong, "enter")
    terminal.wait_for("The host refused this token (401); type it again, or Ctrl-C to stop.")
    terminal.press(local_runner.token, "enter")
    assert f" > {local_runner.account_id}  Local account" in terminal.wait_for("Local account")
    terminal.press("enter")
    for label in ("Default project id", "Default environment id", "Default job id"):
        terminal.wait_for(label)
        terminal.press("enter")
    terminal.wait_for("Saved profile 'retyped'")
    assert terminal.wait_for_exit() == 0
    assert profiles(config)["retyped"]["api_token"] == local_runner.token
    transcript = terminal.transcript.decode("utf-8", "replace")
    assert wrong not in transcript
    assert local_runner.token not in transcript


def test_ctrl_c_leaves_the_profile_file_untouched(
    terminals: list[VirtualTerminal], config: Path, local_runner: LocalRunner
) -> None:
    assert dbt_cloud(config, "configure", "--api-token", "stored-token-abc123", "--account-id", "5").returncode == 0
    before = config.read_bytes()
    terminal = start(terminals, config, "--interactive")
    terminal.wait_for("dbt Cloud host")
    terminal.press("enter")
    terminal.wait_for("API token")
    terminal.press("half-typed", "ctrl-c")
    terminal.wait_for("Aborted.")
    assert terminal.wait_for_exit() == 130
    assert config.read_bytes() == before
    assert "Traceback" not in terminal.transcript.decode("utf-8", "replace")


COLOUR_CODE = re.compile(r"\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;[0-9;]+)m")


@pytest.mark.parametrize("no_color", [False, True])
def test_questions_are_coloured_unless_no_color_and_redrawn_in_place_either_way(
    terminals: list[VirtualTerminal], config: Path, no_color: bool
) -> None:
    terminal = VirtualTerminal(
        [*CONFIGURE],
        rows=40,
        columns=100,
        env={"DBT_CLOUD_CONFIG": str(config), **({"NO_COLOR": "1"} if no_color else {})},
    )
    terminals.append(terminal)
    terminal.wait_for("dbt Cloud host")
    terminal.press("down")
    screen = terminal.wait_for(" > emea.dbt.com")
    assert screen.count("[?] dbt Cloud host") == 1, "the list is redrawn in place, not drawn again below"
    terminal.press("enter")
    terminal.wait_for("API token")
    terminal.press("abc")
    screen = terminal.wait_for("[?] API token (hidden): ***")
    assert screen.count("[?] API token") == 1
    coloured = bool(COLOUR_CODE.search(terminal.transcript.decode("utf-8", "replace")))
    assert coloured is not no_color
    terminal.press("ctrl-c")
    assert terminal.wait_for_exit() == 130
