"""`dbt-cloud connection`: warehouse connections of a project (API v3).

dbt-cloud-cli's commands, written by hand; the rest of the group (`update`) is generated in
dbt_cloud/commands/generated/connection.py, which this module extends.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

import click
from pydantic import Field

from dbt_cloud.command import Body, CommandModel, Operation, Path
from dbt_cloud.commands.base import Invocation, api_command, extend_group, send_and_print
from dbt_cloud.commands.fields import (
    AccountId,
    AccountIdInBody,
    Limit,
    Offset,
    OrderBy,
    ProjectId,
    ProjectIdInBody,
    State,
)
from dbt_cloud.commands.generated import connection as generated

ConnectionId = Annotated[int, Path("id"), Field(description="ID of the connection.")]
CONNECTIONS = "/api/v3/accounts/{account_id}/projects/{project_id}/connections/"


class ConnectionList(CommandModel):
    """List the connections of a project."""

    operation: ClassVar[Operation] = Operation("GET", CONNECTIONS, "List Connections", paginated=True)
    account_id: AccountId
    project_id: ProjectId
    limit: Limit = None
    offset: Offset = None
    order_by: OrderBy = None
    state: State = None


class ConnectionGet(CommandModel):
    """Get a connection by its id."""

    operation: ClassVar[Operation] = Operation("GET", CONNECTIONS + "{id}/", "Retrieve Connection")
    account_id: AccountId
    project_id: ProjectId
    connection_id: ConnectionId


class ConnectionCreate(CommandModel):
    """Create a warehouse connection in a project.

    Connection details go in --details as JSON; options this command does not know
    (`--account xy --warehouse wh`) are taken as details too, as dbt-cloud-cli did.
    """

    operation: ClassVar[Operation] = Operation("POST", CONNECTIONS, "Create Connection")
    account_id: AccountIdInBody
    project_id: ProjectIdInBody
    name: Annotated[str, Body(), Field(description="Name of the connection.")]
    type: Annotated[
        Literal["snowflake", "bigquery", "redshift", "postgres", "adapter"],
        Body(),
        Field(description="Type of the connection; its parameters go in --details."),
    ]
    id: Annotated[int | None, Body(), Field(description="ID of the connection.")] = None
    created_by_id: Annotated[int | None, Body(), Field(description="ID of the user who created it.")] = None
    created_by_service_token_id: Annotated[
        int | None, Body(), Field(description="ID of the service token that created it.")
    ] = None
    state: Annotated[int, Body(), Field(description="State of the connection: 1 active.")] = 1
    details: Annotated[
        dict[str, Any] | None, Body(), Field(description="Connection details as JSON, or @file.json.")
    ] = None


class ConnectionDelete(CommandModel):
    """Delete a connection."""

    operation: ClassVar[Operation] = Operation("DELETE", CONNECTIONS + "{id}/", "Destroy Connection")
    account_id: AccountId
    project_id: ProjectId
    connection_id: ConnectionId


def _coerce(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def _create_with_extra_details(invocation: Invocation) -> None:
    """dbt-cloud-cli took unknown `--key value` pairs as connection details; so do we."""
    extra = list(invocation.ctx.args)
    if extra:
        if len(extra) % 2 or not all(key.startswith("--") for key in extra[::2]):
            raise click.UsageError(
                f"Unexpected arguments {' '.join(extra)!r}: connection details go as --key value pairs"
            )
        details = {
            key[2:].replace("-", "_"): _coerce(value) for key, value in zip(extra[::2], extra[1::2], strict=True)
        }
        merged = {**(getattr(invocation.model, "details", None) or {}), **details}
        invocation.model = invocation.model.model_copy(update={"details": merged})
    send_and_print(invocation)


_create = api_command("create", ConnectionCreate, action=_create_with_extra_details)
_create.context_settings.update(ignore_unknown_options=True, allow_extra_args=True)
_create.ignore_unknown_options = True
_create.allow_extra_args = True

group = extend_group(
    generated.group,
    [
        api_command("list", ConnectionList),
        api_command("get", ConnectionGet),
        _create,
        api_command("delete", ConnectionDelete),
    ],
    help="Warehouse connections of a project.",
)
