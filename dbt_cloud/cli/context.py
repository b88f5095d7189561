"""What the root of the command line hands every command: the root options (through the click
context), GitHub Actions detection, and the one way a line for the person reaches stderr. Commands
import this, never the root itself, so the root can load them lazily without a cycle."""

from __future__ import annotations

import os
import sys
from contextvars import ContextVar
from typing import TYPE_CHECKING, NamedTuple

import click

from dbt_cloud.defaults import GITHUB_ACTIONS_ENV_VAR

if TYPE_CHECKING:
    from dbt_cloud.http.retry import RetryPolicy


class RootOptions(NamedTuple):
    """Options of the root command, shared by every subcommand through the click context."""

    debug: bool = False
    profile: str | None = None
    #: As typed, None otherwise: the environment and the defaults are Settings.resolve's.
    timeout: float | None = None
    max_retries: int | None = None
    retry_budget: float | None = None
    #: GitHub Actions mode as asked for (--github/--no-github); None: decided by the environment.
    github: bool | None = None


def github_actions_detected() -> bool:
    """Running as a step of GitHub Actions, which sets GITHUB_ACTIONS=true for every step."""
    return os.environ.get(GITHUB_ACTIONS_ENV_VAR, "").strip().lower() == "true"


_ANNOTATE_ERRORS: ContextVar[bool] = ContextVar("dbt_cloud_annotate_errors", default=False)

#: The retry policy of this call's clients, its `max_retries` taken from the settings: given to
#: `dbt_cloud.cli.run(retry_policy=)` by a test that must not wait or a program with its own
#: backoff; None: the default policy. A context variable, so calls in other threads are unaffected.
RETRY_POLICY: ContextVar[RetryPolicy | None] = ContextVar("dbt_cloud_retry_policy", default=None)


def annotating_errors() -> bool:
    """Whether this call writes its error line as a GitHub annotation (GitHub mode)."""
    return _ANNOTATE_ERRORS.get()


def say(line: str) -> None:
    """A line for the person on stderr: redacted, `Error:` in red where colour is wanted, and in
    GitHub mode an error line written as an annotation instead."""
    from dbt_cloud.redact import redact
    from dbt_cloud.terminal.style import Style

    text = redact(line)
    if text.startswith("Error: ") and _ANNOTATE_ERRORS.get():
        # Once, as the annotation: GitHub shows it in the log as an error line and on the run's page.
        from dbt_cloud.cli.github import error_annotation

        click.echo(error_annotation(text.removeprefix("Error: ")), err=True)
        return
    style = Style.for_stream(sys.stderr)  # `Error:` in red, on a terminal that wants colour
    click.echo(style.error_line(text), err=True, color=style.enabled)
