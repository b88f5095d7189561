"""The HTTP side of the local runner: dbt Cloud's Administrative API paths, envelope, status codes,
pagination and auth, answered from the store (Starlette).

Every answer is an envelope, errors included: a path we do not implement answers 404 saying so,
and a bug answers 500 with a one-line message (the traceback goes to the server's log, never to
the client).
"""

from __future__ import annotations

import json
import logging
import mimetypes
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from dbt_cloud.local.clock import now, to_api
from dbt_cloud.local.discovery import discovery_routes
from dbt_cloud.local.events import LocalEvents
from dbt_cloud.local.executor import Executor
from dbt_cloud.local.filters import (
    FilterError,
    ListQuery,
    apply_filters,
    list_values,
    parse_include_related,
    parse_list_query,
)
from dbt_cloud.local.planning import run_dir_of
from dbt_cloud.local.store import Store
from dbt_cloud.local.views import (
    IN_PROGRESS,
    document,
    job_view,
    run_view,
    step_view,
    trigger_view,
)
from dbt_cloud.runs import RunStatus

log = logging.getLogger("dbt_cloud.local")

V2 = "/api/v2/accounts/{account_id:int}"
V3 = "/api/v3/accounts/{account_id:int}"
V3_PROJECT = V3 + "/projects/{project_id:int}"

#: The largest request body accepted (a job definition is a few kilobytes).
MAX_BODY_BYTES = 1024 * 1024
#: Fields a client may not set: the server owns them.
SERVER_FIELDS = {"id", "account_id", "created_at", "updated_at"}
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


class ApiError(Exception):
    def __init__(self, status: int, message: str, data: Any = None, developer_message: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.data = data
        self.developer_message = developer_message


def not_found(what: str) -> ApiError:
    return ApiError(404, "The requested resource was not found.", developer_message=f"{what} does not exist.")


def invalid(errors: dict[str, list[str]]) -> ApiError:
    return ApiError(400, "The request was invalid. Please double check the provided data and try again.", data=errors)


def envelope(data: Any, status: int = 200, message: str = "Success!", extra: Any = None, developer: str = "") -> Any:
    body: dict[str, Any] = {
        "status": {"code": status, "is_success": status < 400, "user_message": message, "developer_message": developer},
        "data": data,
    }
    if extra is not None:
        body["extra"] = extra
    return body


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status_code=status, media_type="application/json")


Handler = Callable[["LocalApi", Request, int], Awaitable[Response]]


class LocalApi:
    """The endpoints. Each gets the request and the account the token belongs to."""

    def __init__(self, store: Store, executor: Executor | None, data_dir: Path) -> None:
        self.store = store
        self.executor = executor
        self.data_dir = data_dir

    # -- plumbing -------------------------------------------------------------------------------

    def authenticate(self, request: Request) -> int:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        account_id = None
        if scheme.lower() in ("token", "bearer") and token.strip():
            account_id = self.store.account_of_token(token.strip())
        if account_id is None:
            raise ApiError(401, "Invalid token.")
        wanted = request.path_params.get("account_id")
        if wanted is not None and wanted != account_id:
            raise ApiError(403, "Access denied: Token is not scoped to account.")
        return account_id

    async def body(self, request: Request) -> dict[str, Any]:
        too_large = ApiError(
            413, f"The request body is larger than the {MAX_BODY_BYTES // 1024} KiB this server accepts."
        )
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise too_large
        chunks, size = [], 0
        async for chunk in request.stream():  # counted as it arrives: a missing length is no way around
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise too_large
            chunks.append(chunk)
        raw = b"".join(chunks)
        if not raw:
            return {}
        try:
            data = json.loads(raw)
        except ValueError as error:
            raise ApiError(400, f"The request body is not valid JSON: {error}") from None
        if not isinstance(data, dict):
            raise ApiError(400, "The request body must be a JSON object.")
        return data

    def page(self, items: list[dict[str, Any]], query: ListQuery, filters: dict[str, Any]) -> Response:
        total = len(items)
        chosen = items[query.offset : query.offset + query.limit]
        return self.listing(chosen, query, filters, total)

    def listing(self, items: list[Any], query: ListQuery, filters: dict[str, Any], total: int) -> Response:
        extra = {
            "filters": {**filters, "limit": query.limit, "offset": query.offset},
            "order_by": query.order_by,
            "pagination": {"count": len(items), "total_count": total},
        }
        return json_response(envelope(items, extra=extra))

    def require(self, kind: str, object_id: int, account_id: int) -> dict[str, Any]:
        found = self.store.get(kind, object_id)
        owner = found and (found["id"] if kind == "account" else found.get("account_id"))
        if found is None or owner != account_id or found.get("state", 1) == 2:
            raise not_found(f"{kind.replace('_', ' ').capitalize()} {object_id}")
        return found

    def base_url(self, request: Request) -> str:
        return str(request.base_url).rstrip("/")

    # -- accounts and users ---------------------------------------------------------------------

    async def list_accounts(self, request: Request, account_id: int) -> Response:
        account = self.require("account", account_id, account_id)
        return self.listing([document("account", account)], parse_list_query(request), {}, 1)

    async def get_account(self, request: Request, account_id: int) -> Response:
        return json_response(envelope(document("account", self.require("account", account_id, account_id))))

    async def list_users(self, request: Request, account_id: int) -> Response:
        query = parse_list_query(request)
        users = [document("user", user) for user in self.store.all("user", account_id)]
        users, filters = apply_filters(users, query)
        return self.page(users, query, filters)

    async def get_user(self, request: Request, account_id: int) -> Response:
        user_id = int(request.path_params["id"])
        return json_response(envelope(document("user", self.require("user", user_id, account_id))))

    # -- generic resources (projects, environments, repositories, connections, env vars) --------

    def resource_handlers(self, kind: str) -> dict[str, Handler]:
        async def list_(api: LocalApi, request: Request, account_id: int) -> Response:
            query = parse_list_query(request)
            items = [
                api.present(kind, item, request, query.include_related)
                for item in api.store.all(kind, account_id)
                if api.in_scope(item, request)
            ]
            items, filters = apply_filters(items, query)
            return api.page(items, query, filters)

        async def get(api: LocalApi, request: Request, account_id: int) -> Response:
            item = api.require(kind, request.path_params["id"], account_id)
            if not api.in_scope(item, request):
                raise not_found(f"{kind} {request.path_params['id']}")
            include = parse_include_related(request.query_params.get("include_related"))
            return json_response(envelope(api.present(kind, item, request, include)))

        async def create(api: LocalApi, request: Request, account_id: int) -> Response:
            data = await api.body(request)
            fields = {key: value for key, value in data.items() if key not in SERVER_FIELDS}
            fields["account_id"] = account_id
            if "project_id" in request.path_params:
                fields["project_id"] = request.path_params["project_id"]
            api.validate(kind, fields, account_id)
            created = api.store.insert(kind, fields)
            api.after_create(kind, created)
            return json_response(envelope(api.present(kind, created, request, set()), status=201), status=201)

        async def update(api: LocalApi, request: Request, account_id: int) -> Response:
            item = api.require(kind, request.path_params["id"], account_id)
            data = await api.body(request)
            merged = {**item, **{key: value for key, value in data.items() if key not in SERVER_FIELDS}}
            api.validate(kind, merged, account_id)
            updated = api.store.replace(kind, item["id"], merged)
            return json_response(envelope(api.present(kind, updated, request, set())))

        async def delete(api: LocalApi, request: Request, account_id: int) -> Response:
            item = api.require(kind, request.path_params["id"], account_id)
            # dbt Cloud deletes softly: the answer is the resource with state 2 (deleted), the row stays
            # (runs still name their job) and its id is never handed out again.
            deleted = api.store.replace(kind, item["id"], {**item, "state": 2})
            return json_response(envelope(api.present(kind, deleted, request, set())))

        return {"list": list_, "get": get, "create": create, "update": update, "delete": delete}

    def in_scope(self, item: dict[str, Any], request: Request) -> bool:
        project_id = request.path_params.get("project_id")
        return project_id is None or item.get("project_id") == project_id

    def validate(self, kind: str, fields: dict[str, Any], account_id: int) -> None:
        errors: dict[str, list[str]] = {}
        required = {
            "project": ["name"],
            "environment": ["name", "project_id"],
            "job": ["name", "project_id", "environment_id", "execute_steps"],
            "repository": ["remote_url"],
            "connection": ["name"],
            "environment_variable": ["name"],
        }.get(kind, [])
        for name in required:
            if fields.get(name) in (None, "", []):
                errors[name] = ["This field is required."]
        for reference, referenced_kind in (
            ("project_id", "project"),
            ("environment_id", "environment"),
            ("repository_id", "repository"),
            ("connection_id", "connection"),
        ):
            value = fields.get(reference)
            if value is None or reference in errors or (kind == referenced_kind):
                continue
            found = self.store.get(referenced_kind, value) if isinstance(value, int) else None
            if found is None or found.get("account_id") != account_id or found.get("state", 1) == 2:
                errors[reference] = [f'Invalid pk "{value}" - object does not exist.']
        if kind == "job":
            steps = fields.get("execute_steps")
            if isinstance(steps, list):
                bad = [step for step in steps if not isinstance(step, str) or not step.strip().startswith("dbt ")]
                if bad:
                    errors["execute_steps"] = [f"Each step must be a dbt command, got {bad[0]!r}."]
        if errors:
            raise invalid(errors)

    def after_create(self, kind: str, created: dict[str, Any]) -> None:
        # A repository created under a project becomes that project's repository, as in dbt Cloud's
        # project setup; the same for a connection.
        project_id = created.get("project_id")
        if kind in ("repository", "connection") and isinstance(project_id, int):
            project = self.store.get("project", project_id)
            if project is not None and not project.get(f"{kind}_id"):
                self.store.replace("project", project_id, {**project, f"{kind}_id": created["id"]})

    def present(self, kind: str, item: dict[str, Any], request: Request, include: set[str]) -> dict[str, Any]:
        if kind == "job":
            answer = job_view(item)
            for related in ("project", "environment"):
                if related in include:
                    found = self.store.get(related, item.get(f"{related}_id") or 0)
                    answer[related] = document(related, found) if found else None
            if "account" in include:
                found = self.store.get("account", item["account_id"])
                answer["account"] = document("account", found) if found else None
            return answer
        answer = document(kind, item)
        if kind == "project":
            for related in ("connection", "repository"):
                found = self.store.get(related, item.get(f"{related}_id") or 0)
                answer[related] = document(related, found) if found else None
            answer.setdefault("group_permissions", [])
            answer.setdefault("docs_job", None)
            answer.setdefault("freshness_job", None)
            answer["environments"] = (
                [
                    document("environment", env)
                    for env in self.store.all("environment", item["account_id"])
                    if env.get("project_id") == item["id"]
                ]
                if "environments" in include
                else None
            )
        if kind == "environment" and "project" in include:
            found = self.store.get("project", item.get("project_id") or 0)
            answer["project"] = document("project", found) if found else None
        if kind == "environment_variable" and str(item.get("name", "")).startswith("DBT_ENV_SECRET"):
            answer["raw_value"] = None
            answer["display_value"] = "**********"
        return answer

    # -- jobs -----------------------------------------------------------------------------------

    async def trigger_job(self, request: Request, account_id: int) -> Response:
        job = self.require("job", request.path_params["job_id"], account_id)
        data = await self.body(request)
        errors: dict[str, list[str]] = {}
        if not str(data.get("cause") or "").strip():
            errors["cause"] = ["This field is required."]
        steps = data.get("steps_override")
        if steps is not None and (
            not isinstance(steps, list) or not all(isinstance(s, str) and s.strip().startswith("dbt ") for s in steps)
        ):
            errors["steps_override"] = ["Each step must be a dbt command."]
        if errors:
            raise invalid(errors)
        run_id = self.queue_run(job, data)
        return self.run_answer(request, run_id)

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

    async def rerun_job(self, request: Request, account_id: int) -> Response:
        job = self.require("job", request.path_params["job_id"], account_id)
        runs, _ = self.store.list_runs({"job_id": job["id"]}, order_by="-id", limit=1)
        if runs and runs[0]["status"] == RunStatus.ERROR:
            return self.run_answer(request, self.retry_run_from_failure(job, runs[0]))
        run_id = self.queue_run(job, {"cause": "Rerun of the job"})
        return self.run_answer(request, run_id)

    def retry_run_from_failure(self, job: dict[str, Any], failed: dict[str, Any]) -> int:
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

    # -- runs -----------------------------------------------------------------------------------

    def run_answer(self, request: Request, run_id: int, include: Iterable[str] = ()) -> Response:
        run = self.store.get_run(run_id)
        if run is None:
            raise not_found(f"Run {run_id}")
        return json_response(envelope(self.present_run(run, request, set(include))))

    def present_run(self, run: dict[str, Any], request: Request, include: set[str]) -> dict[str, Any]:
        answer = run_view(run, self.base_url(request))
        if "trigger" in include:
            answer["trigger"] = trigger_view(run)
        if "job" in include:
            job = self.store.get("job", run["job_id"] or 0)
            answer["job"] = job_view(job) if job else None
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

    async def list_runs(self, request: Request, account_id: int) -> Response:
        query = parse_list_query(request, default_order="id")
        filters: dict[str, Any] = {"account_id": account_id}
        echo: dict[str, Any] = {"account_id": account_id}
        params = request.query_params
        for param, column in (
            ("job_definition_id", "job_id"),
            ("environment_id", "environment_id"),
            ("project_id", "project_id"),
            ("status", "status"),
            ("pk", "id"),
        ):
            if params.get(param):
                filters[column] = _integer(param, params[param])
                echo[param] = filters[column]
        for param, column in (("status__in", "status"), ("project_id__in", "project_id"), ("pk__in", "id")):
            if params.get(param):
                filters[column] = [_integer(param, value) for value in list_values(params[param])]
                echo[param] = filters[column]
        column = query.order_by.lstrip("-")
        if column == "job_definition_id":
            column = "job_id"
        if column not in ("id", "created_at", "updated_at", "finished_at", "started_at", "status", "job_id"):
            raise invalid({"order_by": [f"Cannot order runs by {query.order_by!r}."]})
        order = ("-" if query.order_by.startswith("-") else "") + column
        runs, total = self.store.list_runs(filters, order_by=order, limit=query.limit, offset=query.offset)
        answers = [self.present_run(run, request, query.include_related) for run in runs]
        return self.listing(answers, query, echo, total)

    async def get_run(self, request: Request, account_id: int) -> Response:
        run = self.require_run(request, account_id, "id")
        include = parse_include_related(request.query_params.get("include_related"))
        return json_response(envelope(self.present_run(run, request, include)))

    def require_run(self, request: Request, account_id: int, param: str = "run_id") -> dict[str, Any]:
        run = self.store.get_run(request.path_params[param])
        if run is None or run["account_id"] != account_id:
            raise not_found(f"Run {request.path_params[param]}")
        return run

    async def cancel_run(self, request: Request, account_id: int) -> Response:
        run = self.require_run(request, account_id)
        if run["status"] in IN_PROGRESS:
            self.store.update_run(
                run["id"],
                only_if_status=IN_PROGRESS,
                status=RunStatus.CANCELLED,
                status_message="Cancelled by user.",
                finished_at=to_api(now()),
            )
            if self.executor is not None:
                self.executor.wake()
        return self.run_answer(request, run["id"])

    async def retry_run(self, request: Request, account_id: int) -> Response:
        run = self.require_run(request, account_id)
        if run["status"] != RunStatus.ERROR:
            raise ApiError(
                400, f"Run {run['id']} did not fail, so it cannot be retried.", data={"reason": "RUN_NOT_FAILED"}
            )
        job = self.require("job", run["job_id"], account_id)
        return self.run_answer(request, self.retry_run_from_failure(job, run))

    async def get_step(self, request: Request, account_id: int) -> Response:
        step = self.store.get_step(request.path_params["id"])
        if step is None or step["account_id"] != account_id:
            raise not_found(f"Run step {request.path_params['id']}")
        return json_response(envelope(self.present_step(step)))

    # -- artifacts ------------------------------------------------------------------------------

    def artifact_root(self, run: dict[str, Any]) -> Path:
        return run_dir_of(self.data_dir, run["id"]) / "target"

    async def list_artifacts(self, request: Request, account_id: int) -> Response:
        run = self.require_run(request, account_id)
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

    async def get_artifact(self, request: Request, account_id: int) -> Response:
        run = self.require_run(request, account_id)
        return self.artifact_file(request, run)

    async def get_job_artifact(self, request: Request, account_id: int) -> Response:
        job = self.require("job", request.path_params["job_id"], account_id)
        runs, _ = self.store.list_runs({"job_id": job["id"], "status": RunStatus.SUCCESS}, order_by="-id", limit=1)
        if not runs:
            raise not_found(f"A successful run of job {job['id']}")
        return self.artifact_file(request, runs[0])

    def artifact_file(self, request: Request, run: dict[str, Any]) -> Response:
        path = request.path_params["remainder"]
        step = request.query_params.get("step")
        run_dir = run_dir_of(self.data_dir, run["id"])
        root = self.artifact_root(run)
        if step:
            index = _integer("step", step)
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

    # -- environment variables (v3) -------------------------------------------------------------

    async def environment_variables_by_environment(self, request: Request, account_id: int) -> Response:
        project_id = request.path_params["project_id"]
        self.require("project", project_id, account_id)
        environments = [env for env in self.store.all("environment", account_id) if env.get("project_id") == project_id]
        names = {env["id"]: env["name"] for env in environments}
        variables: dict[str, dict[str, Any]] = {}
        for variable in self.store.all("environment_variable", account_id):
            if variable.get("project_id") != project_id or variable.get("type") not in ("project", "environment"):
                continue
            scope = "project" if variable["type"] == "project" else names.get(variable.get("environment_id"))
            if scope is None:
                continue
            shown = self.present("environment_variable", variable, request, set())
            value = shown.get("display_value") if shown.get("raw_value") is None else shown.get("raw_value")
            variables.setdefault(variable["name"], {})[scope] = {"id": variable["id"], "value": value}
        return json_response(envelope({"environments": ["project", *names.values()], "variables": variables}))


def _read_text(path: str | None) -> str:
    if not path:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _integer(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise invalid({name: [f"A valid integer is required, got {value!r}."]}) from None


def create_app(store: Store, executor: Executor | None, data_dir: Path) -> Starlette:
    api = LocalApi(store, executor, data_dir)

    def endpoint(handler: Callable[..., Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def respond(request: Request) -> Response:
            try:
                account_id = api.authenticate(request)
                return await handler(request, account_id)
            except FilterError as error:
                return json_response(envelope({error.parameter: [str(error)]}, 400, str(error)), 400)
            except ApiError as error:
                body = envelope(error.data, error.status, error.message, developer=error.developer_message)
                return json_response(body, error.status)

        return respond

    def bound(kind: str, action: str) -> Callable[[Request], Awaitable[Response]]:
        function = api.resource_handlers(kind)[action]

        async def handler(request: Request, account_id: int) -> Response:
            return await function(api, request, account_id)

        return endpoint(handler)

    routes: list[Route] = [
        *discovery_routes(store, data_dir),
        Route("/api/v2/accounts/", endpoint(api.list_accounts), methods=["GET"]),
        Route("/api/v3/accounts/", endpoint(api.list_accounts), methods=["GET"]),
        Route(V2 + "/", endpoint(api.get_account), methods=["GET"]),
        Route(V2 + "/users/", endpoint(api.list_users), methods=["GET"]),
        Route(V3 + "/users/", endpoint(api.list_users), methods=["GET"]),
        Route(V3 + "/users/{id:int}/", endpoint(api.get_user), methods=["GET"]),
        Route("/api/v2/users/{id:int}/", endpoint(api.get_user), methods=["GET"]),
        # jobs
        Route(V2 + "/jobs/", bound("job", "list"), methods=["GET"]),
        Route(V2 + "/jobs/", bound("job", "create"), methods=["POST"]),
        Route(V2 + "/jobs/{id:int}/", bound("job", "get"), methods=["GET"]),
        Route(V2 + "/jobs/{id:int}/", bound("job", "update"), methods=["POST"]),
        Route(V2 + "/jobs/{id:int}/", bound("job", "delete"), methods=["DELETE"]),
        Route(V2 + "/jobs/{job_id:int}/run/", endpoint(api.trigger_job), methods=["POST"]),
        Route(V2 + "/jobs/{job_id:int}/rerun/", endpoint(api.rerun_job), methods=["POST"]),
        Route(V2 + "/jobs/{job_id:int}/artifacts/{remainder:path}", endpoint(api.get_job_artifact), methods=["GET"]),
        # runs
        Route(V2 + "/runs/", endpoint(api.list_runs), methods=["GET"]),
        Route(V2 + "/runs/{id:int}/", endpoint(api.get_run), methods=["GET"]),
        Route(V2 + "/runs/{run_id:int}/cancel/", endpoint(api.cancel_run), methods=["POST"]),
        Route(V2 + "/runs/{run_id:int}/retry/", endpoint(api.retry_run), methods=["POST"]),
        Route(V2 + "/runs/{run_id:int}/artifacts/", endpoint(api.list_artifacts), methods=["GET"]),
        Route(V2 + "/runs/{run_id:int}/artifacts/{remainder:path}", endpoint(api.get_artifact), methods=["GET"]),
        Route(V2 + "/steps/{id:int}/", endpoint(api.get_step), methods=["GET"]),
        Route(
            V3_PROJECT + "/environment-variables/environment/",
            endpoint(api.environment_variables_by_environment),
            methods=["GET"],
        ),
    ]
    everything = ("list", "create", "get", "update", "delete")
    collections: list[tuple[str, str, tuple[str, ...]]] = [
        ("project", V2 + "/projects/", everything),
        ("project", V3 + "/projects/", everything),
        ("environment", V2 + "/environments/", everything),
        ("environment", V3_PROJECT + "/environments/", everything),
        ("repository", V2 + "/repositories/", everything),
        ("repository", V3_PROJECT + "/repositories/", everything),
        ("connection", V3 + "/connections/", everything),
        ("connection", V3_PROJECT + "/connections/", everything),
        # Env vars are read by environment (above), not listed; they are written one by one.
        ("environment_variable", V3_PROJECT + "/environment-variables/", ("create", "update", "delete")),
    ]
    for kind, prefix, actions in collections:
        if "list" in actions:
            routes.append(Route(prefix, bound(kind, "list"), methods=["GET"]))
        if "create" in actions:
            routes.append(Route(prefix, bound(kind, "create"), methods=["POST"]))
        if "get" in actions:
            routes.append(Route(prefix + "{id:int}/", bound(kind, "get"), methods=["GET"]))
        if "update" in actions:
            routes.append(Route(prefix + "{id:int}/", bound(kind, "update"), methods=["POST", "PATCH"]))
        if "delete" in actions:
            routes.append(Route(prefix + "{id:int}/", bound(kind, "delete"), methods=["DELETE"]))

    # Webhook subscriptions, and the thread that sends their events and starts scheduled and chained
    # jobs (the server starts and stops it). Imported here: the routes module uses this one's plumbing.
    from dbt_cloud.local.webhook_api import WebhookApi, webhook_routes
    from dbt_cloud.local.webhook_subscriptions import Subscriptions

    events = LocalEvents(store, api.queue_run)
    routes.extend(webhook_routes(WebhookApi(api, Subscriptions(store, events.dispatcher)), endpoint))

    async def unimplemented(request: Request, error: Exception) -> Response:
        status = error.status_code if isinstance(error, HTTPException) else 404
        if status == 405:
            message = f"{request.method} is not allowed on {request.url.path}."
        else:
            message = f"The local runner does not implement {request.method} {request.url.path}."
        return json_response(envelope(None, status, message), status)

    async def crashed(request: Request, error: Exception) -> Response:
        log.error("error answering %s %s", request.method, request.url.path, exc_info=error)
        message = f"Internal error in the local runner: {type(error).__name__}: {error}"
        return json_response(envelope(None, 500, message), 500)

    app = Starlette(routes=routes, exception_handlers={HTTPException: unimplemented, Exception: crashed})
    app.state.events = events
    return app
