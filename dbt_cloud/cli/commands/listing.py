"""`dbt-cloud commands`: every command beside the API operation it runs, so the command for an
endpoint of the API reference can be found (`dbt-cloud commands /service-tokens/`)."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict, dataclass

import click


@dataclass(frozen=True)
class CommandRow:
    command: str
    method: str
    path: str
    operation: str


def command_rows(root: click.Group) -> list[CommandRow]:
    """One row per command of the tree; a command that runs no single operation has empty API columns."""
    from dbt_cloud.cli.options import ModelCommand

    rows: list[CommandRow] = []

    def walk(group: click.Group, prefix: tuple[str, ...]) -> None:
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            # A hidden command that runs an operation (a deprecated `-v2` twin) is still the one
            # command of its path, so the index of operations keeps it.
            runs_one = isinstance(command, ModelCommand)
            if command is None or (command.hidden and not runs_one) or name == "commands":
                continue
            path = (*prefix, name)
            if isinstance(command, click.Group):
                walk(command, path)
            elif isinstance(command, ModelCommand) or getattr(command, "represents", None) is not None:
                model = command.model if isinstance(command, ModelCommand) else command.represents  # type: ignore[attr-defined]
                operation = model.operation
                label = operation.operation_id or ("GraphQL query" if operation.path == "/graphql" else "")
                rows.append(CommandRow(" ".join(path), operation.method, operation.path, label))
            else:
                rows.append(CommandRow(" ".join(path), "", "", ""))

    walk(root, ())
    return rows


def matches(row: CommandRow, search: str) -> bool:
    """A path (with ids or with `{placeholders}`) matches the template it fits; other text matches
    any column, in any case."""
    if search.startswith("/") and row.path:
        pattern = re.sub(r"\\{\w+\\}", "[^/]+", re.escape(row.path))
        if re.fullmatch(pattern, search) or re.fullmatch(pattern, search + "/"):
            return True
    text = " ".join((row.command, row.method, row.path, row.operation)).lower()
    return search.lower() in text


@click.command("commands", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("search", required=False)
@click.option(
    "-o", "--output", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Output format."
)
def commands(search: str | None, output: str) -> None:
    """List every command with its API operation.

    SEARCH keeps the commands whose operation fits it: a path from the API reference
    (`/api/v2/accounts/1/runs/5/retry/` or `/service-tokens/`), an operation's name
    (`Retrieve Run Step`), or part of a command.
    """
    from dbt_cloud.cli import cli

    rows = command_rows(cli)
    if search:
        rows = [row for row in rows if matches(row, search)]
        if not rows:
            raise click.ClickException(f"No command matches {search!r}; `dbt-cloud api` sends any request")
    if output == "json":
        sys.stdout.write(json.dumps([asdict(row) for row in rows], indent=2) + "\n")
        return
    widths = [max(len(getattr(row, column)) for row in rows) for column in ("command", "method")]
    for row in rows:
        line = f"{row.command:<{widths[0]}}  {row.method:<{widths[1]}}  {row.path}"
        if row.operation:
            line += f"  ({row.operation})"
        click.echo(line.rstrip())
