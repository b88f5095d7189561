"""What every API command shares: the connection options, the step from parsed options to a
validated model and a client (a `Session`, an `Invocation` when it sends a model), and the default
action (send, print).

The operation registry (dbt_cloud.api.registry) declares each group's verbs; `registry_group` and
`verb_command` make their click commands, and `api_command` does the rest. Composite commands pass
their own `action`, which receives the same `Invocation`, with their options typed (`Options`).

A program that runs commands in process (`dbt_cloud.runner.DbtCloudRunner`) puts an `Embedding` in
the click context: every `Invocation` then hands its answers to the embedding instead of printing
them, reports its events to the embedding's listeners, and takes its client from the embedding's
connection pool. Commands do not know whether they run in a terminal or in a program.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from dbt_cloud.api.operation import OUTPUT_FILE_HELP, CommandModel, Location, Operation, Verb, field_param
from dbt_cloud.cli.completing import FILES
from dbt_cloud.cli.group_examples import example_epilog
from dbt_cloud.cli.options import JSON, ModelCommand, build_model
from dbt_cloud.cli.seconds import Seconds
from dbt_cloud.cli.setting_option import SettingOption
from dbt_cloud.cli.suggest import SuggestingGroup
from dbt_cloud.config import ENV_VARS, Settings
from dbt_cloud.defaults import DEFAULT_HOST
from dbt_cloud.errors import ConfigError, InputError
from dbt_cloud.files import atomic_write, writable_problem
from dbt_cloud.terminal.output import FORMATS, render

if TYPE_CHECKING:
    from dbt_cloud.cli.context import RootOptions
    from dbt_cloud.cli.github import GitHubReporter
    from dbt_cloud.events import Event, EventHandler
    from dbt_cloud.http.client import DbtCloudClient
    from dbt_cloud.http.response import ApiResponse

#: Names of the options every API command has, which are not fields of its model.
CONNECTION_PARAMS = ("api_token", "dbt_cloud_host", "timeout", "output")


def connection_options(formats: Sequence[str] | None = FORMATS) -> list[click.Parameter]:
    """The options dbt-cloud-cli puts on every command, plus the output format: `formats`, the
    first the default, or no `-o` at all (None) for a command whose output has one form."""
    output = [] if formats is None else [output_option(formats)]
    return [
        SettingOption(
            ["--api-token", "api_token"],
            envvar=ENV_VARS["api_token"],
            show_envvar=True,
            help="API token (a service token or personal access token).",
        ),
        SettingOption(
            ["--dbt-cloud-host", "dbt_cloud_host"],
            envvar=ENV_VARS["dbt_cloud_host"],
            show_envvar=True,
            help=f"dbt Cloud host name or URL [default: {DEFAULT_HOST}].",
        ),
        click.Option(
            ["--timeout", "timeout"],
            type=Seconds(0.1),
            help="Seconds to wait for each answer [default: the root --timeout, 30].",
        ),
        *output,
    ]


def output_option(formats: Sequence[str] = FORMATS, help: str = "Output format on stdout.") -> click.Option:
    """`-o/--output`: the format of the answer on stdout, the first of `formats` (JSON) by default."""
    return click.Option(
        ["-o", "--output", "output"], type=click.Choice(formats), default=formats[0], show_default=True, help=help
    )


def all_pages_option() -> click.Option:
    return click.Option(
        ["--all", "--paginate", "all_pages"],
        is_flag=True,
        help="Fetch every page (concurrently, in order) instead of one. --paginate is the same.",
    )


#: Key of the `Embedding` in `click.Context.meta` (shared by every context of one invocation).
EMBEDDING_KEY = "dbt_cloud.embedding"


@dataclass(frozen=True)
class Answer:
    """What a command answered, as it would have printed it: the document of `operation`, or the
    bytes of a download."""

    operation: Operation
    document: Any = None
    raw: io.BytesIO | None = None


@dataclass
class Embedding:
    """How a program running commands in process hooks into them. One per call of the program,
    so calls made at the same time from several threads share nothing but the connection pool."""

    #: Builds the client of an invocation (on a shared pool) from its settings, its event handler,
    #: and where raw answers (artifacts sent to stdout) go instead of stdout.
    connect: Callable[[Settings, EventHandler, Callable[[], IO[bytes]]], DbtCloudClient] | None = None
    #: Settings that stand in for the environment and the profile (a runner given a client);
    #: what the call passes on its command line or as keyword arguments still wins.
    settings: Settings | None = None
    #: Handlers that see every event of the command.
    listeners: list[EventHandler] = field(default_factory=list)
    #: Option values that override those parsed (`invoke(args, job_id=42)`), by parameter name.
    overrides: dict[str, Any] = field(default_factory=dict)
    #: Where the answers are rendered as the command line would print them; None: nowhere.
    stdout: IO[str] | None = None
    #: Where progress and status lines go; None: nowhere.
    stderr: IO[str] | None = None
    #: What the command answered, in order.
    answers: list[Answer] = field(default_factory=list)
    #: Stand-ins for `time.sleep` and `time.monotonic` in the commands that wait; None: the real ones.
    sleep: Callable[[float], None] | None = None
    clock: Callable[[], float] | None = None

    @staticmethod
    def of(ctx: click.Context) -> Embedding | None:
        found = ctx.meta.get(EMBEDDING_KEY)
        return found if isinstance(found, Embedding) else None


@dataclass(frozen=True, kw_only=True)
class Options:
    """The option values of a command beyond its model's fields, typed: one subclass per composite
    verb (gh's per-verb options struct) rather than a dict looked up by strings. Field names are the
    click parameters' names; a command checks at its making that each of its options has a field.
    `output_file` is `-f/--file` where the command has it (None or '-': stdout)."""

    output_file: str | None = None

    @classmethod
    def check(cls, command: str, names: Iterable[str]) -> None:
        """Fail at import time, not in a user's hands, when an option has no field here."""
        missing = sorted(set(names) - {item.name for item in fields(cls)})
        if missing:
            raise TypeError(f"{command}: {cls.__name__} has no field for the options {', '.join(missing)}")


@dataclass(frozen=True, kw_only=True)
class SendOptions(Options):
    """A command that sends its model: `--all` where the operation pages."""

    all_pages: bool = False


OptionsT = TypeVar("OptionsT", bound=Options)


@dataclass(kw_only=True)
class Session:
    """What the command line hands one command, as gh's Factory does: its settings (resolved once),
    the client made from them, where answers and status lines go (the terminal, a file, or the
    program running it in process), the event listeners and the output format. A command that sends
    a request given by its parts (`dbt-cloud api`) gets a Session; one that sends a model, an
    `Invocation`."""

    ctx: click.Context
    settings: Settings
    output: str
    options: Options = field(default_factory=Options)
    #: How long a pause lasts and what time it is, for the commands that wait: a program running
    #: them in process (or a test) hands in its own through the Embedding.
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    debug: bool = False
    #: Handlers that see every event of the client (progress renderers, a program's callbacks).
    listeners: list[EventHandler] = field(default_factory=list)
    #: Set when a program runs the command in process; None on the command line.
    embedding: Embedding | None = None
    #: The last answer the command printed (GitHub mode reads the run from it).
    last_answer: Any = None
    _client: DbtCloudClient | None = None

    @property
    def client(self) -> DbtCloudClient:
        if self._client is None:
            if self.embedding is not None and self.embedding.connect is not None:
                self._client = self.embedding.connect(self.settings, self.on_event, self.raw_output)
            else:
                from dataclasses import replace

                from dbt_cloud.cli.context import RETRY_POLICY
                from dbt_cloud.http.client import DbtCloudClient

                policy = RETRY_POLICY.get()
                if policy is not None:
                    policy = replace(
                        policy, max_retries=self.settings.max_retries, budget_seconds=self.settings.retry_budget
                    )
                self._client = DbtCloudClient(self.settings, on_event=self.on_event, retry_policy=policy)
        return self._client

    def on_event(self, event: Event) -> None:
        for listener in self.listeners:
            listener(event)
        if self.debug:
            from dbt_cloud.events import describe
            from dbt_cloud.redact import redact

            self.status(redact(f"debug: {describe(event)}"))

    @property
    def operation(self) -> Operation:
        """The operation whose answers the command prints (how a program reads them)."""
        raise NotImplementedError

    def options_as(self, kind: type[OptionsT]) -> OptionsT:
        """The command's options as the type its verb declared."""
        if not isinstance(self.options, kind):
            raise TypeError(f"the options are {type(self.options).__name__}, not {kind.__name__}")
        return self.options

    def print(self, document: Any) -> None:
        """The one place an answer leaves a command: to stdout, atomically to `-f/--file` where the
        command has it, and to the embedding program when there is one."""
        self.last_answer = document
        if self.embedding is not None:
            self.embedding.answers.append(Answer(self.operation, document))
        target = self.options.output_file
        if target and target != "-":
            buffer = io.StringIO()
            render(document, self.output, buffer)
            with atomic_write(Path(target)) as handle:
                handle.write(buffer.getvalue().encode("utf-8"))
            self.status(f"Wrote the answer to {target}")
            return
        if self.embedding is None:
            render(document, self.output, sys.stdout)
        elif self.embedding.stdout is not None:
            render(document, self.output, self.embedding.stdout)

    def raw_output(self) -> IO[bytes]:
        """Where a raw answer (an artifact) streams when no file is named: stdout, or a buffer whose
        bytes become the embedding program's answer. The client of an embedded invocation streams
        there by itself (`client.download(request, None)`), so commands need not ask."""
        if self.embedding is None:
            return sys.stdout.buffer
        buffer = io.BytesIO()
        self.embedding.answers.append(Answer(self.operation, raw=buffer))
        return buffer

    def status(self, message: str) -> None:
        """Progress for people, on stderr (or the embedding program's stream, if it gave one)."""
        if self.embedding is None:
            click.echo(message, err=True)
        elif self.embedding.stderr is not None:
            self.embedding.stderr.write(message + "\n")

    @contextmanager
    def section(self, title: str) -> Iterator[None]:
        """Status output that belongs together (a wait's progress, a failed step's log), told to
        the listeners as it begins and ends, so a CI log can fold it."""
        from dbt_cloud.events import SectionEnded, SectionStarted

        self.on_event(SectionStarted(title))
        try:
            yield
        finally:
            self.on_event(SectionEnded(title))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


@dataclass(kw_only=True)
class Invocation(Session):
    """One run of an API command: a Session with the validated model it sends."""

    model: CommandModel

    @property
    def operation(self) -> Operation:
        return self.model.operation


@dataclass(kw_only=True)
class RequestSession(Session):
    """A Session of a request given by its parts: the operation its answer stands for."""

    request_operation: Operation

    @property
    def operation(self) -> Operation:
        return self.request_operation


Action = Callable[[Invocation], None]
S = TypeVar("S", bound=Session)


def _writable_destination(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    # Checked before anything is sent: finding out after a job was triggered would lose the answer.
    if value in (None, "-"):
        return value
    problem = writable_problem(Path(str(value)))
    if problem is not None:
        raise click.BadParameter(problem, ctx=ctx, param=param)
    return value


def output_file_option(help: str = OUTPUT_FILE_HELP) -> click.Option:
    """dbt-cloud-cli's `-f/--file` for output; written atomically, never half."""
    return click.Option(
        ["-f", "--file", "output_file"],
        default="-",
        show_default=True,
        help=help,
        callback=_writable_destination,
        shell_complete=FILES,
    )


def send_and_print(invocation: Invocation) -> None:
    """The default action: send the request (every page with `--all`) and print the answer."""
    response: ApiResponse
    options = invocation.options
    if isinstance(options, SendOptions) and options.all_pages:
        response = invocation.client.send_all(invocation.model)
    else:
        response = invocation.client.send(invocation.model)
    print_answer(invocation, response)


def print_answer(invocation: Invocation, response: ApiResponse) -> None:
    """The answer on stdout; an answer without a body (204) prints nothing and says so on stderr."""
    if response.document is None:
        invocation.status(f"Done: dbt Cloud answered {response.status_code} with no content.")
        return
    invocation.print(response.document)


def save_answer(invocation: Invocation) -> None:
    """Stream an answer that is a file (an artifact, a CSV, a ZIP) to `-f/--file`, complete or not
    at all, or to stdout."""
    target = invocation.options.output_file or "-"
    destination = None if target == "-" else Path(target)
    written = invocation.client.download(invocation.model.request(), destination)
    if destination is not None:
        invocation.status(f"Wrote {written} bytes to {destination}")


@contextmanager
def invocation_for(
    ctx: click.Context,
    model_class: type[CommandModel],
    values: Mapping[str, Any],
    extra_names: set[str],
    *,
    prepare: Prepare | None = None,
    options: type[Options] = Options,
) -> Iterator[Invocation]:
    """The invocation of a command from its parsed option values: overrides of an embedding
    program applied, `prepare` run, settings resolved, the model validated."""
    embedding = Embedding.of(ctx)
    given = dict(values)
    if embedding is not None:
        given = _embedded_values(ctx, embedding, given)
    if prepare is not None:
        given = prepare(given)
    connection = {name: given.pop(name, None) for name in CONNECTION_PARAMS}
    extras = {name: given.pop(name) for name in list(given) if name in extra_names}
    settings = settings_for(ctx, connection, typed=given)
    reporter = github_reporter(ctx, settings)  # the one settings_for made: the token is masked once
    try:
        model = build_model(model_class, given, settings=_settings_values(settings))
    except InputError as exc:
        if "Missing option --account-id" in exc.message and not exc.hint:
            from dbt_cloud.cli.context import annotating_errors
            from dbt_cloud.cli.hints import missing_setting_hint

            exc.hint = missing_setting_hint("account_id", github=annotating_errors())
        exc.hint = exc.hint or f"see '{ctx.command_path} --help'"
        raise
    with _session(
        Invocation,
        ctx,
        settings,
        reporter,
        output=connection["output"] or "json",
        options=options(**extras),
        model=model,
    ) as invocation:
        yield invocation


@contextmanager
def request_session(
    ctx: click.Context, settings: Settings, operation: Operation, *, output: str
) -> Iterator[RequestSession]:
    """The Session of a request given by its parts (`dbt-cloud api`), its answer standing for
    `operation`: the same listeners, embedding, GitHub reporting and debug log as any command's."""
    with _session(
        RequestSession, ctx, settings, github_reporter(ctx, settings), output=output, request_operation=operation
    ) as session:
        yield session


@contextmanager
def _session(
    kind: type[S], ctx: click.Context, settings: Settings, reporter: GitHubReporter | None, **fields: Any
) -> Iterator[S]:
    embedding = Embedding.of(ctx)
    timing: dict[str, Any] = {}
    if embedding is not None and embedding.sleep is not None:
        timing["sleep"] = embedding.sleep
    if embedding is not None and embedding.clock is not None:
        timing["clock"] = embedding.clock
    session = kind(
        ctx=ctx,
        settings=settings,
        debug=root_options(ctx).debug,
        **timing,
        listeners=[*([reporter] if reporter is not None else []), *(embedding.listeners if embedding else [])],
        embedding=embedding,
        **fields,
    )
    interrupted = False
    try:
        yield session
    except KeyboardInterrupt:
        interrupted = True  # leave at once: no requests for a summary
        raise
    finally:
        try:
            if reporter is not None and not interrupted:
                reporter.finish(session.last_answer, base_url=settings.base_url, client=lambda: session.client)
        finally:
            session.close()


#: Key of the `GitHubReporter` in `click.Context.meta`: one for the whole command line.
GITHUB_KEY = "dbt_cloud.cli.github"


def github_reporter(ctx: click.Context, settings: Settings) -> GitHubReporter | None:
    """In GitHub Actions mode, the command line's reporter, having masked the token before
    anything is sent; None otherwise. The mode is `--github/--no-github`, else on where
    GITHUB_ACTIONS=true, but not for a program running commands in process unless it asks."""
    wanted = root_options(ctx).github
    if wanted is None:
        from dbt_cloud.cli.context import github_actions_detected

        wanted = Embedding.of(ctx) is None and github_actions_detected()
    if not wanted:
        return None
    from dbt_cloud.cli.github import GitHubReporter

    reporter = ctx.meta.get(GITHUB_KEY)
    if not isinstance(reporter, GitHubReporter):
        reporter = ctx.meta[GITHUB_KEY] = GitHubReporter(lambda line: click.echo(line, err=True))
    reporter.mask(settings.api_token)
    reporter.mask(settings.url_password)
    return reporter


def _embedded_values(ctx: click.Context, embedding: Embedding, values: dict[str, Any]) -> dict[str, Any]:
    """Option values with the embedding program's overrides laid over them, each converted by its
    option's own type as if typed on the command line. (Settings need no more: an option of a
    setting holds only what was typed, so the program's settings stand in for the environment.)"""
    params = {param.name: param for param in ctx.command.params if param.name}
    for name, value in embedding.overrides.items():
        param = params.get(name)
        if param is None:
            raise click.UsageError(f"No such option: {name!r} (given as a keyword argument)", ctx=ctx)
        if value is not None and param.multiple and (isinstance(value, (str, bytes)) or not _iterable(value)):
            value = (value,)
        values[name] = None if value is None else param.type_cast_value(ctx, value)
    return values


def _iterable(value: Any) -> bool:
    try:
        iter(value)
    except TypeError:
        return False
    return True


def root_options(ctx: click.Context) -> RootOptions:
    from dbt_cloud.cli.context import RootOptions

    return ctx.find_object(RootOptions) or RootOptions()


#: Settings that fill ids of a path: the command line, DBT_CLOUD_* variables, or the profile.
SCOPE_SETTINGS = ("account_id", "project_id", "environment_id", "job_id")


def settings_for(ctx: click.Context, connection: Mapping[str, Any], *, typed: Mapping[str, Any] = {}) -> Settings:
    """The settings of a command that has no model (`dbt-cloud api`): the connection options given
    (`api_token`, `dbt_cloud_host`, `timeout`, and any of SCOPE_SETTINGS), then the root options,
    an embedding program's settings, the environment and the profile. `typed`: the command's other
    option values, so that a malformed variable of a setting typed anyway is not refused."""
    root = root_options(ctx)
    given = {key: connection.get(key) for key in ("api_token", "dbt_cloud_host", *SCOPE_SETTINGS)}
    timeout = connection.get("timeout")
    embedding = Embedding.of(ctx)
    if timeout is None:
        timeout = root.timeout
    if embedding is not None and embedding.settings is not None:
        settings = embedding.settings.overlay(
            given, timeout=timeout, max_retries=root.max_retries, retry_budget=root.retry_budget
        )
    else:
        settings = Settings.resolve(
            given,
            profile=root.profile,
            timeout=timeout,
            max_retries=root.max_retries,
            retry_budget=root.retry_budget,
        )
    github_reporter(ctx, settings)  # masks the token in GitHub mode
    refuse_invalid_settings(ctx, {**connection, **typed}, settings)
    return settings


def refuse_invalid_settings(ctx: click.Context, typed: Mapping[str, Any], settings: Settings) -> None:
    """A setting this command has an option for, not typed, whose environment variable is no
    number (DBT_CLOUD_ACCOUNT_ID=12x): refused as the option refuses a typed value, naming it. A
    command without that option runs."""
    for param in ctx.command.params:
        setting = param.setting if isinstance(param, SettingOption) else None
        if setting is not None and setting in settings.invalid and typed.get(param.name or "") is None:
            param.type_cast_value(ctx, settings.invalid[setting])


def _settings_values(settings: Settings) -> dict[str, Any]:
    return {
        "account_id": settings.account_id,
        "project_id": settings.project_id,
        "environment_id": settings.environment_id,
        "job_id": settings.job_id,
    }


READONLY_ENV_VAR = "DBT_CLOUD_READONLY"


def refuse_writes_when_readonly(model_class: type[CommandModel]) -> None:
    """dbt-cloud-cli's read-only switch: with DBT_CLOUD_READONLY set, nothing that changes state runs."""
    refuse_write_when_readonly(model_class.operation.method)


def refuse_write_when_readonly(method: str) -> None:
    import os

    if method == "GET":
        return
    if os.environ.get(READONLY_ENV_VAR, "").strip().lower() in ("1", "true", "yes"):
        raise ConfigError(
            f"Read-only mode is on ({READONLY_ENV_VAR}): this command would change dbt Cloud",
            hint=f"unset {READONLY_ENV_VAR} to allow it",
        )


Prepare = Callable[[dict[str, Any]], dict[str, Any]]

#: The parameter name of `--body` (a field may be called `body`; this name is never a field's).
BODY_PARAM = "request_body"


class BodyOption(click.Option):
    """`--body`: the request body as JSON or @file.json, listed with the body options."""

    help_section = "body"

    def __init__(self) -> None:
        super().__init__(
            ["--body", BODY_PARAM],
            type=JSON,
            help="The request body as JSON, or @file.json. The options above set single fields and "
            "win over the same fields in it.",
        )


def take_body(model_class: type[CommandModel]) -> Prepare:
    """Lay the fields of `--body` under the options that were given: an option wins over the same
    key in the JSON. A key the operation does not take is an error, named."""
    by_wire: dict[str, str] = {}
    for name, info in model_class.model_fields.items():
        param = field_param(info)
        if param.location is Location.BODY or (param.location is Location.PATH and param.also_body):
            by_wire[param.wire_name or name] = name

    def prepare(values: dict[str, Any]) -> dict[str, Any]:
        given = values.pop(BODY_PARAM, None)
        if given is None:
            return values
        if not isinstance(given, dict):
            raise InputError("--body must be a JSON object (its keys are the fields of the request)")
        unknown = sorted(set(given) - set(by_wire))
        if unknown:
            known = ", ".join(sorted(by_wire))
            raise InputError(f"--body has fields this operation does not take: {', '.join(unknown)} (it takes {known})")
        for wire, value in given.items():
            name = by_wire[wire]
            if values.get(name) is None or values.get(name) == ():
                values[name] = value
        return values

    return prepare


def _chain(steps: list[Prepare]) -> Prepare | None:
    if not steps:
        return None
    if len(steps) == 1:
        return steps[0]

    def prepare(values: dict[str, Any]) -> dict[str, Any]:
        for step in steps:
            values = step(values)
        return values

    return prepare


def api_command(
    name: str,
    model_class: type[CommandModel],
    *,
    action: Action = send_and_print,
    extra_params: list[click.Parameter] | None = None,
    prepare: Prepare | None = None,
    help: str | None = None,
    body: bool = False,
    options: type[Options] = SendOptions,
) -> ModelCommand:
    """A click command for a command model: its fields as options, the connection options, and
    `--all` where the operation pages. `prepare` may adjust the option values before validation
    (e.g. read a field's value from a file option, taking that option away); `body` adds `--body`
    for the whole request body as JSON. The other options reach the action as `options`."""
    extras = list(extra_params or [])
    if model_class.operation.paginated:
        extras.append(all_pages_option())
    if body:
        extras.insert(0, BodyOption())
    extra_names = {param.name for param in extras if param.name and param.name != BODY_PARAM}
    steps = _chain([step for step in (take_body(model_class) if body else None, prepare) if step is not None])
    if prepare is None:
        options.check(name, extra_names)

    @click.pass_context
    def callback(ctx: click.Context, /, **values: Any) -> None:
        refuse_writes_when_readonly(model_class)
        with invocation_for(ctx, model_class, values, extra_names, prepare=steps, options=options) as invocation:
            action(invocation)

    command = ModelCommand(
        name,
        model_class,
        callback,
        extra_params=[*extras, *connection_options()],
        help=help,
    )
    command.action = action
    return command


def command_group(name: str, help: str, commands: Sequence[click.Command]) -> click.Group:
    group = SuggestingGroup(
        name, help=help, epilog=example_epilog(name), context_settings={"help_option_names": ["-h", "--help"]}
    )
    for command in commands:
        group.add_command(command)
    return group


def extend_group(base: click.Group, commands: Sequence[click.Command], *, help: str | None = None) -> click.Group:
    """A new group with `base`'s commands and `commands`; a command of the same name replaces the
    base's. This is how a hand-written module builds on a generated group (and a composite module
    on a hand-written one) without either editing the other; `base` is left as it is."""
    group = SuggestingGroup(
        base.name, help=help or base.help, epilog=base.epilog, context_settings=dict(base.context_settings)
    )
    for command in [*base.commands.values(), *commands]:
        group.add_command(command)
    return group


def update_from_current(getter: type[CommandModel] | str) -> Action:
    """The action of an `update` command: only the options given change (dbt_cloud.services.updates)."""

    def update_and_print(invocation: Invocation) -> None:
        from dbt_cloud.api.registry import model_named
        from dbt_cloud.services.updates import update

        print_answer(invocation, update(invocation.client, invocation.model, model_named(getter)))

    return update_and_print


def verb_command(verb: Verb, **overrides: Any) -> ModelCommand:
    """The click command of a verb of the registry; `overrides` are `api_command`'s own arguments
    where a command does more than its verb says (reads a file, takes extra options)."""
    arguments: dict[str, Any] = {"body": verb.body}
    if verb.update_from is not None:
        arguments["action"] = update_from_current(verb.update_from)
    elif verb.saves:
        arguments["action"] = save_answer
    if verb.output_file is not None:
        arguments["extra_params"] = [output_file_option(verb.output_file)]
    arguments.update(overrides)
    command = api_command(verb.name, verb.model, **arguments)
    command.hidden = verb.hidden
    return command


def registry_group(name: str, *, help: str | None = None, commands: Sequence[click.Command] = ()) -> click.Group:
    """The group of `name` as the operation registry has it, one command per verb; `commands`
    take the place of the verbs of their names."""
    from dbt_cloud.api.registry import group_help, verbs

    made = [verb_command(verb) for verb in verbs(name).values()]
    return command_group(name, help or group_help(name), [*made, *commands])
