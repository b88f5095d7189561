"""`dbt-cloud metadata`: GraphQL queries to the Discovery (metadata) API."""

from __future__ import annotations

import sys
from typing import Annotated, Any, ClassVar

import click
from pydantic import Field

from dbt_cloud.command import Api, Body, CommandModel, Operation
from dbt_cloud.commands.base import api_command, command_group
from dbt_cloud.errors import InputError


class MetadataQuery(CommandModel):
    """Run a GraphQL query against the Discovery (metadata) API.

    The query comes from --query, or from -f/--file (standard input by default).
    """

    operation: ClassVar[Operation] = Operation("POST", "/graphql", api=Api.DISCOVERY, envelope=False)
    query: Annotated[str, Body(), Field(min_length=1, description="The GraphQL query text.")]
    variables: Annotated[
        dict[str, Any] | None, Body(), Field(description="Query variables as JSON, or @file.json.")
    ] = None


def _read_query(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    source = values.pop("query_file", "-")
    values.pop("account_id", None)  # accepted for dbt-cloud-cli compatibility; the query needs none
    if values.get("query"):
        return values
    if source == "-":
        if sys.stdin.isatty():
            raise InputError("No query given: pass --query TEXT, -f FILE, or pipe the query on stdin")
        values["query"] = sys.stdin.read()
        return values
    try:
        with open(source, encoding="utf-8") as handle:
            values["query"] = handle.read()
    except OSError as exc:
        raise InputError(f"Cannot read the query file {source}: {exc.strerror}") from None
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
                    default="-",
                    show_default=True,
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
