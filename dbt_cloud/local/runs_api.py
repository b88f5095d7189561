"""Where the service acts on runs: triggering a job (its overrides checked against the spec),
rerun and retry from the point of failure, listing and reading runs with the spec's filters,
cancel, steps and artifacts.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.responses import FileResponse, Response

from dbt_cloud.local.activity import cancelled_while_queued
from dbt_cloud.local.clock import now, to_api
from dbt_cloud.local.executor import Executor
from dbt_cloud.local.filters import extra_of, filters_of, order_of, paging, select
from dbt_cloud.local.http import ApiError, Call, envelope, integer, invalid, json_response, not_found
from dbt_cloud.local.planning import run_dir_of
from dbt_cloud.local.spec import Operation
from dbt_cloud.local.status import RunStatus
from dbt_cloud.local.store import Store
from dbt_cloud.local.validation import body_errors
from dbt_cloud.local.views import IN_PROGRESS, document, job_view, run_view, step_view, trigger_view

#: Run overrides accepted when a job is triggered, and where each goes in the run's settings.
TRIGGER_OVERRIDES = {
    "steps_override": "steps",
    "threads_override": "threads",
    "target_name_override": "target_name",
    "schema_override": "schema",
    "generate_docs_override": "generate_docs",
    "timeout_seconds_override": "timeout_seconds",
    "git_branch": "git_branch",
    "git_sha": "git_sha",
    "dbt_version_override": "dbt_version",
}
#: Query parameters of the run list that are columns of the `runs` table (answered by SQL).
RUN_COLUMNS = {"pk": "id", "id": "id", "job_definition_id": "job_id", "environment_id": "environment_id"}
RUN_COLUMNS |= {"project_id": "project_id", "status": "status"}
#: Orders the run list takes, and the column each sorts on.
RUN_ORDERS = {"id": "id", "created_at": "created_at", "updated_at": "updated_at", "finished_at": "finished_at"}
RUN_ORDERS |= {"started_at": "started_at", "status": "status", "job_definition_id": "job_id", "job_id": "job_id"}


def check_steps(name: str, steps: Any) -> dict[str, list[str]]:
    """Each step a dbt command (a string is no list of steps: it would run one step per character)."""
    if steps is None:
        return {}
    if not isinstance(steps, list):
        return {name: ["Expected a list of items."]}
    bad = [step for step in steps if not isinstance(step, str) or not step.strip().startswith("dbt ")]
    return {name: [f"Each step must be a dbt command, got {bad[0]!r}."]} if bad else {}


class RunEndpoints:
    def __init__(self, store: Store, executor: Executor | None, data_dir: Path) -> None:
        self.store = store
        self.executor = executor
        self.data_dir = data_dir
        #: How a job embedded in a run is answered: as the job endpoint answers it (app.py sets it).
        self.job_answer: Callable[[Call, dict[str, Any]], dict[str, Any]] = lambda call, job: job_view(job)

    def require_job(self, call: Call, job_id: int) -> dict[str, Any]:
        job = self.store.get("job", job_id)
        if job is None or job.get("account_id") != call.account_id or job.get("state", 1) == 2:
            raise not_found(f"Job {job_id}")
        return job

    def require_run(self, call: Call, param: str = "run_id") -> dict[str, Any]:
        run = self.store.get_run(call.path_params[param])
        if run is None or run["account_id"] != call.account_id:
            raise not_found(f"Run {call.path_params[param]}")
        return run

    # -- triggering -----------------------------------------------------------------------------

    def trigger(self, op: Operation, call: Call) -> Response:
        job = self.require_job(call, call.path_params["job_id"])
        data = call.body_object()
        errors = body_errors(data, op.request_schema, op.document, partial=False)
        if not errors and not str(data.get("cause") or "").strip():
            errors["cause"] = ["This field is required."]
        errors.update(check_steps("steps_override", data.get("steps_override")))
        for name in ("threads_override", "timeout_seconds_override"):
            value = data.get(name)
            if name not in errors and isinstance(value, int) and value < (1 if name == "threads_override" else 0):
                errors[name] = [
                    f"Ensure this value is greater than or equal to {1 if name == 'threads_override' else 0}."
                ]
        if errors:
            raise invalid(errors)
        return self.run_answer(call, self.queue_run(job, data))

    def queue_run(self, job: dict[str, Any], trigger: dict[str, Any], extra: dict[str, Any] | None = None) -> int:
        settings = dict(job.get("settings") or {})
        execution = dict(job.get("execution") or {})
        run_settings: dict[str, Any] = {
            "steps": list(job.get("execute_steps") or []),
            "threads": settings.get("threads", 4),
            "target_name": settings.get("target_name", "default"),
            "schema": None,
            "generate_docs": bool(job.get("generate_docs")),
            "run_generate_sources": bool(job.get("run_generate_sources")),
            "timeout_seconds": execution.get("timeout_seconds") or 0,
            "dbt_version": job.get("dbt_version"),
            "git_branch": None,
            "git_sha": None,
        }
        for option, setting in TRIGGER_OVERRIDES.items():
            if trigger.get(option) not in (None, "", []):
                run_settings[setting] = trigger[option]
        run_settings["trigger"] = {"cause": trigger.get("cause"), **{k: v for k, v in trigger.items() if v is not None}}
        run_settings.update(extra or {})
        stamp = to_api(now())
        run_id = self.store.insert_run(
            {
                "account_id": job["account_id"],
                "job_id": job["id"],
                "project_id": job.get("project_id"),
                "environment_id": job.get("environment_id"),
                "status": RunStatus.QUEUED,
                "created_at": stamp,
                "updated_at": stamp,
            },
            run_settings,
        )
        self.store.update_run(run_id, trigger_id=run_id)
        if self.executor is not None:
            self.executor.wake()
        return run_id

    def rerun(self, op: Operation, call: Call) -> Response:
        job = self.require_job(call, call.path_params["job_id"])
        runs, _ = self.store.list_runs({"job_id": job["id"]}, order_by="-id", limit=1)
        if runs and runs[0]["status"] == RunStatus.ERROR:
            return self.run_answer(call, self.retry_from_failure(job, runs[0]))
        return self.run_answer(call, self.queue_run(job, {"cause": "Rerun of the job"}))

    def retry_from_failure(self, job: dict[str, Any], failed: dict[str, Any]) -> int:
        """A new run that resumes where `failed` stopped: `dbt retry` for the failed step, then the steps after it."""
        steps = list(failed["data"].get("steps", []))
        executed = self.store.steps_of_run(failed["id"])
        failed_step = next((step for step in executed if step["status"] == RunStatus.ERROR), None)
        remaining = steps
        resume_from: str | None = None
        if failed_step is not None and failed_step["command"] in steps:
            position = steps.index(failed_step["command"])
            remaining = ["dbt retry", *steps[position + 1 :]]
            resume_from = str(run_dir_of(self.data_dir, failed["id"]) / "steps" / str(failed_step["idx"]) / "artifacts")
        trigger = {**failed["data"].get("trigger", {}), "cause": f"Retry of run {failed['id']}"}
        run_id = self.queue_run(
            job, trigger, extra={"steps": remaining, "retry_of": failed["id"], "resume_from": resume_from}
        )
        data = dict(failed["data"])
        data["retrying_run_id"] = run_id
        self.store.update_run(failed["id"], data=data)
        return run_id

    def retry(self, op: Operation, call: Call) -> Response:
        run = self.require_run(call)
        if run["status"] != RunStatus.ERROR:
            raise ApiError(
                400, f"Run {run['id']} did not fail, so it cannot be retried.", data={"reason": "RUN_NOT_FAILED"}
            )
        job = self.require_job(call, run["job_id"])
        return self.run_answer(call, self.retry_from_failure(job, run))

    def failure_details(self, op: Operation, call: Call) -> Response:
        """What a retry of the run would do (`GET .../runs/{id}/retry/`)."""
        run = self.require_run(call)
        failed = next((s for s in self.store.steps_of_run(run["id"]) if s["status"] == RunStatus.ERROR), None)
        return json_response(
            envelope(
                {
                    "run_id": run["id"],
                    "can_retry": run["status"] == RunStatus.ERROR,
                    "failed_step_index": failed["idx"] if failed else None,
                    "failed_step_command": failed["command"] if failed else None,
                    "retry_not_supported_reason": None if run["status"] == RunStatus.ERROR else "RETRY_NOT_FAILED_RUN",
                }
            )
        )

    # -- reading runs ---------------------------------------------------------------------------

    def run_answer(self, call: Call, run_id: int, include: set[str] | None = None) -> Response:
        run = self.store.get_run(run_id)
        if run is None:
            raise not_found(f"Run {run_id}")
        return json_response(envelope(self.present_run(call, run, include or set())))

    def present_run(self, call: Call, run: dict[str, Any], include: set[str]) -> dict[str, Any]:
        answer = run_view(run, call.base_url)
        if "trigger" in include:
            answer["trigger"] = trigger_view(run)
        if "job" in include:
            job = self.store.get("job", run["job_id"] or 0)
            answer["job"] = self.job_answer(call, job) if job else None
        if "environment" in include:
            environment = self.store.get("environment", run["environment_id"] or 0)
            answer["environment"] = document("environment", environment) if environment else None
        if "run_steps" in include:
            with_debug = "debug_logs" in include
            answer["run_steps"] = [self.present_step(step, with_debug) for step in self.store.steps_of_run(run["id"])]
        return answer

    def present_step(self, step: dict[str, Any], with_debug: bool = True) -> dict[str, Any]:
        logs = _read_text(step["log_path"])
        debug = _read_text(step["debug_log_path"]) if with_debug else ""
        return step_view(step, logs, debug)

    def list_runs(self, op: Operation, call: Call) -> Response:
        include = set(call.values("include_related"))
        known = set(run_view(_EMPTY_RUN, "").keys()) | {"pk"}
        requested = filters_of(call, known, set(op.query_params))
        columns: dict[str, Any] = {"account_id": call.account_id}
        rest = []
        for parameter, field, lookup, values in requested:
            column = RUN_COLUMNS.get(parameter.partition("__")[0])
            if column and lookup in ("exact", "in"):
                numbers = [integer(parameter, value) for value in values]
                columns[column] = numbers if lookup == "in" else numbers[-1]
            else:
                rest.append((parameter, field, lookup, values))
        order = order_of(call)
        limit, offset = paging(call)
        key = order.lstrip("-")
        if not rest and key in RUN_ORDERS:
            sql_order = ("-" if order.startswith("-") else "") + RUN_ORDERS[key]
            runs, total = self.store.list_runs(columns, order_by=sql_order, limit=limit, offset=offset)
            answers = [self.present_run(call, run, include) for run in runs]
            echo = {parameter: values if lookup == "in" else values[-1] for parameter, _, lookup, values in requested}
            return json_response(envelope(answers, extra=extra_of(echo, order, limit, offset, len(answers), total)))
        # Filters on computed fields (`finished_at__range`, `id__gt`, `has_docs_generated`): read
        # the runs the columns select, then filter and page them here.
        runs, _ = self.store.list_runs(columns, order_by="id", limit=1_000_000, offset=0)
        views = [run_view(run, call.base_url) for run in runs]
        by_id = {run["id"]: run for run in runs}
        page, total, extra = select(views, call, op)
        answers = [self.present_run(call, by_id[view["id"]], include) for view in page]
        return json_response(envelope(answers, extra=extra))

    def get_run(self, op: Operation, call: Call) -> Response:
        run = self.require_run(call, "id")
        return json_response(envelope(self.present_run(call, run, set(call.values("include_related")))))

    def cancel(self, op: Operation, call: Call) -> Response:
        run = self.require_run(call)
        if run["status"] in IN_PROGRESS:
            cancelled = self.store.update_run(
                run["id"],
                only_if_status=IN_PROGRESS,
                status=RunStatus.CANCELLED,
                status_message="Cancelled by user.",
                finished_at=to_api(now()),
            )
            if cancelled and run["status"] == RunStatus.QUEUED:
                cancelled_while_queued(self.store, run)
            if self.executor is not None:
                self.executor.wake()
        return self.run_answer(call, run["id"])

    def get_step(self, op: Operation, call: Call) -> Response:
        step = self.store.get_step(call.path_params["id"])
        if step is None or step["account_id"] != call.account_id:
            raise not_found(f"Run step {call.path_params['id']}")
        return json_response(envelope(self.present_step(step)))

    # -- artifacts ------------------------------------------------------------------------------

    def artifact_root(self, run: dict[str, Any]) -> Path:
        return run_dir_of(self.data_dir, run["id"]) / "target"

    def list_artifacts(self, op: Operation, call: Call) -> Response:
        run = self.require_run(call)
        root = self.artifact_root(run)
        names = (
            sorted(
                path.relative_to(root).as_posix()
                for path in root.rglob("*")
                if path.is_file() and path.name not in ("partial_parse.msgpack", "graph.gpickle")
            )
            if root.is_dir()
            else []
        )
        return json_response(envelope(names))

    def get_artifact(self, op: Operation, call: Call) -> Response:
        return self.artifact_file(call, self.require_run(call))

    def get_job_artifact(self, op: Operation, call: Call) -> Response:
        job = self.require_job(call, call.path_params["job_id"])
        runs, _ = self.store.list_runs({"job_id": job["id"], "status": RunStatus.SUCCESS}, order_by="-id", limit=1)
        if not runs:
            raise not_found(f"A successful run of job {job['id']}")
        return self.artifact_file(call, runs[0])

    def artifact_file(self, call: Call, run: dict[str, Any]) -> Response:
        path = call.path_params["remainder"]
        step = call.param("step")
        run_dir = run_dir_of(self.data_dir, run["id"])
        root = self.artifact_root(run)
        if step:
            index = integer("step", step)
            step_root = run_dir / "steps" / str(index) / "artifacts"
            if (step_root / path).is_file():
                root = step_root
            elif not (run_dir / "steps" / str(index)).is_dir():
                raise not_found(f"Step {index} of run {run['id']}")
        candidate = (root / path).resolve()
        if not candidate.is_relative_to(root.resolve()) or not candidate.is_file():
            raise not_found(f"Artifact {path} of run {run['id']}")
        media_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        return FileResponse(candidate, media_type=media_type)

    # -- what jobs answer about their runs ------------------------------------------------------

    def most_recent(self, call: Call, job_id: int, completed: bool) -> dict[str, Any] | None:
        filters: dict[str, Any] = {"job_id": job_id}
        if completed:
            filters["status"] = [RunStatus.SUCCESS, RunStatus.ERROR, RunStatus.CANCELLED]
        runs, _ = self.store.list_runs(filters, order_by="-id", limit=1)
        return self.present_run(call, runs[0], set()) if runs else None


_EMPTY_RUN: dict[str, Any] = {
    "id": 0,
    "status": RunStatus.QUEUED,
    "created_at": None,
    "started_at": None,
    "finished_at": None,
    "dequeued_at": None,
    "trigger_id": None,
    "account_id": 0,
    "environment_id": None,
    "project_id": None,
    "job_id": None,
    "status_message": None,
    "artifacts_saved": False,
    "has_docs_generated": False,
    "has_sources_generated": False,
    "updated_at": None,
    "last_heartbeat_at": None,
    "data": {},
}


def _read_text(path: str | None) -> str:
    if not path:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
