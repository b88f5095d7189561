"""The tools that chain operations, on the services the command line uses: trigger a job and wait
(progress as the waiter reports it), the failure of a run (the failed step and the failing nodes of
its run_results.json), an artifact (capped, with a path into its JSON) and finding an operation."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dbt_cloud.api.operation import CommandModel, describe_argument
from dbt_cloud.api.runs import failed_step, run_status, status_name
from dbt_cloud.errors import InputError
from dbt_cloud.events import Event, RunStatusChanged
from dbt_cloud.http.client import DbtCloudClient
from dbt_cloud.mcp.tools import every_operation

#: The largest id the API stores (a signed 64-bit integer).
MAX_ID = 2**63 - 1
#: An artifact larger than this comes back cut, with `truncated` set: an agent's context is small.
ARTIFACT_CAP = 200_000

#: The composites that change dbt Cloud (refused unless --allow-writes); the others only read.
WRITES = ("job_trigger_and_wait",)


class TriggerAndWait(BaseModel):
    model_config = ConfigDict(extra="forbid")
    job_id: int = Field(ge=1, le=MAX_ID, description="The job to run.")
    cause: str = Field(default="Triggered by an agent", min_length=1, max_length=255, description="Why the job runs.")
    timeout: float | None = Field(default=None, gt=0, description="Seconds to wait at most.")


class RunFailure(BaseModel):
    model_config = ConfigDict(extra="forbid")
    run_id: int = Field(ge=1, le=MAX_ID, description="The run that failed.")


class RunArtifact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    run_id: int = Field(ge=1, le=MAX_ID, description="The run whose artifact it is.")
    path: str = Field(min_length=1, description="The artifact, e.g. run_results.json.")
    json_path: str | None = Field(
        default=None, description="Dotted path into the JSON, e.g. metadata.dbt_version or results.0.status."
    )
    output_file: str | None = Field(default=None, description="Write the artifact here instead of answering it.")


class FindOperation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phrase: str = Field(min_length=1, description="Words or an endpoint path, e.g. 'runs/{id}'.")


#: Each composite's input, as a model: its JSON Schema is the tool's input schema, and the same
#: model checks what an agent sends, as the operations' models do.
INPUTS: dict[str, type[BaseModel]] = {
    "job_trigger_and_wait": TriggerAndWait,
    "run_failure": RunFailure,
    "run_artifact": RunArtifact,
    "find_operation": FindOperation,
}


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema.pop("title", None)
    for field in schema.get("properties", {}).values():
        field.pop("title", None)
    return schema


SCHEMAS: dict[str, dict[str, Any]] = {name: _schema(model) for name, model in INPUTS.items()}


def parse(name: str, arguments: dict[str, Any]) -> Any:
    """The composite's input from what an agent sent, or one InputError naming every problem."""
    try:
        return INPUTS[name].model_validate(arguments)
    except ValidationError as exc:
        problems = [
            describe_argument(str(error.get("type", "")), tuple(error.get("loc", ())), str(error.get("msg", "")))
            for error in exc.errors(include_url=False, include_input=False)
        ]
        raise InputError(f"{name}: " + "; ".join(problems)) from None


DESCRIPTIONS = {
    "job_trigger_and_wait": "Trigger a job and wait for its run to finish, reporting progress; answers the run.",
    "run_failure": "Why a run failed: the failed step, its log's end, and the failing nodes with their messages.",
    "run_artifact": f"An artifact of a run (at most {ARTIFACT_CAP} characters), or a part of its JSON, or saved.",
    "find_operation": "Find the tool for an endpoint or a phrase: tool names, methods and paths that match.",
}


def _account(client: DbtCloudClient) -> int:
    account = client.settings.account_id
    if account is None:
        raise InputError("no account id: set DBT_CLOUD_ACCOUNT_ID or a profile's account_id")
    return int(account)


def trigger_and_wait(
    client: DbtCloudClient, arguments: dict[str, Any], progress: Callable[[str], None]
) -> dict[str, Any]:
    from dbt_cloud.api.operations.job import JobRun
    from dbt_cloud.services.runs import run_of
    from dbt_cloud.services.waiter import wait_for_run

    given: TriggerAndWait = parse("job_trigger_and_wait", arguments)
    account = _account(client)
    started = run_of(client.send(JobRun(account_id=account, job_id=given.job_id, cause=given.cause)))
    progress(f"run {started['id']} queued")

    def told(event: Event) -> None:
        if isinstance(event, RunStatusChanged):
            progress(f"run {started['id']}: {event.status_humanized}")

    result = wait_for_run(client, account, int(started["id"]), timeout=given.timeout, on_event=told)
    run = dict(result.run)
    return {"run_id": run["id"], "status": status_name(run), "succeeded": result.succeeded, "run": run}


def failure(client: DbtCloudClient, arguments: dict[str, Any]) -> dict[str, Any]:
    from dbt_cloud.api.operations.run import RunGet, RunGetArtifact
    from dbt_cloud.errors import APIError

    account, run_id = _account(client), parse("run_failure", arguments).run_id
    run = client.send(RunGet(account_id=account, run_id=run_id, include_related=["run_steps"])).data
    step = failed_step(run)
    nodes: list[dict[str, Any]] = []
    try:
        raw = client.read_raw(RunGetArtifact(account_id=account, run_id=run_id, path="run_results.json").request())
        results = json.loads(raw).get("results", [])
    except (APIError, ValueError):
        results = []
    for result in results:
        if result.get("status") in ("error", "fail", "runtime error"):
            nodes.append(
                {"unique_id": result.get("unique_id"), "status": result.get("status"), "message": result.get("message")}
            )
    return {
        "run_id": run_id,
        "status": status_name(run),
        "status_code": run_status(run),
        "failed_step": None
        if step is None
        else {"name": step.name, "status": step.status, "log_tail": list(step.log_tail)},
        "failing_nodes": nodes,
    }


def _walk(document: Any, json_path: str) -> Any:
    for part in json_path.split("."):
        if isinstance(document, list) and part.lstrip("-").isdigit() and -len(document) <= int(part) < len(document):
            document = document[int(part)]
        elif isinstance(document, dict) and part in document:
            document = document[part]
        else:
            raise InputError(f"json_path {json_path!r}: no {part!r} there")
    return document


def artifact(client: DbtCloudClient, arguments: dict[str, Any]) -> dict[str, Any]:
    from pathlib import Path

    from dbt_cloud.api.operations.run import RunGetArtifact
    from dbt_cloud.files import atomic_write

    given: RunArtifact = parse("run_artifact", arguments)
    command: CommandModel = RunGetArtifact(account_id=_account(client), run_id=given.run_id, path=given.path)
    raw = client.read_raw(command.request())
    if given.output_file:
        target = Path(given.output_file)
        with atomic_write(target) as out:  # never a half-written file where the agent looks
            out.write(raw)
        return {"path": given.path, "written_to": str(target), "bytes": len(raw)}
    if given.json_path:
        try:
            document = json.loads(raw)
        except ValueError:
            raise InputError(f"{given.path} is not JSON: json_path needs JSON") from None
        return {"path": given.path, "json_path": given.json_path, "value": _walk(document, given.json_path)}
    text = raw.decode("utf-8", errors="replace")
    return {"path": given.path, "content": text[:ARTIFACT_CAP], "truncated": len(text) > ARTIFACT_CAP}


def find_operation(arguments: dict[str, Any]) -> dict[str, Any]:
    words = parse("find_operation", arguments).phrase.lower().split()
    found = []
    for tool in every_operation():
        operation = tool.model.operation
        text = f"{tool.name} {operation.method} {operation.path} {tool.model.__doc__ or ''}".lower()
        if all(word in text for word in words):
            found.append({"tool": tool.name, "method": operation.method, "path": operation.path})
    return {"matches": found[:50], "count": len(found)}
