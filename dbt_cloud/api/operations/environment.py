"""`dbt-cloud environment`: environments of a project (API v3).

The operation models of dbt-cloud-cli's commands, written by hand; the rest of the group
(`delete-sao-cache` and the v2 commands) is generated in dbt_cloud/api/generated/environment.py; the
`VERBS` below lay over its own.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any, ClassVar

from pydantic import Field

from dbt_cloud.api.fields import (
    AccountId,
    AccountIdInBody,
    IncludeRelated,
    Limit,
    Offset,
    OrderBy,
    ProjectId,
    ProjectIdInBody,
    State,
)
from dbt_cloud.api.operation import Body, Cli, CommandModel, Operation, Path, Query, Verb

ENVIRONMENTS = "/api/v3/accounts/{account_id}/projects/{project_id}/environments/"


class EnvironmentType(str, enum.Enum):
    DEVELOPMENT = "development"
    DEPLOYMENT = "deployment"


class DeploymentType(str, enum.Enum):
    PRODUCTION = "production"
    STAGING = "staging"


EnvironmentIdFromEnv = Annotated[
    int,
    Path("id"),
    Cli(envvar="DBT_CLOUD_ENVIRONMENT_ID", setting="environment_id"),
    Field(description="ID of the environment."),
]
# Destructive commands take the id only from the command line, never from the environment.
EnvironmentIdExplicit = Annotated[int, Path("id"), Field(description="ID of the environment.")]


class EnvironmentList(CommandModel):
    """List the environments of a project."""

    operation: ClassVar[Operation] = Operation("GET", ENVIRONMENTS, "List Environments", paginated=True)
    account_id: AccountId
    project_id: ProjectId
    limit: Limit = None
    offset: Offset = None
    dbt_version: Annotated[str | None, Query(), Field(description="Filter by dbt version, e.g. 'latest'.")] = None
    state: State = None
    name: Annotated[str | None, Query(), Field(description="Filter by exact name.")] = None
    type: Annotated[EnvironmentType | None, Query(), Field(description="Filter by type.")] = None
    deployment_type: Annotated[DeploymentType | None, Query(), Field(description="Filter by deployment type.")] = None
    order_by: OrderBy = None


class EnvironmentGet(CommandModel):
    """Get an environment by its id."""

    operation: ClassVar[Operation] = Operation("GET", ENVIRONMENTS + "{id}/", "Retrieve Environment")
    account_id: AccountId
    project_id: ProjectId
    environment_id: EnvironmentIdFromEnv
    include_related: IncludeRelated = None


class _EnvironmentFields(CommandModel):
    """Body fields shared by create and update."""

    connection_id: Annotated[int | None, Body(), Field(description="Connection to use.")] = None
    credentials_id: Annotated[int | None, Body(), Field(description="Credentials to use.")] = None
    created_by_id: Annotated[int | None, Body(), Field(description="User who created the environment.")] = None
    dbt_project_subdirectory: Annotated[
        str | None, Body(), Field(description="Subdirectory of the repository that holds the dbt project.")
    ] = None
    custom_branch: Annotated[str | None, Body(), Field(description="Custom branch to use.")] = None
    dbt_version: Annotated[str | None, Body(), Field(description="dbt version, e.g. 'latest'.")] = None
    raw_dbt_version: Annotated[str | None, Body(), Field(description="Raw dbt version.")] = None
    deployment_type: Annotated[
        DeploymentType | None, Body(), Field(description="production or staging (deployment environments).")
    ] = None
    repository_id: Annotated[int | None, Body(), Field(description="Repository to use.")] = None
    custom_environment_variables: Annotated[
        dict[str, Any] | None, Body(), Field(description="Custom environment variables as JSON, or @file.json.")
    ] = None
    enable_model_query_history: Annotated[bool | None, Body(), Field(description="Enable model query history.")] = None
    primary_profile_id: Annotated[int | None, Body(), Field(description="Primary profile to use.")] = None


class EnvironmentCreate(_EnvironmentFields):
    """Create an environment in a project."""

    operation: ClassVar[Operation] = Operation("POST", ENVIRONMENTS, "Create Environment")
    account_id: AccountIdInBody
    project_id: ProjectIdInBody
    name: Annotated[str, Body(), Field(description="Name of the environment.")]
    type: Annotated[EnvironmentType, Body(), Field(description="Type of the environment.")]
    id: Annotated[int | None, Body(), Field(description="ID (assigned by dbt Cloud).")] = None
    use_custom_branch: Annotated[bool, Body(), Field(description="Use a custom branch.")] = False
    supports_docs: Annotated[bool, Body(), Field(description="The environment supports docs.")] = False
    state: Annotated[int, Body(), Field(description="State: 1 active.")] = 1


class EnvironmentUpdate(_EnvironmentFields):
    """Update an environment: only the options given change, everything else is kept."""

    operation: ClassVar[Operation] = Operation("POST", ENVIRONMENTS + "{id}/", "Update Environment")
    account_id: AccountIdInBody
    project_id: ProjectIdInBody
    environment_id: EnvironmentIdExplicit
    name: Annotated[str | None, Body(), Field(description="Name of the environment.")] = None
    type: Annotated[EnvironmentType | None, Body(), Field(description="Type of the environment.")] = None
    use_custom_branch: Annotated[bool | None, Body(), Field(description="Use a custom branch.")] = None
    supports_docs: Annotated[bool | None, Body(), Field(description="The environment supports docs.")] = None
    state: Annotated[int | None, Body(), Field(description="State: 1 active, 2 deleted.")] = None


class EnvironmentDelete(CommandModel):
    """Delete an environment."""

    operation: ClassVar[Operation] = Operation("DELETE", ENVIRONMENTS + "{id}/", "Destroy Environment")
    account_id: AccountId
    project_id: ProjectId
    environment_id: EnvironmentIdExplicit


#: The commands of the group these models make (the generated module's, where one exists, come first).
VERBS = [
    Verb("list", EnvironmentList),
    Verb("get", EnvironmentGet),
    Verb("create", EnvironmentCreate),
    Verb("update", EnvironmentUpdate, update_from=EnvironmentGet),
    Verb("delete", EnvironmentDelete),
]
