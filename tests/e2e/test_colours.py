"""Colour only where a person looks: on a terminal (a real pseudo-terminal here), never when NO_COLOR
is set or TERM is dumb, never into a pipe unless FORCE_COLOR asks for it."""

from __future__ import annotations

import os
import subprocess
import sys

import pexpect
import pytest

from tests.support.local_runner import LocalRunner
from tests.support.secrets_watch import record

BOLD_ID = "\x1b[1mID\x1b[0m"
GREEN_SUCCESS = "\x1b[32mSuccess\x1b[0m"
RED_ERROR = "\x1b[31mError\x1b[0m"
YELLOW_CANCELLED = "\x1b[33mCancelled\x1b[0m"
RED_PREFIX = "\x1b[31;1mError:\x1b[0m"


@pytest.fixture(scope="module")
def runs(local_runner: LocalRunner) -> dict[str, int]:
    (job_id,) = local_runner.seed_jobs(1, name="Colours")
    ids = {"job": job_id}
    for status, name in ((10, "Success"), (20, "Error"), (30, "Cancelled")):
        (ids[name],) = local_runner.seed_runs(job_id, 1, status=status)
    return ids


def environment(local_runner: LocalRunner, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    return {**base, **local_runner.env(), "TERM": "xterm-256color", **extra}


def on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[str, int]:
    """stdout and stderr together, as a pseudo-terminal shows them, and the exit code."""
    output, code = pexpect.run(
        sys.executable,
        args=["-m", "dbt_cloud", *args],
        env=env,
        withexitstatus=True,
        timeout=60,
        dimensions=(40, 100),
    )
    text = output.decode("utf-8", "replace")
    record(f"terminal output of dbt-cloud {' '.join(args)}", text)
    return text, int(code)


def piped(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "dbt_cloud", *args], env=env, capture_output=True, text=True, check=False, timeout=60
    )
    record(f"piped output of dbt-cloud {' '.join(args)}", result.stdout + result.stderr)
    return result


def test_a_table_on_a_terminal_has_bold_headers_and_status_colours(
    local_runner: LocalRunner, runs: dict[str, int]
) -> None:
    text, code = on_a_terminal(["run", "list", "--job-id", str(runs["job"]), "-o", "table"], environment(local_runner))
    assert code == 0, text
    for painted in (BOLD_ID, GREEN_SUCCESS, RED_ERROR, YELLOW_CANCELLED):
        assert painted in text


@pytest.mark.parametrize("extra", [{"NO_COLOR": "1"}, {"TERM": "dumb"}, {"NO_COLOR": "1", "FORCE_COLOR": "1"}])
def test_no_colour_when_the_user_says_no(
    local_runner: LocalRunner, runs: dict[str, int], extra: dict[str, str]
) -> None:
    text, code = on_a_terminal(
        ["run", "list", "--job-id", str(runs["job"]), "-o", "table"], environment(local_runner, **extra)
    )
    assert code == 0, text
    assert "Success" in text
    assert "\x1b[" not in text


def test_an_empty_no_color_does_not_count(local_runner: LocalRunner, runs: dict[str, int]) -> None:
    text, _ = on_a_terminal(
        ["run", "list", "--job-id", str(runs["job"]), "-o", "table"], environment(local_runner, NO_COLOR="")
    )
    assert GREEN_SUCCESS in text


def test_no_colour_into_a_pipe_unless_forced(local_runner: LocalRunner, runs: dict[str, int]) -> None:
    args = ["run", "list", "--job-id", str(runs["job"]), "-o", "table"]
    plain = piped(args, environment(local_runner))
    assert plain.returncode == 0, plain.stderr
    assert "Success" in plain.stdout
    assert "\x1b[" not in plain.stdout
    forced = piped(args, environment(local_runner, FORCE_COLOR="1"))
    assert GREEN_SUCCESS in forced.stdout


def test_the_error_prefix_is_red_on_a_terminal_only(local_runner: LocalRunner) -> None:
    args = ["job", "get", "--job-id", "x"]
    text, code = on_a_terminal(args, environment(local_runner))
    assert code == 2
    assert RED_PREFIX in text
    text, _ = on_a_terminal(args, environment(local_runner, NO_COLOR="1"))
    assert text.startswith("Error: ")
    assert "\x1b[" not in text
    result = piped(args, environment(local_runner))
    assert result.stderr.startswith("Error: ")
    assert "\x1b[" not in result.stderr


@pytest.mark.parametrize(("status", "painted"), [("Success", GREEN_SUCCESS), ("Error", RED_ERROR)])
def test_waiting_shows_the_final_status_in_its_colour(
    local_runner: LocalRunner, runs: dict[str, int], status: str, painted: str
) -> None:
    text, _ = on_a_terminal(["run", "watch", "--run-id", str(runs[status])], environment(local_runner))
    assert f"Run {runs[status]} finished: {painted}" in text
    text, _ = on_a_terminal(["run", "watch", "--run-id", str(runs[status])], environment(local_runner, NO_COLOR="1"))
    assert f"Run {runs[status]} finished: {status}" in text
