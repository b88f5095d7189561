"""`dbt-cloud run`: runs of jobs, and their artifacts (API v2).

The operation models of dbt-cloud-cli's commands, written by hand; the rest of the group (`retry`,
`get-step`, `get-failure-details`) is generated in dbt_cloud/api/generated/run.py; the `VERBS` below
lay over its own.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from dbt_cloud.api.fields import AccountId, IncludeRelated
from dbt_cloud.api.operation import CommandModel, Operation, Path, Query, Verb
from dbt_cloud.api.runs import RunStatus as RunStatus  # `--status`'s type; importable from here as before

RUNS = "/api/v2/accounts/{account_id}/runs/"
#: What a run's `include_related` may name (dbt Cloud's list; `--include-related` completes them).
RUN_RELATED = (
    "trigger",
    "job",
    "environment",
    "repository",
    "run_steps",
    "run_retries",
    "used_repo_cache",
    "repo_cache_restore",
    "audit",
    "debug_logs",
)


RunId = Annotated[int, Path(), Field(description="ID of the run.")]
RunIdAsId = Annotated[int, Path("id"), Field(description="ID of the run.")]


class RunList(CommandModel):
    """List runs, newest first unless --order-by says otherwise."""

    operation: ClassVar[Operation] = Operation("GET", RUNS, "List Runs", paginated=True)
    account_id: AccountId
    job_id: Annotated[int | None, Query("job_definition_id"), Field(description="Filter by job.")] = None
    project_id: Annotated[int | None, Query(), Field(description="Filter by project.")] = None
    environment_id: Annotated[int | None, Query(), Field(description="Filter by environment.")] = None
    status: Annotated[RunStatus | None, Query(), Field(description="Filter by run status.")] = None
    # The service orders by id ascending when asked nothing, so `run list --limit 3` would show the
    # three oldest runs; "the latest run is .data[0]" is what scripts written for dbt-cloud-cli rely on.
    order_by: Annotated[
        str | None,
        Query(),
        Field(
            description="Field to order the runs by; prefix with '-' for descending order (default: -id, newest first)."
        ),
    ] = "-id"
    offset: Annotated[int, Query(), Field(ge=0, description="How many runs to skip.")] = 0
    limit: Annotated[int, Query(), Field(ge=1, le=100, description="How many runs to return (1 to 100).")] = 100
    include_related: Annotated[
        str | None,
        Query(),
        Field(description=f"Comma-separated related objects to include: {', '.join(RUN_RELATED)}."),
    ] = None


class RunGet(CommandModel):
    """Get a run by its id."""

    operation: ClassVar[Operation] = Operation("GET", RUNS + "{id}/", "Retrieve Run")
    account_id: AccountId
    run_id: RunIdAsId
    include_related: Annotated[
        list[str] | None,
        Query(comma_separated=True),
        Field(description=f"Related objects to include (repeat the option): {', '.join(RUN_RELATED)}."),
    ] = None


class RunCancel(CommandModel):
    """Cancel a run that is queued or running."""

    operation: ClassVar[Operation] = Operation("POST", RUNS + "{run_id}/cancel/", "Cancel Run")
    account_id: AccountId
    run_id: RunId


class RunListArtifacts(CommandModel):
    """List the artifact files a run produced."""

    operation: ClassVar[Operation] = Operation("GET", RUNS + "{run_id}/artifacts/", "List Run Artifacts")
    account_id: AccountId
    run_id: RunId
    include_related: IncludeRelated = None


class RunGetArtifact(CommandModel):
    """Download one artifact file of a run (run_results.json, manifest.json, catalog.json, ...)."""

    operation: ClassVar[Operation] = Operation(
        "GET", RUNS + "{run_id}/artifacts/{remainder}", "Retrieve Run Artifact", envelope=False
    )
    account_id: AccountId
    run_id: RunId
    path: Annotated[
        str,
        Path("remainder", allow_slashes=True),
        Field(description="Path of the artifact, e.g. manifest.json or run/project/models/x.sql."),
    ]
    step: Annotated[
        int | None,
        Query(),
        Field(ge=1, description="Step whose artifact to get (1 is the first); default the last step."),
    ] = None
    include_related: IncludeRelated = None


#: The commands of the group these models make (the generated module's, where one exists, come first).
VERBS = [
    Verb("list", RunList),
    Verb("get", RunGet),
    Verb("cancel", RunCancel),
    Verb("list-artifacts", RunListArtifacts),
    Verb("get-artifact", RunGetArtifact, saves=True, output_file="File to write the artifact to ('-' for stdout)."),
]
