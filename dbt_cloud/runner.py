"""Run CLI commands from Python, in process: `DbtCloudRunner().invoke(["job", "run", ...])`.

Like dbt-core's `dbtRunner`, `invoke` takes the command line as a list and hands back a result
instead of an exit code; keyword arguments override options; callbacks receive the events. Unlike
it, one runner may be called from many threads at once: each call gets its own click context and
its own `Embedding` (where its answers and overrides live), and the calls share only the
connection pool, which httpx makes safe to share.

The runner drives the very click tree of the command line, so a command behaves the same in a
terminal and in a program; the one difference is where its answer goes (see
`dbt_cloud.cli.commands.base.Embedding`): to the result, parsed into the models of
`dbt_cloud.api.resources`, not to stdout.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import click

from dbt_cloud.about import PROG_NAME
from dbt_cloud.cli.commands.base import EMBEDDING_KEY, Answer, Embedding
from dbt_cloud.errors import EXIT_FAILURE, EXIT_OK, DbtCloudError, RunFailedError
from dbt_cloud.events import EventHandler

if TYPE_CHECKING:
    import httpx

    from dbt_cloud.cloud import DbtCloud
    from dbt_cloud.config import Settings
    from dbt_cloud.http.client import DbtCloudClient

EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class RunnerResult:
    """How one `invoke` went.

    * `success`: the command did what it was asked (exit code 0).
    * `result`: the answer, parsed: a model of `dbt_cloud.api.resources` (a `Run`, a `Job`, ...) or a
      list of them; the bytes of an artifact; the help text for `--help`; None when nothing came.
    * `exception`: why the command could not complete (bad arguments, a refused token, the
      network), or None. A run that ended in error is not an exception: then `success` is False,
      `exception` is None and `result` is the finished run.
    * `exit_code`: what the command line would have exited with (0, 1, 2 or 130).
    """

    success: bool
    result: Any
    exception: BaseException | None
    exit_code: int


class DbtCloudRunner:
    """Runs `dbt-cloud` commands in process.

    `client` (a `DbtCloud` or a `DbtCloudClient`), when given, is reused: its connection pool and
    its settings (token, host, account and other ids, timeout, retries), which then stand in for
    the environment variables and the profile file; arguments and keyword arguments of a call still
    override them. Without one, each call reads its settings as the command line does, and the
    runner keeps one connection pool for all its calls (`close()` it, or use `with`).

    `callbacks` receive every event of every call (`dbt_cloud.events`): requests, retries, pages,
    downloads, run status changes. They are called in the thread that makes the call, or in the
    worker threads of a call that fetches pages concurrently, so a callback shared by calls made
    from several threads must be thread-safe itself. An exception a callback raises ends the call.

    `stdout` and `stderr`, when given, receive what the command line would print there (the answer
    in the chosen `-o` format; progress and status lines). By default nothing is printed.

    `sleep` and `clock`, when given, stand in for `time.sleep` and `time.monotonic` in the commands
    that wait (`job run --wait`, `run watch`): a test of a program's waiting need not wait.
    """

    def __init__(
        self,
        client: DbtCloud | DbtCloudClient | None = None,
        callbacks: Iterable[EventHandler] | None = None,
        *,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._callbacks = tuple(callbacks or ())
        self._stdout = stdout
        self._stderr = stderr
        self._sleep = sleep
        self._clock = clock
        self._client = _low_level(client) if client is not None else None
        self._pool: httpx.Client | None = None
        self._pool_lock = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the runner's own connection pool (a client given to it stays open)."""
        with self._pool_lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    def __enter__(self) -> DbtCloudRunner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- calls ----------------------------------------------------------------------------------

    def invoke(self, args: Sequence[str], **kwargs: Any) -> RunnerResult:
        """Run one command, e.g. `invoke(["run", "list", "--job-id", "42"])`, and return how it went.

        Keyword arguments set options by their Python name, overriding the same option in `args`:
        `invoke(["job", "run"], job_id=42, cause="deploy")`. Values are converted as the option
        converts text (`"15m"` or `900` for a duration, a dict for a JSON option); a repeatable
        option takes a list. Root options (`max_retries`, `retry_budget`, `timeout`, `debug`, `profile`) may be given
        the same way. Never raises for a failed command and never exits the interpreter; only
        KeyboardInterrupt goes through.
        """
        from dbt_cloud.cli import cli

        argv = [str(arg) for arg in args]
        embedding = Embedding(
            connect=self._connect,
            settings=self._client.settings if self._client is not None else None,
            listeners=list(self._callbacks),
            stdout=self._stdout,
            stderr=self._stderr,
            sleep=self._sleep,
            clock=self._clock,
        )
        try:
            target = _lenient_target(cli, argv)
            if target.help_text is not None:
                return RunnerResult(True, target.help_text, None, EXIT_OK)
            root_overrides, embedding.overrides = _split_overrides(cli, target, kwargs)
            with cli.make_context(PROG_NAME, argv) as ctx:
                ctx.meta[EMBEDDING_KEY] = embedding
                _override_root(ctx, root_overrides)
                cli.invoke(ctx)
        except RunFailedError as exc:
            # The API did what was asked and the run ran: its outcome is the answer, not an error.
            return RunnerResult(False, _result(embedding.answers), None, exc.exit_code)
        except DbtCloudError as exc:
            return RunnerResult(False, _result(embedding.answers), exc, exc.exit_code)
        except click.exceptions.Exit as exc:
            code = int(exc.exit_code)
            return RunnerResult(code == EXIT_OK, _result(embedding.answers), None if code == EXIT_OK else exc, code)
        except click.ClickException as exc:
            return RunnerResult(False, None, exc, exc.exit_code)
        except click.Abort as exc:
            return RunnerResult(False, _result(embedding.answers), exc, EXIT_INTERRUPTED)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else EXIT_FAILURE
            return RunnerResult(code == EXIT_OK, _result(embedding.answers), None if code == EXIT_OK else exc, code)
        except Exception as exc:  # noqa: BLE001 - a program gets every failure as a result, as promised
            return RunnerResult(False, _result(embedding.answers), exc, EXIT_FAILURE)
        return RunnerResult(True, _result(embedding.answers), None, EXIT_OK)

    # -- internals ------------------------------------------------------------------------------

    def _connect(self, settings: Settings, on_event: EventHandler, stdout: Callable[[], IO[bytes]]) -> DbtCloudClient:
        """The client of one call: its own settings, events and stdout; the shared connection pool."""
        if self._client is not None:
            return self._client.with_options(settings=settings, on_event=on_event, stdout=stdout)
        from dbt_cloud.http.client import DbtCloudClient

        return DbtCloudClient(settings, on_event=on_event, http=self._shared_pool(), stdout=stdout)

    def _shared_pool(self) -> httpx.Client:
        with self._pool_lock:
            if self._pool is None:
                from dbt_cloud.http.client import new_http_client

                self._pool = new_http_client()
            return self._pool


def _low_level(client: Any) -> DbtCloudClient:
    from dbt_cloud.http.client import DbtCloudClient

    if isinstance(client, DbtCloudClient):
        return client
    connection = getattr(client, "connection", None)
    if isinstance(connection, DbtCloudClient):
        return connection
    raise TypeError(f"client must be a DbtCloud or a DbtCloudClient, not {type(client).__name__}")


def _result(answers: list[Answer]) -> Any:
    """The last answer, parsed into models (or the bytes of a download)."""
    if not answers:
        return None
    answer = answers[-1]
    if answer.raw is not None:
        return answer.raw.getvalue()
    from dbt_cloud.api.resources import parse_answer

    return parse_answer(answer.operation, answer.document)


# --- reading the command line without running it -------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """The command a command line names, and its help when the line asks for help (or the version)."""

    command: click.Command
    path: str
    help_text: str | None


def _lenient_target(root: click.Group, args: list[str]) -> _Target:
    """Walk the click tree along `args` with resilient parsing: nothing runs, nothing is printed,
    no error is raised. This finds the command whose options keyword arguments may set, and
    answers `--help` and `--version` with their text (click would print it to stdout)."""
    words = args[: args.index("--")] if "--" in args else args
    ctx = _parsed_leniently(root, PROG_NAME, args, None)
    command: click.Command = root
    rest = list(ctx.args)
    level_args = args
    while True:
        consumed = (set(level_args) - set(rest)) & set(words)
        if consumed & set(ctx.help_option_names):
            return _Target(command, ctx.command_path, ctx.get_help())
        if command is root and "--version" in consumed:
            from dbt_cloud.about import version_line

            return _Target(command, ctx.command_path, version_line())
        if not isinstance(command, click.Group) or not rest:
            return _Target(command, ctx.command_path, None)
        name, sub, after = command.resolve_command(ctx, rest)
        if sub is None or name is None:
            return _Target(command, ctx.command_path, None)
        level_args = after
        ctx = _parsed_leniently(sub, name, after, ctx)
        command = sub
        rest = list(ctx.args)


def _parsed_leniently(
    command: click.Command, name: str, args: list[str], parent: click.Context | None
) -> click.Context:
    settings = command.context_settings
    ctx = command.context_class(command, info_name=name, parent=parent, resilient_parsing=True, **settings)
    with ctx.scope(cleanup=False):
        # The base class's parsing on purpose: a group's own would hide the words after its options
        # (its subcommand and arguments) in a private attribute.
        click.Command.parse_args(command, ctx, list(args))
    return ctx


def _split_overrides(
    root: click.Group, target: _Target, kwargs: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keyword arguments as overrides of the root's options and of the command's."""
    if not kwargs:
        return {}, {}
    command_names = {param.name for param in target.command.params if param.name}
    root_names = {param.name for param in root.params if param.name}
    unknown = sorted(set(kwargs) - command_names - root_names)
    if unknown:
        raise click.UsageError(f"No such option for '{target.path}': {', '.join(unknown)} (given as keyword arguments)")
    for_command = {name: value for name, value in kwargs.items() if name in command_names}
    if for_command and not hasattr(target.command, "model"):
        raise click.UsageError(
            f"'{target.path}' takes its options in args only, not as keyword arguments: {', '.join(for_command)}"
        )
    for_root = {name: value for name, value in kwargs.items() if name not in command_names}
    return for_root, for_command


def _override_root(ctx: click.Context, overrides: dict[str, Any]) -> None:
    params = {param.name: param for param in ctx.command.params if param.name}
    for name, value in overrides.items():
        ctx.params[name] = None if value is None else params[name].type_cast_value(ctx, value)


__all__ = ["DbtCloudRunner", "RunnerResult"]
