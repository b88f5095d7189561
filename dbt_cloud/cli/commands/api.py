"""`dbt-cloud api METHOD PATH`: any request to the dbt Cloud Administrative API, for an operation
this tool has no command for yet, with the same auth, retries, pagination and errors as the rest.

    dbt-cloud api GET /api/v3/accounts/{account_id}/groups/ --all
    dbt-cloud api POST /api/v3/accounts/{account_id}/groups/ -F name=analysts -F assign_by_default=false
    dbt-cloud api PUT /api/v3/accounts/{account_id}/service-tokens/7/ --input token.json

`{account_id}`, `{project_id}`, `{environment_id}` and `{job_id}` in the path are filled from the
options, the DBT_CLOUD_* variables or the profile, as every command fills them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, cast

import click

from dbt_cloud.cli.commands.base import (
    SCOPE_SETTINGS,
    all_pages_option,
    connection_options,
    output_file_option,
    refuse_write_when_readonly,
    request_session,
    settings_for,
)
from dbt_cloud.cli.json_input import checked_text, parse_json_or_text, read_json_file
from dbt_cloud.cli.setting_option import SettingOption
from dbt_cloud.errors import ConfigError, UsageError
from dbt_cloud.services.updates import deep_merge

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
WRITES = ("POST", "PUT", "PATCH")


def parse_value(text: str, source: str = "-F") -> Any:
    """`-F` values: JSON where the text is JSON (`8`, `true`, `null`, `[1, 2]`, `{"a": 1}`, `"8"`),
    else the text itself."""
    return parse_json_or_text(text, source)


def _pairs(items: tuple[str, ...], option: str, *, typed: bool) -> list[tuple[str, Any]]:
    pairs = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"{option} takes KEY=VALUE, not {item!r}")
        checked_text(item, option)
        pairs.append((key, parse_value(value, f"{option} {key}") if typed else value))
    return pairs


def _as_query(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Query parameters; a key given twice is sent twice."""
    params: dict[str, Any] = {}
    for key, value in pairs:
        value = json.dumps(value) if isinstance(value, (dict, list)) else value
        value = str(value).lower() if isinstance(value, bool) else value
        _add(params, key, value)
    return params


def _add(target: dict[str, Any], key: str, value: Any) -> None:
    """`target[key] = value`; a key given twice makes a list."""
    if key in target:
        previous = target[key]
        target[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
    else:
        target[key] = value


def _as_body(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object: `a.b=1` nests, a key given twice makes a list."""
    body: dict[str, Any] = {}
    for key, value in pairs:
        *parents, leaf = key.split(".")
        target = body
        for parent in parents:
            child = target.setdefault(parent, {})
            if not isinstance(child, dict):
                raise UsageError(f"-F {key}: {parent} is already a value, not an object")
            target = child
        _add(target, leaf, value)
    return body


def _read_input(source: str) -> Any:
    path = Path(source) if source == "-" else Path(source).expanduser()
    return read_json_file(path, "--input")


def fill_path(path: str, values: dict[str, Any]) -> str:
    """The path with `{account_id}` and its kin filled in; any other `{name}` is an error."""
    if not path.startswith("/"):
        raise UsageError(f"PATH must start with '/', e.g. /api/v2/accounts/{{account_id}}/jobs/ (not {path!r})")

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name)
        if value is None:
            if name in SCOPE_SETTINGS:
                option = "--" + name.replace("_", "-")
                raise ConfigError(f"PATH needs {{{name}}}: give {option} or set DBT_CLOUD_{name.upper()}")
            raise UsageError(f"PATH has {{{name}}}, which this command cannot fill: write the value in")
        return str(value)

    return re.sub(r"{(\w+)}", fill, path)


def _send(ctx: click.Context, values: dict[str, Any]) -> None:
    """The request given by its parts, sent through a Session like any command's: the answer goes
    where every answer goes (stdout, or the program running the command in process), with its events."""
    from dbt_cloud.api.operation import HttpMethod, Operation, Request

    method = values["method"].upper()
    refuse_write_when_readonly(method)
    settings = settings_for(ctx, values)
    scope = {name: getattr(settings, name) for name in SCOPE_SETTINGS}
    path = fill_path(values["path"], scope)
    fields = _pairs(values["fields"], "-F/--field", typed=True) + _pairs(
        values["raw_fields"], "--raw-field", typed=False
    )
    query = _pairs(values["query"], "-q/--query", typed=False)
    body: Any = _read_input(values["input_file"]) if values["input_file"] else None
    if method in WRITES:
        if fields:
            body = deep_merge(body if isinstance(body, dict) else {}, _as_body(fields))
    else:
        if body is not None:
            raise UsageError(f"--input sends a body, which {method} does not take")
        query = fields + query
    if values["all_pages"] and method != "GET":
        raise UsageError("--all pages through a list: only with GET")
    request = Request(cast("HttpMethod", method), path, _as_query(query), body)
    with request_session(ctx, settings, Operation(request.method, path), output=values["output"] or "json") as session:
        client = session.client
        if values["raw"]:
            target = values["output_file"]
            destination = None if target in (None, "-") else Path(target)
            written = client.download(request, destination)
            if destination is not None:
                session.status(f"Wrote {written} bytes to {destination}")
            return
        # envelope=None: the envelope is checked where the answer is one (any JSON may come back).
        if values["all_pages"]:
            response = client.send_all_request(request, envelope=None)
        else:
            response = client.send_request(request, envelope=None)
        if response.document is None:
            session.status(f"Done: dbt Cloud answered {response.status_code} with no content.")
            return
        session.print(response.document)


def _options() -> list[click.Parameter]:
    return [
        click.Argument(["method"], type=click.Choice(METHODS, case_sensitive=False)),
        click.Argument(["path"]),
        click.Option(
            ["-F", "--field", "fields"],
            multiple=True,
            metavar="KEY=VALUE",
            help="A body field (POST, PUT, PATCH) or query parameter (GET, DELETE). VALUE is JSON where it "
            "parses as JSON (8, true, null, [1,2]), else text; `a.b=1` nests; a key given twice makes a list.",
        ),
        click.Option(
            ["--raw-field", "raw_fields"],
            multiple=True,
            metavar="KEY=VALUE",
            help="Like -F, but VALUE is always text (`--raw-field name=007`).",
        ),
        click.Option(
            ["-q", "--query", "query"],
            multiple=True,
            metavar="KEY=VALUE",
            help="A query parameter, whatever the method.",
        ),
        click.Option(
            ["--input", "input_file"],
            metavar="FILE",
            help="The request body as a JSON file ('-' for standard input); -F fields are laid over it.",
        ),
        click.Option(
            ["--raw"],
            is_flag=True,
            help="Write the answer as it comes (a CSV, a ZIP, an artifact) to stdout or -f FILE.",
        ),
        output_file_option("With --raw: the file to write the answer to ('-' for stdout)."),
        *(
            SettingOption(
                [f"--{name.replace('_', '-')}", name],
                type=click.IntRange(min=1),
                envvar=f"DBT_CLOUD_{name.upper()}",
                show_envvar=True,
                help=f"Fills {{{name}}} in PATH.",
            )
            for name in ("account_id", "project_id")
        ),
        all_pages_option(),
        *connection_options(),
    ]


@click.pass_context
def _callback(ctx: click.Context, /, **values: Any) -> None:
    _send(ctx, values)


api = click.Command(
    "api",
    callback=_callback,
    params=_options(),
    help="""Send any request to the API: METHOD PATH.

    For an operation this tool has no command for (yet): the same token, host, retries, --all
    and errors as every command. PATH is the path of the API reference, with {account_id} and
    {project_id} filled in for you.

    \b
    dbt-cloud api GET /api/v3/accounts/{account_id}/groups/ --all
    dbt-cloud api POST /api/v3/accounts/{account_id}/groups/ -F name=analysts -F assign_by_default=false
    dbt-cloud api GET /api/v3/accounts/{account_id}/audit-logs/download/ --raw -f events.csv
    """,
    short_help="Send any request to the API: METHOD PATH.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
