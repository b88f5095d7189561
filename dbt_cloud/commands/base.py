"""What every API command shares: the connection options, the step from parsed options to a
validated model and a client, and the default action (send, print).

A command module only declares models and names them; `api_command` does the rest. Composite
commands pass their own `action`, which receives the same `Invocation`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dbt_cloud.command import CommandModel, ModelCommand, build_model
from dbt_cloud.config import ENV_VARS, Settings
from dbt_cloud.defaults import DEFAULT_HOST
from dbt_cloud.errors import ConfigError, InputError
from dbt_cloud.files import atomic_write
from dbt_cloud.output import FORMATS, render

if TYPE_CHECKING:
    from dbt_cloud.client import ApiResponse, DbtCloudClient
    from dbt_cloud.events import Event

#: Names of the options every API command has, which are not fields of its model.
CONNECTION_PARAMS = ("api_token", "dbt_cloud_host", "timeout", "output")


def connection_options() -> list[click.Parameter]:
    """The options dbt-cloud-cli puts on every command, plus the output format."""
    return [
        click.Option(
            ["--api-token", "api_token"],
            envvar=ENV_VARS["api_token"],
            show_envvar=True,
            help="API token (a service token or personal access token).",
        ),
        click.Option(
            ["--dbt-cloud-host", "dbt_cloud_host"],
            envvar=ENV_VARS["dbt_cloud_host"],
            show_envvar=True,
            help=f"dbt Cloud host name or URL [default: {DEFAULT_HOST}].",
        ),
        click.Option(
            ["--timeout", "timeout"],
            type=click.FloatRange(min=0.1),
            help="Seconds to wait for each answer [default: the root --timeout, 30].",
        ),
        click.Option(
            ["-o", "--output", "output"],
            type=click.Choice(FORMATS),
            default="json",
            show_default=True,
            help="Output format on stdout.",
        ),
    ]


def all_pages_option() -> click.Option:
    return click.Option(
        ["--all", "--paginate", "all_pages"],
        is_flag=True,
        help="Fetch every page (concurrently, in order) instead of one. --paginate is the same.",
    )


@dataclass
class Invocation:
    """One run of an API command: its validated model, settings, client and output choice."""

    ctx: click.Context
    model: CommandModel
    settings: Settings
    output: str
    extras: dict[str, Any] = field(default_factory=dict)
    debug: bool = False
    _client: DbtCloudClient | None = None

    @property
    def client(self) -> DbtCloudClient:
        if self._client is None:
            from dbt_cloud.client import DbtCloudClient

            self._client = DbtCloudClient(self.settings, on_event=self.on_event)
        return self._client

    def on_event(self, event: Event) -> None:
        if self.debug:
            from dbt_cloud.events import describe
            from dbt_cloud.redact import redact

            click.echo(redact(f"debug: {describe(event)}"), err=True)

    def print(self, document: Any) -> None:
        """Write the answer to stdout, or atomically to `-f/--file` where the command has it."""
        target = self.extras.get("output_file")
        if target and target != "-":
            import io

            buffer = io.StringIO()
            render(document, self.output, buffer)
            with atomic_write(Path(target)) as handle:
                handle.write(buffer.getvalue().encode("utf-8"))
            self.status(f"Wrote the answer to {target}")
            return
        render(document, self.output, sys.stdout)

    def status(self, message: str) -> None:
        """Progress for people, on stderr."""
        click.echo(message, err=True)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


Action = Callable[[Invocation], None]


def output_file_option(help: str = "Write the answer to this file instead of stdout ('-').") -> click.Option:
    """dbt-cloud-cli's `-f/--file` for output; written atomically, never half."""
    return click.Option(["-f", "--file", "output_file"], default="-", show_default=True, help=help)


def send_and_print(invocation: Invocation) -> None:
    """The default action: send the request (every page with `--all`) and print the answer."""
    response: ApiResponse
    if invocation.extras.get("all_pages"):
        response = invocation.client.send_all(invocation.model)
    else:
        response = invocation.client.send(invocation.model)
    invocation.print(response.document)


@contextmanager
def invocation_for(
    ctx: click.Context,
    model_class: type[CommandModel],
    values: Mapping[str, Any],
    extra_names: set[str],
) -> Iterator[Invocation]:
    from dbt_cloud.cli import RootOptions

    root = ctx.find_object(RootOptions) or RootOptions()
    options = dict(values)
    connection = {name: options.pop(name, None) for name in CONNECTION_PARAMS}
    extras = {name: options.pop(name) for name in list(options) if name in extra_names}
    settings = Settings.resolve(
        {"api_token": connection["api_token"], "dbt_cloud_host": connection["dbt_cloud_host"]},
        profile=root.profile,
        timeout=connection["timeout"] if connection["timeout"] is not None else root.timeout,
        max_retries=root.max_retries,
    )
    try:
        model = build_model(model_class, options, settings=_settings_values(settings))
    except InputError as exc:
        exc.hint = exc.hint or f"see '{ctx.command_path} --help'"
        raise
    invocation = Invocation(
        ctx=ctx,
        model=model,
        settings=settings,
        output=connection["output"] or "json",
        extras=extras,
        debug=root.debug,
    )
    try:
        yield invocation
    finally:
        invocation.close()


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
    import os

    if model_class.operation.method == "GET":
        return
    if os.environ.get(READONLY_ENV_VAR, "").strip().lower() in ("1", "true", "yes"):
        raise ConfigError(
            f"Read-only mode is on ({READONLY_ENV_VAR}): this command would change dbt Cloud",
            hint=f"unset {READONLY_ENV_VAR} to allow it",
        )


Prepare = Callable[[dict[str, Any]], dict[str, Any]]


def api_command(
    name: str,
    model_class: type[CommandModel],
    *,
    action: Action = send_and_print,
    extra_params: list[click.Parameter] | None = None,
    prepare: Prepare | None = None,
    help: str | None = None,
) -> ModelCommand:
    """A click command for a command model: its fields as options, the connection options, and
    `--all` where the operation pages. `prepare` may adjust the option values before validation
    (e.g. read a field's value from a file option)."""
    extras = list(extra_params or [])
    if model_class.operation.paginated:
        extras.append(all_pages_option())
    extra_names = {param.name for param in extras if param.name}

    @click.pass_context
    def callback(ctx: click.Context, /, **values: Any) -> None:
        refuse_writes_when_readonly(model_class)
        if prepare is not None:
            values = prepare(values)
        with invocation_for(ctx, model_class, values, extra_names) as invocation:
            action(invocation)

    return ModelCommand(
        name,
        model_class,
        callback,
        extra_params=[*extras, *connection_options()],
        help=help,
    )


def command_group(name: str, help: str, commands: list[click.Command]) -> click.Group:
    group = click.Group(name, help=help, context_settings={"help_option_names": ["-h", "--help"]})
    for command in commands:
        group.add_command(command)
    return group


def deep_merge(current: Any, changes: Any) -> Any:
    """`changes` laid over `current`: objects merge key by key, anything else is replaced."""
    if isinstance(current, dict) and isinstance(changes, dict):
        merged = dict(current)
        for key, value in changes.items():
            merged[key] = deep_merge(current.get(key), value)
        return merged
    return changes


def update_from_current(get_model: type[CommandModel]) -> Action:
    """An update that changes only what was given: fetch the object, lay the given fields over it,
    and send the whole object back. Fields our models do not know are kept as the server sent them.
    """
    from dataclasses import replace

    def action(invocation: Invocation) -> None:
        model = invocation.model
        keys = {name: getattr(model, name) for name in get_model.model_fields if name in type(model).model_fields}
        current = invocation.client.send(get_model.model_validate(keys)).data
        if not isinstance(current, dict):
            from dbt_cloud.errors import InvalidResponseError

            raise InvalidResponseError("The current object could not be read for the update")
        merged = deep_merge(current, model.body(only_set=True))
        response = invocation.client.send_request(replace(model.request(), json=merged))
        invocation.print(response.document)

    return action
