"""`dbt-cloud job`: job definitions and triggering their runs (API v2).

The operation models of dbt-cloud-cli's commands, written by hand; the rest of the group (`rerun`,
`get-artifact`) is generated in dbt_cloud/api/generated/job.py; the `VERBS` below lay over its own.
"""

from __future__ import annotations

import enum
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from dbt_cloud.api.fields import AccountId, IncludeRelated, Limit, Offset, OrderBy, State
from dbt_cloud.api.operation import OUTPUT_FILE_HELP, Body, Cli, CommandModel, Operation, Path, Query, Verb

JOBS = "/api/v2/accounts/{account_id}/jobs/"

JobIdFromEnv = Annotated[
    int,
    Path("id"),
    Cli(envvar="DBT_CLOUD_JOB_ID", setting="job_id"),
    Field(description="ID of the job."),
]


class JobType(str, enum.Enum):
    CI = "ci"
    SCHEDULED = "scheduled"
    OTHER = "other"
    MERGE = "merge"
    ADAPTIVE = "adaptive"
    EXPOSURE_SYNC = "exposure_sync"


class DateType(str, enum.Enum):
    EVERY_DAY = "every_day"
    DAYS_OF_WEEK = "days_of_week"
    CUSTOM_CRON = "custom_cron"


class TimeType(str, enum.Enum):
    EVERY_HOUR = "every_hour"
    AT_EXACT_HOURS = "at_exact_hours"


class _Part(BaseModel):
    """A nested part of a job definition; unknown keys are kept, not dropped."""

    model_config = ConfigDict(extra="allow")


class JobTriggers(_Part):
    github_webhook: bool = Field(default=False, description="Run on GitHub pull requests.")
    schedule: bool = Field(default=False, description="Run on the schedule.")
    custom_branch_only: bool = Field(default=False, description="Run only on the custom branch.")
    git_provider_webhook: bool = Field(default=False, description="Run on git provider webhooks.")
    on_merge: bool = Field(default=False, description="Run when a pull request is merged.")


class JobSettings(_Part):
    threads: int = Field(default=1, ge=1, description="Models to run in parallel.")
    target_name: str = Field(default="default", description="Value of {{ target.name }} in the project.")


class JobExecution(_Part):
    timeout_seconds: int = Field(default=0, ge=0, description="Maximum run time in seconds; 0 for none.")


class JobScheduleDate(_Part):
    type: DateType = Field(default=DateType.EVERY_DAY, description="How the days of the schedule are given.")


class JobScheduleTime(_Part):
    type: TimeType = Field(default=TimeType.EVERY_HOUR, description="How the times of the schedule are given.")
    interval: int = Field(default=1, ge=1, description="Hours between runs.")


class JobSchedule(_Part):
    cron: str = Field(default="0 * * * *", description="Cron schedule of the job.")
    date: Annotated[JobScheduleDate, Cli(flatten=True)] = Field(default_factory=JobScheduleDate)
    time: Annotated[JobScheduleTime, Cli(flatten=True)] = Field(default_factory=JobScheduleTime)


class JobList(CommandModel):
    """List the jobs of the account."""

    operation: ClassVar[Operation] = Operation("GET", JOBS, "List Jobs", paginated=True)
    account_id: AccountId
    order_by: OrderBy = None
    limit: Limit = None
    offset: Offset = None
    project_id: Annotated[int | None, Query(), Field(description="Filter by project.")] = None
    environment_id: Annotated[int | None, Query(), Field(description="Filter by environment.")] = None
    name_icontains: Annotated[
        str | None, Query("name__icontains"), Field(description="Filter by a part of the name (any case).")
    ] = None
    state: State = None
    include_related: IncludeRelated = None


class JobGet(CommandModel):
    """Get a job by its id."""

    operation: ClassVar[Operation] = Operation("GET", JOBS + "{id}/", "Retrieve Job")
    account_id: AccountId
    job_id: JobIdFromEnv
    include_related: IncludeRelated = None


class _JobFields(CommandModel):
    dbt_version: Annotated[
        str | None, Body(), Field(description="dbt version; overrides the environment's when given.")
    ] = None
    job_type: Annotated[JobType | None, Body(), Field(description="The type of job.")] = None
    deferring_job_definition_id: Annotated[int | None, Body(), Field(description="Job to defer to.")] = None
    deferring_environment_id: Annotated[int | None, Body(), Field(description="Environment to defer to.")] = None


class JobCreate(_JobFields):
    """Create a job in a project."""

    operation: ClassVar[Operation] = Operation("POST", JOBS, "Create Job")
    account_id: Annotated[
        int,
        Path(also_body=True),
        Cli(envvar="DBT_CLOUD_ACCOUNT_ID", setting="account_id"),
        Field(description="Numeric ID of the dbt Cloud account."),
    ]
    project_id: Annotated[
        int,
        Body(),
        Cli(envvar="DBT_CLOUD_PROJECT_ID", setting="project_id"),
        Field(description="Project of the job."),
    ]
    environment_id: Annotated[
        int,
        Body(),
        Cli(envvar="DBT_CLOUD_ENVIRONMENT_ID", setting="environment_id"),
        Field(description="Environment the job runs in."),
    ]
    name: Annotated[str, Body(), Field(description="Name of the job.")]
    execute_steps: Annotated[
        list[str],
        Body(),
        Field(min_length=1, description="dbt commands to run: repeat the option, or give a list '[\"dbt build\"]'."),
    ]
    description: Annotated[str, Body(), Field(description="Description of the job.")] = ""
    triggers: Annotated[JobTriggers, Body(), Cli(flatten=True)] = Field(default_factory=JobTriggers)
    settings: Annotated[JobSettings, Body(), Cli(flatten=True)] = Field(default_factory=JobSettings)
    execution: Annotated[JobExecution, Body(), Cli(flatten=True)] = Field(default_factory=JobExecution)
    state: Annotated[int, Body(), Field(description="State: 1 active, 2 deleted.")] = 1
    generate_docs: Annotated[bool, Body(), Field(description="Run `dbt docs generate` at the end of runs.")] = False
    schedule: Annotated[JobSchedule, Body(), Cli(flatten=True)] = Field(default_factory=JobSchedule)
    run_generate_sources: Annotated[
        bool, Body(), Field(description="Run `dbt source freshness` at the start of runs.")
    ] = False
    run_compare_changes: Annotated[bool, Body(), Field(description="Compare changes with the previous run.")] = False
    run_lint: Annotated[bool, Body(), Field(description="Run the linter as part of runs.")] = False
    errors_on_lint_failure: Annotated[bool, Body(), Field(description="Fail the run on lint errors.")] = False
    lifecycle_webhooks: Annotated[bool, Body(), Field(description="Send lifecycle webhooks for runs.")] = False
    triggers_on_draft_pr: Annotated[bool, Body(), Field(description="CI jobs also run for draft pull requests.")] = (
        False
    )


class _OptionalTriggers(_Part):
    github_webhook: bool | None = Field(default=None, description="Run on GitHub pull requests.")
    schedule: bool | None = Field(default=None, description="Run on the schedule.")
    custom_branch_only: bool | None = Field(default=None, description="Run only on the custom branch.")
    git_provider_webhook: bool | None = Field(default=None, description="Run on git provider webhooks.")
    on_merge: bool | None = Field(default=None, description="Run when a pull request is merged.")


class _OptionalSettings(_Part):
    threads: int | None = Field(default=None, ge=1, description="Models to run in parallel.")
    target_name: str | None = Field(default=None, description="Value of {{ target.name }} in the project.")


class _OptionalExecution(_Part):
    timeout_seconds: int | None = Field(default=None, ge=0, description="Maximum run time in seconds; 0 for none.")


class _OptionalScheduleTime(_Part):
    type: TimeType | None = Field(default=None, description="How the times of the schedule are given.")
    interval: int | None = Field(default=None, ge=1, description="Hours between runs.")


class _OptionalScheduleDate(_Part):
    type: DateType | None = Field(default=None, description="How the days of the schedule are given.")


class _OptionalSchedule(_Part):
    cron: str | None = Field(default=None, description="Cron schedule of the job.")
    date: Annotated[_OptionalScheduleDate | None, Cli(flatten=True)] = None
    time: Annotated[_OptionalScheduleTime | None, Cli(flatten=True)] = None


class JobUpdate(_JobFields):
    """Update a job: only the options given change, everything else is kept."""

    operation: ClassVar[Operation] = Operation("POST", JOBS + "{id}/", "Update Job")
    account_id: AccountId
    job_id: Annotated[int, Path("id"), Field(description="ID of the job.")]
    project_id: Annotated[int | None, Body(), Field(description="Project of the job.")] = None
    environment_id: Annotated[int | None, Body(), Field(description="Environment the job runs in.")] = None
    name: Annotated[str | None, Body(), Field(description="Name of the job.")] = None
    execute_steps: Annotated[
        list[str] | None,
        Body(),
        Field(description="dbt commands to run: repeat the option, or give a list '[\"dbt build\"]'."),
    ] = None
    description: Annotated[str | None, Body(), Field(description="Description of the job.")] = None
    triggers: Annotated[_OptionalTriggers | None, Body(), Cli(flatten=True)] = None
    settings: Annotated[_OptionalSettings | None, Body(), Cli(flatten=True)] = None
    execution: Annotated[_OptionalExecution | None, Body(), Cli(flatten=True)] = None
    state: Annotated[int | None, Body(), Field(description="State: 1 active, 2 deleted.")] = None
    generate_docs: Annotated[bool | None, Body(), Field(description="Run `dbt docs generate` at the end.")] = None
    schedule: Annotated[_OptionalSchedule | None, Body(), Cli(flatten=True)] = None
    run_generate_sources: Annotated[
        bool | None, Body(), Field(description="Run `dbt source freshness` at the start of runs.")
    ] = None


class JobDelete(CommandModel):
    """Delete a job."""

    operation: ClassVar[Operation] = Operation("DELETE", JOBS + "{id}/", "Destroy Job")
    account_id: AccountId
    job_id: JobIdFromEnv


class JobRun(CommandModel):
    """Trigger a run of a job."""

    operation: ClassVar[Operation] = Operation("POST", JOBS + "{job_id}/run/", "Trigger Job Run")
    account_id: AccountId
    job_id: Annotated[
        int,
        Path(),
        Cli(envvar="DBT_CLOUD_JOB_ID", setting="job_id"),
        Field(description="ID of the job to run."),
    ]
    cause: Annotated[str, Body(), Field(description="Why the job runs; shown in dbt Cloud.")] = "Triggered via API"
    git_sha: Annotated[str | None, Body(), Field(description="Git sha to check out before running.")] = None
    git_branch: Annotated[str | None, Body(), Field(description="Git branch to check out before running.")] = None
    azure_pull_request_id: Annotated[int | None, Body(), Field(description="Azure DevOps pull request id.")] = None
    github_pull_request_id: Annotated[int | None, Body(), Field(description="GitHub pull request id.")] = None
    gitlab_merge_request_id: Annotated[int | None, Body(), Field(description="GitLab merge request id.")] = None
    non_native_pull_request_id: Annotated[
        int | None, Body(), Field(description="Pull request id of another git provider.")
    ] = None
    schema_override: Annotated[str | None, Body(), Field(description="Override the destination schema.")] = None
    dbt_version_override: Annotated[str | None, Body(), Field(description="Override the dbt version.")] = None
    threads_override: Annotated[int | None, Body(), Field(ge=1, description="Override the thread count.")] = None
    target_name_override: Annotated[str | None, Body(), Field(description="Override {{ target.name }}.")] = None
    generate_docs_override: Annotated[bool | None, Body(), Field(description="Override docs generation.")] = None
    timeout_seconds_override: Annotated[
        int | None, Body(), Field(ge=0, description="Override the run timeout in seconds.")
    ] = None
    steps_override: Annotated[
        list[str] | None,
        Body(),
        Field(description="Override the dbt commands: repeat the option, or give a list '[\"dbt build\"]'."),
    ] = None


#: The commands of the group these models make (the generated module's, where one exists, come first).
VERBS = [
    Verb("list", JobList),
    Verb("get", JobGet),
    Verb("create", JobCreate),
    Verb("update", JobUpdate, update_from=JobGet),
    Verb("delete", JobDelete),
    Verb("run", JobRun, output_file=OUTPUT_FILE_HELP),
]
