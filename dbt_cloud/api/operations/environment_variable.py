"""`dbt-cloud environment-variable delete-bulk`: the variables to delete, named by id.

The spec gives this DELETE no request body, so the generated command could only send an empty one,
which deletes nothing (the local runner answers 400 "Expected a list of items"). The ids go in the
body as `{"ids": [...]}`, the form the local runner reads; the rest of the group is generated in
dbt_cloud/api/generated/environment_variable.py and the `VERBS` below lay over its own.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from dbt_cloud.api.fields import AccountId, ProjectId
from dbt_cloud.api.operation import Body, CommandModel, Operation, Verb


class EnvironmentVariableDeleteBulk(CommandModel):
    """Delete the project's environment variables with these ids, in one request."""

    operation: ClassVar[Operation] = Operation(
        "DELETE",
        "/api/v3/accounts/{account_id}/projects/{project_id}/environment-variables/bulk/",
        "Destroy Projects Environment Variables Bulk",
    )
    account_id: AccountId
    project_id: ProjectId
    # Required and never empty: a bulk delete names what it deletes, one id per --ids.
    ids: Annotated[
        list[int],
        Body(),
        Field(min_length=1, description="ID of an environment variable to delete (repeat the option)."),
    ]


VERBS = [Verb("delete-bulk", EnvironmentVariableDeleteBulk)]
