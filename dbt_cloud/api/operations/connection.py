"""`dbt-cloud connection`: warehouse connections of a project (API v3).

The operation models of dbt-cloud-cli's commands, written by hand; the rest of the group (`update`)
is generated in dbt_cloud/api/generated/connection.py; the `VERBS` below lay over its own.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from dbt_cloud.api.fields import (
    AccountId,
    AccountIdInBody,
    Limit,
    Offset,
    OrderBy,
    ProjectId,
    ProjectIdInBody,
    State,
)
from dbt_cloud.api.operation import Body, CommandModel, Operation, Path, Verb

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


#: The commands of the group these models make (the generated module's, where one exists, come first).
VERBS = [
    Verb("list", ConnectionList),
    Verb("get", ConnectionGet),
    Verb("create", ConnectionCreate),
    Verb("delete", ConnectionDelete),
]
