"""The root of the command line: global options, lazily loaded command groups, and the one place
where every error becomes a single line on stderr and an exit code.

Only click is imported here. A group's module (and with it pydantic) is imported when that group is
asked for, and httpx only when a request is sent, so `dbt-cloud --help` starts in about the time of
a bare interpreter.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from dbt_cloud.cli.command_index import GROUPS
from dbt_cloud.cli.completing import PROFILES
from dbt_cloud.cli.context import (
    _ANNOTATE_ERRORS,
    RETRY_POLICY,
    RootOptions,
    annotating_errors,
    github_actions_detected,
    say,
)
from dbt_cloud.cli.seconds import Seconds
from dbt_cloud.cli.setting_option import SettingOption
from dbt_cloud.cli.suggest import SuggestingGroup

if TYPE_CHECKING:
    from dbt_cloud.http.retry import RetryPolicy

__all__ = ["RootOptions", "cli", "github_actions_detected", "lazy_groups", "main", "run", "say"]
from dbt_cloud.defaults import (
    DEBUG_ENV_VAR,
    DEFAULT_MAX_RETRIES,
    DEFAULT_RETRY_BUDGET,
    DEFAULT_TIMEOUT,
    MAX_RETRIES_ENV_VAR,
    PROFILE_ENV_VAR,
    RETRY_BUDGET_ENV_VAR,
    TIMEOUT_ENV_VAR,
)


def lazy_groups() -> dict[str, tuple[str, str]]:
    """Every group of the root: name -> (where it lives, its line of help), from the one generated
    table (dbt_cloud/cli/command_index.py, `make docs`) that help and completion read too."""
    return dict(GROUPS)


class LazyGroup(SuggestingGroup):
    """A group whose subcommands live in modules that are imported only when named."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            return self._load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Help and completion of a lazy group come from its help index, without importing it
        (see dbt_cloud.cli.help_stubs); every other command line gets the real group."""
        if args and args[0] in self.lazy:
            from dbt_cloud.cli.help_stubs import completing, stand_in

            name = args[0]
            stub = stand_in(name, lambda: self._load(name), rest=args[1:], completing=completing())
            if stub is not None:
                return name, stub, args[1:]
        return super().resolve_command(ctx, args)

    def _load(self, name: str) -> click.Command:
        target, _ = self.lazy[name]
        if ":" not in target:  # a group of the operation registry, as it has it
            from dbt_cloud.cli.commands.base import registry_group

            return registry_group(name)
        module_name, attribute = target.split(":")
        import importlib

        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        """Complete group names from the lazy table, without importing a group (click would import
        each candidate for its help)."""
        from click.shell_completion import CompletionItem

        results = []
        for name in self.list_commands(ctx):
            if not name.startswith(incomplete):
                continue
            if name in self.lazy:
                results.append(CompletionItem(name, help=self.lazy[name][1]))
                continue
            command = super().get_command(ctx, name)
            if command is not None and not command.hidden:
                results.append(CompletionItem(name, help=command.get_short_help_str()))
        results.extend(click.Command.shell_complete(self, ctx, incomplete))
        return results

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name in self.lazy:
                rows.append((name, self.lazy[name][1]))
            else:
                command = super().get_command(ctx, name)
                if command is not None and not command.hidden:
                    rows.append((name, command.get_short_help_str(formatter.width)))
        if rows:
            with formatter.section("Commands"):
                _write_dl(formatter, rows)


def _write_dl(formatter: click.HelpFormatter, rows: list[tuple[str, str]], col_max: int = 30) -> None:
    """`formatter.write_dl(rows)`, the same text, but a help that fits on its line is written as it
    is instead of through click's text wrapper: with forty groups that wrapper is a good part of
    what `dbt-cloud --help` costs. A test compares the two."""
    first_col = min(max(len(name) for name, _ in rows), col_max) + 2
    text_width = max(formatter.width - first_col - 2, 10)
    indent = " " * formatter.current_indent
    for name, text in rows:
        formatter.write(f"{indent}{name}")
        if not text:
            formatter.write("\n")
            continue
        if len(name) <= first_col - 2:
            formatter.write(" " * (first_col - len(name)))
        else:
            formatter.write("\n" + " " * (first_col + formatter.current_indent))
        if len(text) <= text_width and text == " ".join(text.split()):
            lines = [text]
        else:
            from click.formatting import wrap_text

            lines = wrap_text(text, text_width, preserve_paragraphs=True).splitlines()
        formatter.write(f"{lines[0]}\n" if lines else "\n")
        for line in lines[1:]:
            formatter.write(f"{'':>{first_col + formatter.current_indent}}{line}\n")


@click.group(
    cls=LazyGroup,
    lazy=lazy_groups(),
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _param, shown: _show_version(ctx, shown),
    help="Show the version and exit.",
)
@click.option("--debug", is_flag=True, envvar=DEBUG_ENV_VAR, help="Show tracebacks and an HTTP log (token redacted).")
@click.option(
    "--profile",
    cls=SettingOption,
    envvar=PROFILE_ENV_VAR,
    show_envvar=True,
    shell_complete=PROFILES,
    help="CLI profile to read settings from (written by `dbt-cloud configure`, listed by "
    "`dbt-cloud configure --list`); not the `profile` group, which is the API's project profiles.",
)
@click.option(
    "--timeout",
    cls=SettingOption,
    type=Seconds(0.1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    envvar=TIMEOUT_ENV_VAR,
    help="Seconds to wait for each answer, as a whole (not only between bytes).",
)
@click.option(
    "--max-retries",
    cls=SettingOption,
    type=click.IntRange(min=0, max=20),
    default=DEFAULT_MAX_RETRIES,
    show_default=True,
    envvar=MAX_RETRIES_ENV_VAR,
    help="Retries of a failed request (429, 5xx, connection errors), at most.",
)
@click.option(
    "--retry-budget",
    cls=SettingOption,
    type=Seconds(0),
    default=DEFAULT_RETRY_BUDGET,
    show_default=True,
    envvar=RETRY_BUDGET_ENV_VAR,
    metavar="SECONDS",
    help="Seconds a failed request safe to repeat keeps being retried (profile key retry_budget).",
)
@click.option(
    "--github/--no-github",
    default=None,
    help="GitHub Actions mode: mask the token, fold progress, annotate errors, and write a run's step "
    "outputs and job summary (see the GitHub Actions docs). [default: on where GITHUB_ACTIONS=true]",
)
@click.pass_context
def cli(
    ctx: click.Context,
    debug: bool,
    profile: str | None,
    timeout: float | None,
    max_retries: int | None,
    retry_budget: float | None,
    github: bool | None,
) -> None:
    """dbt-cloud: the command line for dbt Cloud.

    Data goes to stdout (JSON by default), progress and errors to stderr. Settings come from
    flags, then environment variables (DBT_CLOUD_API_TOKEN, DBT_CLOUD_ACCOUNT_ID, DBT_CLOUD_HOST, ...),
    then the profile file written by `dbt-cloud configure`.
    """
    debug = debug or _debug_requested([])
    ctx.obj = RootOptions(
        debug=debug,
        profile=profile,
        timeout=timeout,
        max_retries=max_retries,
        retry_budget=retry_budget,
        github=github,
    )


def _github_requested(args: Sequence[str]) -> bool:
    """--github or --no-github (the last one wins), else the environment: whether the error line
    is also a GitHub annotation. Read from the command line itself, so an error met before the
    root options are parsed is annotated too."""
    for arg in reversed(args):
        if arg in ("--github", "--no-github"):
            return arg == "--github"
    return github_actions_detected()


#: Whether the `Error: ...` line of this call is also written as a GitHub `::error::` annotation.
def _show_version(ctx: click.Context, shown: bool) -> None:
    """`--version`, with the versions of Python and httpx: worked out only when asked for (it reads
    installed package metadata)."""
    if not shown or ctx.resilient_parsing:
        return
    from dbt_cloud.about import version_line

    click.echo(version_line())
    ctx.exit()


def _debug_requested(args: Sequence[str]) -> bool:
    """--debug, DBT_CLOUD_DEBUG, or dbt-cloud-cli's LOG_LEVEL=DEBUG (whose log leaked the token;
    ours redacts it)."""
    if "--debug" in args:
        return True
    if os.environ.get("LOG_LEVEL", "").strip().upper() == "DEBUG":
        return True
    return os.environ.get(DEBUG_ENV_VAR, "").strip().lower() in ("1", "true", "yes", "on")


def _command_path(args: Sequence[str]) -> str:
    """`dbt-cloud job list`, for pointing at the right `--help`."""
    words = ["dbt-cloud"]
    group: click.Command | None = cli
    for arg in args:
        if arg.startswith("-") or not isinstance(group, click.Group):
            if arg.startswith("-"):
                continue
            break
        ctx = click.Context(group)
        try:
            sub = group.get_command(ctx, arg)
        except Exception:  # noqa: BLE001 - a broken module must not hide the original error
            sub = None
        if sub is None:
            break
        words.append(arg)
        group = sub
    return " ".join(words)


def _print_traceback() -> None:
    import traceback

    from dbt_cloud.redact import redact

    sys.stderr.write(redact(traceback.format_exc()))


def main(args: Sequence[str] | None = None, prog_name: str = "dbt-cloud") -> None:
    """Entry point of the `dbt-cloud` console script. Never lets a traceback reach the user
    unless `--debug` asks for it."""
    argv = list(sys.argv[1:] if args is None else args)
    debug = _debug_requested(argv)
    code, only_help = _run(argv, prog_name=prog_name, debug=debug)
    if only_help and "dbt_cloud.cli.commands.base" not in sys.modules:
        _exit_now(code)
    sys.exit(code)


def _exit_now(code: int) -> None:
    """Leave without the interpreter's teardown: after a help text, when no command was loaded,
    nothing holds a file, a thread or a connection, and tearing down the modules click imported
    costs about a tenth of `dbt-cloud --help`."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    os._exit(code)


def run(
    argv: list[str], *, prog_name: str = "dbt-cloud", debug: bool = False, retry_policy: RetryPolicy | None = None
) -> int:
    """Run the CLI and return the exit code, having reported any error as one line on stderr.
    `retry_policy`: how the clients of this call wait between retries (its `max_retries` is the
    settings'), for a caller that must not wait as long as a terminal does."""
    policy = RETRY_POLICY.set(retry_policy)
    try:
        return _run(argv, prog_name=prog_name, debug=debug)[0]
    finally:
        RETRY_POLICY.reset(policy)


def _run(argv: list[str], *, prog_name: str, debug: bool) -> tuple[int, bool]:
    """`run`, and whether all it did was show a help text (or the version)."""
    annotating = _ANNOTATE_ERRORS.set(_github_requested(argv))
    try:
        code = _run_cli(argv, prog_name=prog_name, debug=debug)
    finally:
        _ANNOTATE_ERRORS.reset(annotating)
    return (code if isinstance(code, int) else code.code), not isinstance(code, int)


class _HelpShown:
    """The exit code of a command line that only showed a help text or the version."""

    __slots__ = ("code",)

    def __init__(self, code: int) -> None:
        self.code = code


def _errors() -> types.ModuleType:
    """dbt_cloud.errors, imported when an error needs it: `dbt-cloud --help` never does. (An
    `except` clause's class is looked up only when an exception reaches it.)"""
    import dbt_cloud.errors

    return dbt_cloud.errors


def _run_cli(argv: list[str], *, prog_name: str, debug: bool) -> int | _HelpShown:
    try:
        result = cli.main(argv, prog_name=prog_name, standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
        return _HelpShown(_errors().EXIT_USAGE)
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else _command_path(argv)
        say(f"Error: {exc.format_message()} (see '{where} --help')")
        return int(_errors().EXIT_USAGE)
    except click.exceptions.Exit as exc:
        return _HelpShown(int(exc.exit_code))
    except click.Abort:
        say("Aborted.")
        return 130
    except KeyboardInterrupt:
        say("Interrupted.")
        return 130
    except _errors().DbtCloudError as exc:
        if debug:
            _print_traceback()
        from dbt_cloud.cli.hints import add_hint

        add_hint(exc, github=annotating_errors())
        say(f"Error: {exc.one_line()}")
        return int(exc.exit_code)
    except click.ClickException as exc:
        say(f"Error: {exc.format_message()}")
        return exc.exit_code
    except BrokenPipeError:
        # The reader of stdout went away (`| head`); that is not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, no traceback
        if debug:
            _print_traceback()
        message = " ".join(str(exc).split()) or type(exc).__name__
        say(f"Error: unexpected {type(exc).__name__}: {message} (run with --debug for details)")
        return int(_errors().EXIT_FAILURE)
    # Not standalone, click returns a help's (or ctx.exit's) code rather than raising Exit; a
    # command's callback returns None.
    return _HelpShown(result) if isinstance(result, int) else 0
