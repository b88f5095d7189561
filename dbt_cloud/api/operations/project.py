"""`dbt-cloud project`: projects of an account (API v3).

The operation models of dbt-cloud-cli's commands, written by hand; the rest of the group (the v2
commands) is generated in dbt_cloud/api/generated/project.py; the `VERBS` below lay over its own.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from dbt_cloud.api.fields import AccountId, AccountIdInBody, IncludeRelated, Limit, Offset, OrderBy, State
from dbt_cloud.api.operation import Body, Cli, CommandModel, Operation, Path, Query, Verb

PROJECTS = "/api/v3/accounts/{account_id}/projects/"

ProjectIdFromEnv = Annotated[
    int,
    Path("id"),
    Cli(envvar="DBT_CLOUD_PROJECT_ID", setting="project_id"),
    Field(description="ID of the project."),
]
# Destructive commands take the id only from the command line, never from the environment.
ProjectIdExplicit = Annotated[int, Path("id"), Field(description="ID of the project.")]


class ProjectList(CommandModel):
    """List the projects of the account."""

    operation: ClassVar[Operation] = Operation("GET", PROJECTS, "List Projects", paginated=True)
    account_id: AccountId
    limit: Limit = None
    offset: Offset = None
    order_by: OrderBy = None
    name_icontains: Annotated[
        str | None, Query("name__icontains"), Field(description="Filter by a part of the name (any case).")
    ] = None
    state: State = None


class ProjectGet(CommandModel):
    """Get a project by its id."""

    operation: ClassVar[Operation] = Operation("GET", PROJECTS + "{id}/", "Retrieve Project")
    account_id: AccountId
    project_id: ProjectIdFromEnv
    include_related: IncludeRelated = None


class _ProjectFields(CommandModel):
    description: Annotated[str | None, Body(), Field(description="Description of the project.")] = None
    connection_id: Annotated[int | None, Body(), Field(description="The active connection.")] = None
    repository_id: Annotated[int | None, Body(), Field(description="The active repository.")] = None
    semantic_layer_config_id: Annotated[
        int | None, Body(), Field(description="The active semantic layer configuration.")
    ] = None
    dbt_project_subdirectory: Annotated[
        str | None, Body(), Field(description="Path in the repository where the dbt project lives.")
    ] = None
    docs_job_id: Annotated[int | None, Body(), Field(description="Job used for docs generation.")] = None
    freshness_job_id: Annotated[int | None, Body(), Field(description="Job used for source freshness.")] = None


class ProjectCreate(_ProjectFields):
    """Create a project."""

    operation: ClassVar[Operation] = Operation("POST", PROJECTS, "Create Project")
    account_id: AccountIdInBody
    name: Annotated[str, Body(), Field(description="Name of the project.")]
    type: Annotated[int, Body(), Field(description="Type of the project: 0 default, 1 hybrid.")]
    state: Annotated[int, Body(), Field(description="State: 1 active.")] = 1


class ProjectUpdate(_ProjectFields):
    """Update a project: only the options given change, everything else is kept."""

    operation: ClassVar[Operation] = Operation("POST", PROJECTS + "{id}/", "Update Project")
    account_id: AccountIdInBody
    project_id: ProjectIdExplicit
    name: Annotated[str | None, Body(), Field(description="Name of the project.")] = None
    type: Annotated[int | None, Body(), Field(description="Type of the project: 0 default, 1 hybrid.")] = None
    state: Annotated[int | None, Body(), Field(description="State: 1 active, 2 deleted.")] = None


class ProjectDelete(CommandModel):
    """Delete a project."""

    operation: ClassVar[Operation] = Operation("DELETE", PROJECTS + "{id}/", "Destroy Project")
    account_id: AccountId
    project_id: ProjectIdExplicit


#: The commands of the group these models make (the generated module's, where one exists, come first).
VERBS = [
    Verb("list", ProjectList),
    Verb("get", ProjectGet),
    Verb("create", ProjectCreate),
    Verb("update", ProjectUpdate, update_from=ProjectGet),
    Verb("delete", ProjectDelete),
]
