"""`dbt-cloud job`: the plain job commands (job.py), and the composites built by chaining them:
`run` with `--wait`, `--restart-from-failure` and `--reuse-existing`; `export` and `import`;
`delete-all`; `get-artifact`.

This module is what the CLI loads for `job` (see dbt_cloud.cli.commands.GROUPS); job.py keeps the command models.
It imports nothing of the `run` group at load time, so `dbt-cloud job ... --help` stays light.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any

import click

from dbt_cloud.api.generated.job import JobGetArtifact, JobRerun
from dbt_cloud.api.operation import CommandModel
from dbt_cloud.api.operations.job import JobCreate, JobDelete, JobGet, JobList, JobRun, JobUpdate
from dbt_cloud.cli.commands.artifact_commands import (
    AUTO,
    ArtifactOptions,
    artifact_params,
    fetch,
    parse_step,
    prepare_paths,
)
from dbt_cloud.cli.commands.base import (
    Invocation,
    Options,
    api_command,
    output_file_option,
    refuse_writes_when_readonly,
    registry_group,
)
from dbt_cloud.cli.commands.composite import (
    BulkOptions,
    bulk_limits,
    composite_command,
    dry_run_option,
    ids_and_names,
    run_bulk,
    write_output,
    yes_option,
)
from dbt_cloud.cli.commands.watching import WaitOptions, print_or_watch, wait_params
from dbt_cloud.cli.completing import FILES
from dbt_cloud.cli.json_input import MAX_DEPTH, check_document, read_text_file
from dbt_cloud.cli.options import ID
from dbt_cloud.errors import UsageError

# --- job run -------------------------------------------------------------------------------------

#: JobRun fields that are not overrides: the rerun endpoint takes none of the others.
_NOT_OVERRIDES = {"account_id", "job_id", "cause"}


@dataclass(frozen=True, kw_only=True)
class JobRunOptions(WaitOptions):
    restart_from_failure: bool = False
    reuse_existing: bool = False


def _run(invocation: Invocation) -> None:
    """Trigger (or rerun, or find the run already going), then print it or wait for it."""
    model = invocation.model
    assert isinstance(model, JobRun)
    options = invocation.options_as(JobRunOptions)
    client = invocation.client
    if options.restart_from_failure:
        if options.reuse_existing:
            raise UsageError("--restart-from-failure and --reuse-existing do not go together")
        overrides = sorted(model.model_fields_set - _NOT_OVERRIDES)
        if overrides:
            named = ", ".join("--" + name.replace("_", "-") for name in overrides)
            raise UsageError(f"--restart-from-failure takes no overrides (the API's rerun has none): {named}")
        answer = client.send(JobRerun(account_id=model.account_id, job_id=model.job_id))
        print_or_watch(invocation, model.account_id, answer.document)
        return
    if options.reuse_existing:
        _share(invocation, model)
        return
    answer = client.send(model)
    print_or_watch(invocation, model.account_id, answer.document)


def _share(invocation: Invocation, model: JobRun) -> None:
    """--reuse-existing: end with the one run of the job that does the work, however many run at once."""
    from dbt_cloud.api.runs import status_name
    from dbt_cloud.services.runs import trigger_or_share

    shared = trigger_or_share(invocation.client, model)
    if shared.redundant is not None and shared.cancel_failed is not None:
        invocation.status(
            f"Run {shared.redundant} of job {model.job_id} turned out redundant (an older run is live), "
            f"but cancelling it failed ({shared.cancel_failed}): reporting it (--reuse-existing)"
        )
    elif shared.attached is not None and shared.redundant is not None:
        first = shared.attached["id"]
        invocation.status(
            f"Cancelled run {shared.redundant}, triggered here, since run {first} of job {model.job_id} "
            f"was triggered first: attaching to run {first} (--reuse-existing)"
        )
    elif shared.attached is not None:
        invocation.status(
            f"Run {shared.attached['id']} of job {model.job_id} is already {status_name(shared.attached).lower()}: "
            "attaching to it instead of triggering another (--reuse-existing)"
        )
    print_or_watch(invocation, model.account_id, shared.answer.document)


run_command = api_command(
    "run",
    JobRun,
    action=_run,
    options=JobRunOptions,
    extra_params=[
        output_file_option(),
        *wait_params(wait_flag=True),
        click.Option(
            ["--restart-from-failure", "restart_from_failure"],
            is_flag=True,
            help="Rerun the job from where its last run failed (the API's rerun); a full run if it did not fail.",
        ),
        click.Option(
            ["--reuse-existing", "reuse_existing"],
            is_flag=True,
            help="If a run of the job is already queued or running, attach to the oldest instead of triggering "
            "another, so a re-run CI step never doubles a run; invocations at once end with one run (a run one "
            "of them triggered in vain is cancelled, and it says so).",
        ),
    ],
    help="Trigger a run of a job; with --wait, wait for it and exit 0 only if it succeeded.",
)


# --- export / import -----------------------------------------------------------------------------

FORMAT_OPTION_HELP = "json: every field (exact round trip); yaml: the jobs YAML of dbt-jobs-as-code."


@dataclass(frozen=True, kw_only=True)
class ExportOptions(Options):
    job_id: tuple[int, ...] = ()
    all_jobs: bool = False
    export_format: str = "json"


def _export(invocation: Invocation) -> None:
    from dbt_cloud.services.jobs_yaml import to_jobs_yaml
    from dbt_cloud.services.transfer import export_document

    model = invocation.model
    assert isinstance(model, JobList)
    options = invocation.options_as(ExportOptions)
    client = invocation.client
    job_ids: list[int] = list(options.job_id)
    if options.all_jobs:
        if job_ids:
            raise UsageError("Give --job-id or --all, not both")
        jobs = [job for job in client.send_all(model).data if isinstance(job, dict) and job.get("state") != 2]
        invocation.status(f"Exporting {len(jobs)} jobs")
    else:
        if not job_ids and invocation.settings.job_id is not None:
            job_ids = [invocation.settings.job_id]
        if not job_ids:
            raise UsageError("Missing option --job-id (or DBT_CLOUD_JOB_ID); or pass --all for every job")
        jobs = []
        for job_id in job_ids:
            answer = client.send(
                JobGet(account_id=model.account_id, job_id=job_id, include_related=model.include_related)
            )
            jobs.append(answer.data)
    if options.export_format == "yaml":
        text = to_jobs_yaml(jobs, account_id=model.account_id)
    else:
        single = len(jobs) == 1 and not options.all_jobs
        text = json.dumps(export_document(jobs, account_id=model.account_id, single=single), indent=2) + "\n"
    write_output(invocation, text)


export_command = composite_command(
    "export",
    JobList,
    _export,
    options=ExportOptions,
    fields=("account_id", "project_id", "environment_id", "name_icontains", "include_related"),
    extra_params=[
        click.Option(
            ["--job-id", "job_id"],
            type=ID,
            multiple=True,
            help="Job to export (repeatable). Default: DBT_CLOUD_JOB_ID or the profile's job_id.",
        ),
        click.Option(
            ["--all", "all_jobs"],
            is_flag=True,
            help="Export every job (of --project-id / --environment-id when given) into one document.",
        ),
        click.Option(
            ["--format", "export_format"],
            type=click.Choice(["json", "yaml"]),
            default="json",
            show_default=True,
            help=FORMAT_OPTION_HELP,
        ),
        output_file_option("File to write the export to ('-' for stdout)."),
    ],
    help="Export jobs to a document that `job import` recreates them from: every field but server "
    "state (ids, timestamps, counters) is kept, those this tool does not know included.",
    calls=(JobGet, JobList),
    output_formats=None,  # the document is its own format (--format json|yaml)
)


@dataclass(frozen=True, kw_only=True)
class ImportOptions(Options):
    input_file: str = "-"
    import_format: str | None = None
    target_project_id: int | None = None
    target_environment_id: int | None = None
    always_create: bool = False
    dry_run: bool = False


def _read_import(invocation: Invocation) -> tuple[list[Any], bool]:
    from dbt_cloud.services.jobs_yaml import from_jobs_yaml
    from dbt_cloud.services.transfer import read_document

    options = invocation.options_as(ImportOptions)
    source = options.input_file or "-"
    chosen = options.import_format
    if source == "-":
        if sys.stdin.isatty():
            invocation.status("Reading the export from stdin (end with Ctrl-D); pass -f FILE to read a file")
        text = sys.stdin.read()
        origin = "stdin"
    else:
        path = FilePath(source).expanduser()
        origin = str(path)
        text = read_text_file(path, "The file")
        if chosen is None and path.suffix.lower() in (".yml", ".yaml"):
            chosen = "yaml"
    if chosen == "yaml":
        return from_jobs_yaml(text, origin=origin, warn=lambda line: invocation.status(f"Warning: {line}")), False
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{origin} is not valid JSON ({exc.msg} at line {exc.lineno})", hint="for YAML pass --format yaml"
        ) from None
    except RecursionError:
        raise UsageError(f"{origin} is nested too deeply (more than {MAX_DEPTH} levels)") from None
    check_document(document, origin)
    return read_document(document, origin=origin)


def _describe(item: Any) -> str:
    """One line of the plan: + create, ~ update (with the fields that change), = unchanged, ! refused."""
    from dbt_cloud.services.transfer import CREATE, REFUSED, UNCHANGED, UPDATE
    from dbt_cloud.terminal.output import inline

    where = f"project {item.desired.get('project_id')}, environment {item.desired.get('environment_id')}"
    if item.action == CREATE:
        return f"+ create {item.name!r} in {where}"
    if item.action == UPDATE:
        changes = ", ".join(f"{path}: {inline(old)} -> {inline(new)}" for path, (old, new) in item.changes.items())
        return f"~ update job {item.existing_id} {item.name!r}: {changes}"
    if item.action == UNCHANGED:
        return f"= unchanged job {item.existing_id} {item.name!r}"
    assert item.action == REFUSED
    return f"! cannot import {item.name!r}: {item.problem}"


def _import(invocation: Invocation) -> None:
    from dbt_cloud.errors import PartialFailureError
    from dbt_cloud.services.transfer import UNCHANGED, apply_plan, plan_import

    model = invocation.model
    assert isinstance(model, JobList)
    options = invocation.options_as(ImportOptions)
    dry_run = options.dry_run
    if not dry_run:
        refuse_writes_when_readonly(JobCreate)
    jobs, single = _read_import(invocation)
    client = invocation.client

    def list_jobs(project_id: int, environment_id: int) -> list[dict[str, Any]]:
        query = JobList(account_id=model.account_id, project_id=project_id, environment_id=environment_id)
        return [job for job in client.send_all(query).data if isinstance(job, dict)]

    plan = plan_import(
        jobs,
        account_id=model.account_id,
        list_jobs=list_jobs,
        project_id=options.target_project_id,
        environment_id=options.target_environment_id,
        always_create=options.always_create,
    )
    for item in plan:
        invocation.status(_describe(item))
    if dry_run:
        invocation.status("Dry run: nothing was changed.")
        invocation.print({"plan": [item.as_dict() for item in plan]})
        return
    results = apply_plan(client, model.account_id, plan)
    failed = [result for result in results if result.error is not None]
    for result in results:
        if result.error is not None:
            invocation.status(f"Failed {result.planned.name!r}: {result.error.one_line()}")
        elif result.planned.action != UNCHANGED:
            invocation.status(f"{result.planned.action.capitalize()}d job {result.job_id} {result.planned.name!r}")
    documents = [result.document for result in results if result.document is not None]
    if single:
        if failed:
            raise failed[0].error  # type: ignore[misc]
        invocation.print(documents[0])
        return
    invocation.print(documents)
    if failed:
        raise PartialFailureError(f"{len(failed)} of {len(results)} jobs could not be imported")


import_command = composite_command(
    "import",
    JobList,
    _import,
    options=ImportOptions,
    fields=("account_id",),
    extra_params=[
        click.Option(
            ["-f", "--file", "input_file"],
            default="-",
            show_default=True,
            shell_complete=FILES,
            help="The export to import ('-' for stdin): a job or jobs document, or jobs-as-code YAML.",
        ),
        click.Option(
            ["--format", "import_format"],
            type=click.Choice(["json", "yaml"]),
            help="Format of the file [default: yaml for .yml/.yaml files, json otherwise].",
        ),
        click.Option(
            ["--project-id", "target_project_id"],
            type=ID,
            help="Import into this project instead of the document's.",
        ),
        click.Option(
            ["--environment-id", "target_environment_id"],
            type=ID,
            help="Import into this environment instead of the document's.",
        ),
        click.Option(
            ["--always-create", "always_create"],
            is_flag=True,
            help="Create every job, even where one of the same name or origin exists (dbt-cloud-cli's behaviour).",
        ),
        dry_run_option("the import would do (jobs created or updated, and the fields that change)"),
    ],
    help="Import jobs from `job export` (or jobs-as-code YAML): a job that exists in the target "
    "environment (same jobs-as-code identifier, same origin, or same name) is updated, others created.",
    calls=(JobList, JobCreate, JobUpdate),
)


# --- delete-all ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DeleteAllOptions(BulkOptions):
    keep_jobs: tuple[str, ...] = ()


def _delete_all(invocation: Invocation) -> None:
    from dbt_cloud.services.bulk import BulkItem

    model = invocation.model
    assert isinstance(model, JobList)
    options = invocation.options_as(DeleteAllOptions)
    dry_run = options.dry_run
    if not dry_run:
        refuse_writes_when_readonly(JobDelete)
    keep_ids, keep_names = ids_and_names(options.keep_jobs)
    listing = invocation.client.send_all(model.model_copy(update={"limit": None, "offset": options.skip or 0}))
    jobs = [job for job in listing.data if isinstance(job, dict) and job.get("state") != 2]
    if options.at_most is not None:
        jobs = jobs[: options.at_most]
    items = []
    for job in jobs:
        kept = job.get("id") in keep_ids or job.get("name") in keep_names
        items.append(BulkItem(int(job["id"]), str(job.get("name") or ""), "kept by --keep-jobs" if kept else None))
    unmatched = sorted(str(i) for i in keep_ids - {item.id for item in items}) + sorted(
        keep_names - {item.label for item in items}
    )
    if unmatched:
        invocation.status(f"Warning: --keep-jobs {', '.join(unmatched)} matches no listed job")

    def delete(item: BulkItem) -> Any:
        return invocation.client.send(JobDelete(account_id=model.account_id, job_id=item.id))

    run_bulk(invocation, items, delete, verb="delete", done="deleted", noun="job", dry_run=dry_run)


delete_all_command = composite_command(
    "delete-all",
    JobList,
    _delete_all,
    options=DeleteAllOptions,
    fields=("account_id", "project_id", "environment_id", "name_icontains", "order_by"),
    extra_params=[
        click.Option(
            ["--keep-jobs", "keep_jobs"],
            multiple=True,
            help="Jobs not to delete: ids or names, repeated, comma-separated, or a list literal '[1, 2]'.",
        ),
        *bulk_limits(),
        dry_run_option("would be deleted"),
        yes_option(),
        output_file_option("File to write the answers of the deletions to ('-' for stdout)."),
    ],
    help="Delete every job that matches the filters (all pages), except --keep-jobs; asks first.",
    calls=(JobList, JobDelete),
)


# --- get-artifact --------------------------------------------------------------------------------


def _job_artifact(invocation: Invocation) -> None:
    """Without --step, the job's own artifact endpoint; with it, the job's latest successful run."""
    model = invocation.model
    assert isinstance(model, JobGetArtifact)
    options = invocation.options_as(ArtifactOptions)
    paths: list[str] = list(options.paths)
    step = parse_step(options.step_choice)
    if step is None:
        fetch(invocation, [model.model_copy(update={"path": path}) for path in paths], paths)
        return
    from dbt_cloud.api.operations.run import RunGetArtifact, RunList, RunStatus
    from dbt_cloud.errors import NotFoundError
    from dbt_cloud.services.artifacts import choose_step

    latest = invocation.client.send(
        RunList(account_id=model.account_id, job_id=model.job_id, status=RunStatus.SUCCESS, order_by="-id", limit=1)
    ).data
    if not latest:
        raise NotFoundError(
            f"Job {model.job_id} has no successful run to take artifacts from",
            status_code=404,
            method="GET",
            url="",
        )
    run_id = int(latest[0]["id"])
    invocation.status(f"Using run {run_id}, the job's latest successful run")
    if step == AUTO:
        choice = choose_step(invocation.client, model.account_id, run_id)
        invocation.status(f"--step auto: {choice.describe()}")
        step = choice.index
    commands: list[CommandModel] = [
        RunGetArtifact(
            account_id=model.account_id,
            run_id=run_id,
            path=path,
            step=step if isinstance(step, int) else None,
            include_related=model.include_related,
        )
        for path in paths
    ]
    fetch(invocation, commands, paths)


get_artifact_command = composite_command(
    "get-artifact",
    JobGetArtifact,
    _job_artifact,
    options=ArtifactOptions,
    fields=("account_id", "job_id", "include_related"),
    hidden_fields=("include_related",),  # as run get-artifact's
    output_formats=None,
    extra_params=artifact_params(),
    prepare=prepare_paths,
    help="Download artifacts of the job's latest run: streamed to a temporary file and renamed "
    "only when complete, so an error never leaves a partial or overwritten file.",
    calls=(JobGetArtifact,),
    represents=JobGetArtifact,
)


group = registry_group(
    "job",
    commands=[run_command, export_command, import_command, delete_all_command, get_artifact_command],
)
