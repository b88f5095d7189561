"""`dbt-cloud run`: the plain run commands (run.py), and the composites built by chaining them:
`watch` (wait for a run), `logs` (its steps' logs, `--follow`), `retry`, `cancel-all`, and
`get-artifact` streaming several artifacts at once with `--step auto`.

This module is what the CLI loads for `run` (see dbt_cloud.cli.commands.GROUPS); run.py keeps the command models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

import click

from dbt_cloud.api.generated.run import RunGetStep, RunRetry
from dbt_cloud.api.operations.run import RunCancel, RunGet, RunGetArtifact, RunList
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
    SendOptions,
    api_command,
    output_file_option,
    refuse_writes_when_readonly,
    registry_group,
    verb_command,
)
from dbt_cloud.cli.commands.composite import (
    BulkOptions,
    bulk_limits,
    composite_command,
    dry_run_option,
    run_bulk,
    yes_option,
)
from dbt_cloud.cli.commands.watching import WaitOptions, print_or_watch, wait_outage_option, wait_params, watch
from dbt_cloud.cli.options import ID
from dbt_cloud.cli.seconds import Seconds
from dbt_cloud.errors import UsageError


def run_id_argument() -> click.Argument:
    return click.Argument(["run_id_arg"], required=False, type=ID, metavar="[RUN_ID]")


def take_run_id_argument(values: dict[str, Any]) -> dict[str, Any]:
    """`run watch 123` and `run watch --run-id 123` mean the same; both at once must agree."""
    given = values.get("run_id_arg")
    if given is not None:
        if values.get("run_id") not in (None, given):
            raise UsageError(f"RUN_ID {given} and --run-id {values['run_id']} disagree")
        values["run_id"] = given
    return values


@dataclass(frozen=True, kw_only=True)
class RunIdOptions(SendOptions):
    run_id_arg: int | None = None


def with_run_id_argument(verb: str) -> click.Command:
    """The registry's `run <verb>`, also taking the run's id as its argument: `run get 21` as
    `run watch 21` and `run logs 21` do (`--run-id` still works, as dbt-cloud-cli spells it)."""
    from dbt_cloud.api.registry import verbs

    return verb_command(
        verbs("run")[verb], extra_params=[run_id_argument()], prepare=take_run_id_argument, options=RunIdOptions
    )


# --- watch, retry --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class WatchOptions(WaitOptions):
    run_id_arg: int | None = None


def _watch(invocation: Invocation) -> None:
    model = invocation.model
    assert isinstance(model, RunGet)
    watch(invocation, model.account_id, model.run_id)


watch_command = composite_command(
    "watch",
    RunGet,
    _watch,
    options=WatchOptions,
    fields=("account_id", "run_id"),
    extra_params=[run_id_argument(), output_file_option(), *wait_params(wait_flag=False)],
    prepare=take_run_id_argument,
    help="Wait for a run to finish, showing its progress; print it, and exit 0 only if it succeeded.",
    calls=(RunGet,),
)


def _retry(invocation: Invocation) -> None:
    model = invocation.model
    assert isinstance(model, RunRetry)
    answer = invocation.client.send(model)
    print_or_watch(invocation, model.account_id, answer.document)


retry_command = api_command(
    "retry",
    RunRetry,
    action=_retry,
    options=WaitOptions,
    extra_params=[output_file_option(), *wait_params(wait_flag=True)],
    help="Retry a failed run from the step that failed; with --wait, wait for the new run.",
)


# --- logs ----------------------------------------------------------------------------------------


class LogPrinter:
    """Prints the steps' logs; with --follow, each poll adds only the lines that are new (a line
    still being written waits for its end, or for the run's). Text goes to stdout (an embedding
    program's answer); with --json the steps go out as one answer."""

    def __init__(self, invocation: Invocation, *, step: int | None, as_json: bool) -> None:
        self.invocation = invocation
        self.step = step
        self.as_json = as_json
        self.printed: dict[int, int] = {}
        self._sink: IO[bytes] | None = None

    def write(self, text: str) -> None:
        if self._sink is None:
            self._sink = self.invocation.raw_output()
        self._sink.write(text.encode("utf-8"))
        self._sink.flush()

    def show(self, run: dict[str, Any], *, final: bool) -> None:
        from dbt_cloud.api.runs import run_steps, status_name, step_logs

        steps = [s for s in run_steps(run) if self.step is None or s.get("index") == self.step]
        if self.as_json:
            if final:
                rows = [
                    {
                        "index": s.get("index"),
                        "name": s.get("name"),
                        "status": s.get("status"),
                        "status_humanized": status_name(s),
                        "logs": step_logs(s),
                    }
                    for s in steps
                ]
                self.invocation.print(rows)
            return
        for step in steps:
            index = int(step.get("index") or 0)
            text = step_logs(step)
            if index not in self.printed:
                self.printed[index] = 0
                if self.step is None:
                    self.write(f"==> Step {index}: {step.get('name') or ''}\n")
            start = self.printed[index]
            end = len(text) if final else text.rfind("\n", start) + 1
            if end > start:
                chunk = text[start:end]
                self.write(chunk if chunk.endswith("\n") else chunk + "\n")
                self.printed[index] = end


@dataclass(frozen=True, kw_only=True)
class LogsOptions(Options):
    run_id_arg: int | None = None
    step: int | None = None
    follow: bool = False
    poll_interval: float = 5.0
    wait_outage: float | None = None
    json_logs: bool = False
    debug_logs: bool = False


def _logs(invocation: Invocation) -> None:
    from dbt_cloud.api.runs import ERROR, run_status
    from dbt_cloud.services.runs import get_run, run_of
    from dbt_cloud.services.waiter import PollPolicy, wait_for_run

    model = invocation.model
    assert isinstance(model, RunGet)
    options = invocation.options_as(LogsOptions)
    step = options.step
    printer = LogPrinter(invocation, step=step, as_json=invocation.output == "json")
    debug = options.debug_logs
    if not options.follow:
        run = run_of(get_run(invocation.client, model.account_id, model.run_id, steps=True))
        _check_step(run, step)
        if debug:
            run = _with_debug_logs(invocation, run, step)
        printer.show(run, final=True)
        return
    if debug:
        raise UsageError("--debug-logs reads the full log of finished steps; it does not go with --follow")
    from dbt_cloud.cli.commands.composite import status_stream
    from dbt_cloud.cli.commands.watching import outage_window
    from dbt_cloud.cli.progress import OutageNotice

    # The logs go to stdout; what a person needs to know about the wait itself, to stderr.
    invocation.listeners.append(OutageNotice(status_stream(invocation)))
    result = wait_for_run(
        invocation.client,
        model.account_id,
        model.run_id,
        poll=PollPolicy(
            max_seconds=float(options.poll_interval or 5.0),
            outage_seconds=outage_window(invocation, options.wait_outage),
        ),
        steps=True,
        on_poll=lambda answer: printer.show(run_of(answer), final=False),
        sleep=invocation.sleep,
        clock=invocation.clock,
    )
    printer.show(result.run, final=True)
    if run_status(result.run) != 10:
        from dbt_cloud.api.runs import status_name
        from dbt_cloud.errors import RunFailedError

        kind = "failed" if run_status(result.run) == ERROR else "was cancelled"
        raise RunFailedError(f"Run {model.run_id} {kind} ({status_name(result.run)})")


def _with_debug_logs(invocation: Invocation, run: dict[str, Any], only: int | None) -> dict[str, Any]:
    """The run with each step's log replaced by its full debug log (one request per step)."""
    from dbt_cloud.api.runs import run_steps

    steps = []
    for step in run_steps(run):
        if (only is None or step.get("index") == only) and isinstance(step.get("id"), int):
            query = RunGetStep(account_id=int(run["account_id"]), step_id=step["id"], include_related="debug_logs")
            detail = invocation.client.send(query).data
            if isinstance(detail, dict) and isinstance(detail.get("debug_logs"), str):
                step = {**step, "logs": detail["debug_logs"]}
        steps.append(step)
    return {**run, "run_steps": steps}


def _check_step(run: dict[str, Any], step: int | None) -> None:
    from dbt_cloud.api.runs import run_steps

    if step is None:
        return
    indexes = [s.get("index") for s in run_steps(run)]
    if step not in indexes:
        known = ", ".join(str(i) for i in indexes) or "none"
        raise UsageError(f"Run {run.get('id')} has no step {step} (its steps: {known})")


def _prepare_logs(values: dict[str, Any]) -> dict[str, Any]:
    """`--json` is `-o json` by its older name."""
    values = take_run_id_argument(values)
    if values.get("json_logs"):
        values["output"] = "json"
    return values


logs_command = composite_command(
    "logs",
    RunGet,
    _logs,
    options=LogsOptions,
    fields=("account_id", "run_id"),
    extra_params=[
        run_id_argument(),
        click.Option(["--step", "step"], type=click.IntRange(min=1), help="Only this step (1 is the first)."),
        click.Option(
            ["--follow", "follow"],
            is_flag=True,
            help="Keep printing while the run goes on; then exit 0 if it succeeded, 1 if not.",
        ),
        click.Option(
            ["--poll-interval", "poll_interval"],
            type=Seconds(0.01),
            default=5.0,
            show_default=True,
            help="Longest pause between two looks at the run with --follow, in seconds.",
        ),
        wait_outage_option(),
        click.Option(["--json", "json_logs"], is_flag=True, help="The same as -o json."),
        click.Option(
            ["--debug-logs", "debug_logs"], is_flag=True, help="The full debug log of each step, not its summary."
        ),
    ],
    prepare=_prepare_logs,
    help="Print the logs of a run's steps: plain text on stdout, or with -o json the steps "
    "(index, name, status, logs) as one JSON list.",
    calls=(RunGet, RunGetStep),
    output_formats=("text", "json"),
)


# --- cancel-all ----------------------------------------------------------------------------------


def _cancel_all(invocation: Invocation) -> None:
    from dbt_cloud.api.operations.run import RunStatus
    from dbt_cloud.api.runs import FINISHED, IN_PROGRESS, status_name
    from dbt_cloud.services.bulk import BulkItem

    model = invocation.model
    assert isinstance(model, RunList)
    options = invocation.options_as(BulkOptions)
    dry_run = options.dry_run
    if not dry_run:
        refuse_writes_when_readonly(RunCancel)
    statuses = [model.status] if model.status is not None else [RunStatus(code) for code in IN_PROGRESS]
    runs: dict[int, dict[str, Any]] = {}
    for status in statuses:
        listing = invocation.client.send_all(model.model_copy(update={"status": status, "limit": 100, "offset": 0}))
        for run in listing.data:
            if isinstance(run, dict) and isinstance(run.get("id"), int):
                runs[run["id"]] = run
    descending = (model.order_by or "-id").startswith("-")
    ordered = sorted(runs.values(), key=lambda run: int(run["id"]), reverse=descending)
    ordered = ordered[options.skip or 0 :]
    if options.at_most is not None:
        ordered = ordered[: options.at_most]
    items = [
        BulkItem(
            int(run["id"]),
            f"(job {run.get('job_definition_id') or 'none'}, {status_name(run).lower()})",
            f"already finished: {status_name(run)}" if run.get("status") in FINISHED else None,
        )
        for run in ordered
    ]

    def cancel(item: BulkItem) -> Any:
        return invocation.client.send(RunCancel(account_id=model.account_id, run_id=item.id))

    run_bulk(invocation, items, cancel, verb="cancel", done="cancelled", noun="run", dry_run=dry_run)


cancel_all_command = composite_command(
    "cancel-all",
    RunList,
    _cancel_all,
    options=BulkOptions,
    fields=("account_id", "job_id", "project_id", "environment_id", "status", "order_by"),
    extra_params=[
        *bulk_limits(),
        dry_run_option("would be cancelled"),
        yes_option(),
        output_file_option("File to write the answers of the cancellations to ('-' for stdout)."),
    ],
    help="Cancel every run that matches the filters (all pages): by default those queued, starting "
    "or running; asks first.",
    calls=(RunList, RunCancel),
)


# --- get-artifact --------------------------------------------------------------------------------


def _run_artifact(invocation: Invocation) -> None:
    from dbt_cloud.services.artifacts import choose_step

    model = invocation.model
    assert isinstance(model, RunGetArtifact)
    options = invocation.options_as(ArtifactOptions)
    paths: list[str] = list(options.paths)
    step = parse_step(options.step_choice)
    if step == AUTO:
        choice = choose_step(invocation.client, model.account_id, model.run_id)
        invocation.status(f"--step auto: {choice.describe()}")
        step = choice.index
    base = model.model_copy(update={"step": step if isinstance(step, int) else None})
    fetch(invocation, [base.model_copy(update={"path": path}) for path in paths], paths)


get_artifact_command = composite_command(
    "get-artifact",
    RunGetArtifact,
    _run_artifact,
    options=ArtifactOptions,
    fields=("account_id", "run_id", "include_related"),
    hidden_fields=("include_related",),  # dbt-cloud-cli's; an artifact is a file, with nothing related
    output_formats=None,  # the artifact's own bytes: there is no format to choose
    extra_params=artifact_params(),
    prepare=prepare_paths,
    help="Download artifacts of a run: streamed to a temporary file and renamed only when complete, "
    "so an error or an interrupted download never leaves a partial or overwritten file.",
    calls=(RunGetArtifact, RunGet),
    represents=RunGetArtifact,
)


group = registry_group(
    "run",
    commands=[
        *(with_run_id_argument(verb) for verb in ("get", "cancel", "list-artifacts")),
        watch_command,
        logs_command,
        retry_command,
        cancel_all_command,
        get_artifact_command,
    ],
    help="Runs: get, list, watch, logs, retry, cancel, and their artifacts.",
)
