"""`dbt-cloud metadata`: GraphQL queries to the Discovery (metadata) API; the query may come from a
file or standard input."""

from __future__ import annotations

import sys
from typing import Any

import click

from dbt_cloud.api.operations.metadata import MetadataQuery
from dbt_cloud.cli.commands.base import api_command, command_group
from dbt_cloud.cli.completing import FILES
from dbt_cloud.cli.json_input import checked_text
from dbt_cloud.cli.paths import CleanPath
from dbt_cloud.errors import InputError


def _read_query(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    source = values.pop("query_file", "-")
    values.pop("account_id", None)  # accepted for dbt-cloud-cli compatibility; the query needs none
    if values.get("query"):
        return values
    if source == "-":
        if sys.stdin.isatty():
            raise InputError("No query given: pass --query TEXT, -f FILE, or pipe the query on stdin")
        try:
            values["query"] = checked_text(sys.stdin.read(), "The query on stdin")
        except UnicodeDecodeError as exc:
            raise InputError(f"The query on stdin is not UTF-8 text (byte at position {exc.start})") from None
        return values
    try:
        with open(source, encoding="utf-8") as handle:
            values["query"] = handle.read()
    except OSError as exc:
        raise InputError(f"Cannot read the query file {source}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"Cannot read the query file {source}: it is not UTF-8 text "
            f"(byte 0x{exc.object[exc.start]:02x} at position {exc.start})"
        ) from None
    return values


group = command_group(
    "metadata",
    "Discovery (metadata) API: GraphQL queries.",
    [
        api_command(
            "query",
            MetadataQuery,
            prepare=_read_query,
            extra_params=[
                click.Option(
                    ["-f", "--file", "query_file"],
                    type=CleanPath(dir_okay=False, allow_dash=True),
                    default="-",
                    show_default=True,
                    shell_complete=FILES,
                    help="Read the query from this file ('-' for standard input).",
                ),
                click.Option(
                    ["--account-id", "account_id"],
                    type=int,
                    hidden=True,
                    help="Accepted for dbt-cloud-cli compatibility; not used.",
                ),
            ],
        )
    ],
)
