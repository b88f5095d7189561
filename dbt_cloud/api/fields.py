"""Field types that many command models share: the ids that come from flags, env vars or the
profile, and the paging parameters. Written once so every command spells them the same way."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from dbt_cloud.api.operation import Cli, Path, Query

AccountId = Annotated[
    int,
    Path(),
    Cli(envvar="DBT_CLOUD_ACCOUNT_ID", setting="account_id"),
    Field(description="Numeric ID of the dbt Cloud account."),
]
#: The account id where the v3 API wants it both in the path and in the body.
AccountIdInBody = Annotated[
    int,
    Path(also_body=True),
    Cli(envvar="DBT_CLOUD_ACCOUNT_ID", setting="account_id"),
    Field(description="Numeric ID of the dbt Cloud account."),
]
#: The project id where the v3 API wants it both in the path and in the body.
ProjectIdInBody = Annotated[
    int,
    Path(also_body=True),
    Cli(envvar="DBT_CLOUD_PROJECT_ID", setting="project_id"),
    Field(description="Numeric ID of the dbt Cloud project."),
]
ProjectId = Annotated[
    int,
    Path(),
    Cli(envvar="DBT_CLOUD_PROJECT_ID", setting="project_id"),
    Field(description="Numeric ID of the dbt Cloud project."),
]
Limit = Annotated[
    int | None,
    Query(),
    Field(ge=1, le=100, description="How many items to return (1 to 100)."),
]
Offset = Annotated[
    int | None,
    Query(),
    Field(ge=0, description="How many items to skip."),
]
OrderBy = Annotated[
    str | None,
    Query(),
    Field(description="Field to order the results by; prefix with '-' for descending order."),
]
IncludeRelated = Annotated[
    str | None,
    Query(),
    Field(description="Comma-separated related objects to include in the answer."),
]
State = Annotated[
    int | None,
    Query(),
    Field(description="Filter by state: 1 active, 2 deleted."),
]
