"""The local runner's routes: every operation of the vendored specs (`spec.py`), answered by the
generic resource layer (`resources.py`) or, where the service acts, by a hand-written handler (runs,
triggers, artifacts, tokens, environment-variable views), plus the few paths clients use that the
specs leave out (`/`, `/api/v2/whoami/`, v3's account-wide environment list), and the web page
of runs (`web_page.py`).

Routes are written once, with their trailing slash. Handlers are plain functions run in a thread
pool, so the store and the files they read never block the event loop; the body is read before a
handler starts. Every answer is an envelope, errors included; input never causes a 500, and a bug
answers one with a one-line message, logged once with its traceback (never sent to the client).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dbt_cloud.local import environment_variables
from dbt_cloud.local.discovery import discovery_routes
from dbt_cloud.local.environment_variables import EnvironmentVariables
from dbt_cloud.local.events import LocalEvents
from dbt_cloud.local.executor import Executor
from dbt_cloud.local.filters import select
from dbt_cloud.local.groups import Groups
from dbt_cloud.local.http import (
    MAX_BODY_BYTES,
    MAX_ID,
    ApiError,
    Call,
    envelope,
    error_response,
    json_response,
    not_found,
    parse_body,
    read_body,
)
from dbt_cloud.local.resources import KindHooks, Resources
from dbt_cloud.local.runs_api import RunEndpoints, check_steps
from dbt_cloud.local.spec import Operation, operations
from dbt_cloud.local.store import Store
from dbt_cloud.local.tokens import TOKEN_KINDS, Tokens
from dbt_cloud.local.views import document, job_view
from dbt_cloud.local.web_page import web_routes
from dbt_cloud.local.webhook_api import WebhookEndpoints
from dbt_cloud.local.webhook_subscriptions import Subscriptions

__all__ = ["MAX_BODY_BYTES", "LocalApi", "create_app"]

log = logging.getLogger("dbt_cloud.local")

V2 = "/api/v2/accounts/{account_id}"
V3 = "/api/v3/accounts/{account_id}"
V3_PROJECT = V3 + "/projects/{project_id}"

Handler = Callable[[Operation, Call], Response]


class LocalApi:
    """The endpoints. Each handler gets its operation and the call, with the caller's account."""

    def __init__(self, store: Store, executor: Executor | None, data_dir: Path) -> None:
        self.store = store
        self.executor = executor
        self.data_dir = data_dir
        self.operations = operations()
        self.runs = RunEndpoints(store, executor, data_dir)
        self.variables = EnvironmentVariables(store)
        self.tokens = Tokens(store)
        self.resources = Resources(store, self.operations, hooks=self.kind_hooks())
        self.groups = Groups(self.resources)
        # Webhooks sent on runs' starts and ends, and jobs started by schedules and other jobs'
        # completion: a thread the server starts and stops (`events.start()`, `events.stop()`).
        self.events = LocalEvents(store, self.runs.queue_run)
        self.webhooks = WebhookEndpoints(Subscriptions(store, self.events.dispatcher))
        job_get = next(op for op in self.operations if op.key == f"GET {V2}/jobs/{{id}}/")
        self.runs.job_answer = lambda call, job: self.resources.present(job_get, call, job, set())
        self.handlers = self.hand_written()

    # -- behaviour beyond keeping state, by kind ------------------------------------------------

    def kind_hooks(self) -> dict[str, KindHooks]:
        hooks = {
            "job": KindHooks(check=self.check_job, present=self.present_job),
            "project": KindHooks(present=self.present_project),
            "environment": KindHooks(present=self.present_environment),
            "repository": KindHooks(created=self.link_to_project("repository")),
            "connection": KindHooks(created=self.link_to_project("connection")),
            "environment_variable": KindHooks(check=environment_variables.check, present=environment_variables.present),
        }
        for kind in TOKEN_KINDS:
            hooks[kind] = KindHooks(
                created=partial(self.tokens.issue, kind),
                changed=partial(self.tokens.changed, kind),
                present=Tokens.present,
            )
        return hooks

    def check_job(self, call: Call, fields: dict[str, Any]) -> dict[str, list[str]]:
        errors = check_steps("execute_steps", fields.get("execute_steps"))
        threads = (fields.get("settings") or {}).get("threads") if isinstance(fields.get("settings"), dict) else None
        if isinstance(threads, int) and threads < 1:
            errors["settings.threads"] = ["Ensure this value is greater than or equal to 1."]
        environment_id = fields.get("environment_id")
        environment = None
        if isinstance(environment_id, int) and not isinstance(environment_id, bool) and environment_id <= MAX_ID:
            environment = self.store.get("environment", environment_id)
        if environment is not None and fields.get("project_id") not in (None, environment.get("project_id")):
            errors["environment_id"] = ["The environment belongs to another project."]
        return errors

    def present_job(self, call: Call, job: dict[str, Any], include: set[str]) -> dict[str, Any]:
        answer = job_view(job)
        for related in ("project", "environment"):
            if related in include:
                found = self.store.get(related, job.get(f"{related}_id") or 0)
                answer[related] = document(related, found) if found else None
        if "account" in include:
            found = self.store.get("account", job["account_id"])
            answer["account"] = document("account", found) if found else None
        if "most_recent_run" in include:
            answer["most_recent_run"] = self.runs.most_recent(call, job["id"], completed=False)
        if "most_recent_completed_run" in include:
            answer["most_recent_completed_run"] = self.runs.most_recent(call, job["id"], completed=True)
        return answer

    def present_project(self, call: Call, item: dict[str, Any], include: set[str]) -> dict[str, Any]:
        answer = document("project", item)
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
        return answer

    def present_environment(self, call: Call, item: dict[str, Any], include: set[str]) -> dict[str, Any]:
        answer = document("environment", item)
        if "project" in include:
            found = self.store.get("project", item.get("project_id") or 0)
            answer["project"] = document("project", found) if found else None
        return answer

    def link_to_project(self, kind: str) -> Callable[[Call, dict[str, Any]], dict[str, Any]]:
        # A repository created under a project becomes that project's repository, as in dbt Cloud's
        # project setup; the same for a connection.
        def created(call: Call, stored: dict[str, Any]) -> dict[str, Any]:
            project_id = stored.get("project_id")
            if isinstance(project_id, int):
                project = self.store.get("project", project_id)
                if project is not None and not project.get(f"{kind}_id"):
                    self.store.update_with(
                        "project", project_id, lambda current: {**current, f"{kind}_id": stored["id"]}
                    )
            return stored

        return created

    # -- hand-written operations ----------------------------------------------------------------

    def hand_written(self) -> dict[str, Handler]:
        return {key: handler for key, (handler, _) in self.behaviour().items()}

    def queue_run(self, job: dict[str, Any], trigger: dict[str, Any]) -> int:
        """Queue a run of a job (schedules and job-completion triggers start runs through this)."""
        return self.runs.queue_run(job, trigger)

    def behaviour(self) -> dict[str, tuple[Handler, str]]:
        """The operations where the runner acts, each with what it does (docs/local-runner.md lists them)."""
        runs, variables, groups = self.runs, self.variables, self.groups
        return {
            "GET /api/v2/accounts/": (self.list_accounts, "the token's own account"),
            "GET /api/v3/accounts/": (self.list_accounts, "the token's own account"),
            f"POST {V2}/jobs/{{job_id}}/run/": (runs.trigger, "queues a run; overrides checked against the spec"),
            f"POST {V2}/jobs/{{job_id}}/rerun/": (runs.rerun, "reruns the job (from the failure if it failed)"),
            f"GET {V2}/jobs/{{job_id}}/artifacts/{{remainder}}": (
                runs.get_job_artifact,
                "a file of the job's latest successful run",
            ),
            f"GET {V2}/runs/": (runs.list_runs, "runs with the spec's filters, order and paging"),
            f"GET {V2}/runs/{{id}}/": (runs.get_run, "the run, with `include_related`"),
            f"GET {V2}/runs/{{run_id}}/artifacts/": (runs.list_artifacts, "the files the run wrote"),
            f"GET {V2}/runs/{{run_id}}/artifacts/{{remainder}}": (runs.get_artifact, "a file the run wrote (`step`)"),
            f"POST {V2}/runs/{{run_id}}/cancel/": (runs.cancel, "cancels the run; its dbt process is stopped"),
            f"GET {V2}/runs/{{run_id}}/retry/": (runs.failure_details, "where a retry would start"),
            f"POST {V2}/runs/{{run_id}}/retry/": (runs.retry, "a new run from the failed step (`dbt retry`)"),
            f"GET {V2}/steps/{{id}}/": (runs.get_step, "the step with its logs"),
            f"GET {V3_PROJECT}/environment-variables/environment/": (
                variables.by_environment,
                "the variables by level",
            ),
            f"GET {V3_PROJECT}/environment-variables/job/": (variables.by_job, "the variables a job's runs see"),
            f"GET {V3_PROJECT}/environment-variables/user/": (variables.by_user, "the variables by user"),
            f"POST {V3_PROJECT}/environment-variables/bulk/": (variables.bulk_create, "creates variables by level"),
            f"PUT {V3_PROJECT}/environment-variables/bulk/": (variables.bulk_update, "sets, renames, removes values"),
            f"DELETE {V3_PROJECT}/environment-variables/bulk/": (variables.bulk_delete, "deletes variables"),
            f"POST {V3}/users/{{user_id}}/account-apikeys/{{id}}/": (
                self.rotate_token,
                "rotates the token: the old value stops working",
            ),
            f"POST {V3}/assign-groups/": (groups.assign, "puts the user in exactly those groups"),
            f"GET {V3}/service-tokens/{{service_token_id}}/permissions/": (
                self.token_permissions,
                "the grants the token was given",
            ),
            f"POST {V3}/group-permissions/{{group_id}}/": (groups.set_permissions, "sets the group's permissions"),
            **self.webhooks.behaviour(),
        }

    def list_accounts(self, op: Operation, call: Call) -> Response:
        # A token sees its own account only.
        account = self.resources.require_account(call)
        items = [self.resources.present(op, call, account, set(call.values("include_related")))]
        page, _, extra = select(items, call, op)
        return json_response(envelope(page, extra=extra))

    def token_permissions(self, op: Operation, call: Call) -> Response:
        self.resources.check_parents(op, call)
        items = self.tokens.permissions(call, call.path_params["service_token_id"])
        page, _, extra = select([self.resources.present(op, call, item, set()) for item in items], call, op)
        return json_response(envelope(page, extra=extra))

    def rotate_token(self, op: Operation, call: Call) -> Response:
        stored = self.resources.require(op, call)
        rotated = self.tokens.rotate("personal_access_token", call, stored)
        return self.resources.answer(op, self.resources.present(op, call, rotated, set()))

    # -- plumbing -------------------------------------------------------------------------------

    def authenticate(self, call: Call) -> int:
        header = call.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        account_id = None
        if scheme.lower() in ("token", "bearer") and token.strip():
            account_id = self.store.account_of_token(token.strip())
        if account_id is None:
            raise ApiError(401, "Invalid token.")
        wanted = call.path_params.get("account_id")
        if wanted is not None and wanted != account_id:
            raise ApiError(403, "Access denied: Token is not scoped to account.")
        return account_id

    def serve(self, op: Operation, call: Call, raw: bytes, handler: Handler | None = None) -> Response:
        """Answer one call (in a worker thread): authenticate, parse the body, dispatch."""
        try:
            call.account_id = self.authenticate(call)
            for name, value in call.path_params.items():
                if isinstance(value, int) and value > MAX_ID:
                    raise not_found(f"{name} {value}")
            call.body = parse_body(raw)
            chosen = handler or self.handlers.get(op.key) or self.resources.handle
            return chosen(op, call)
        except ApiError as error:
            return error_response(error)
        except KeyError as error:  # the row went away between the check and the write
            return error_response(not_found(str(error)))

    def endpoint(self, op: Operation, handler: Handler | None = None) -> Callable[[Request], Any]:
        async def respond(request: Request) -> Response:
            try:
                raw = await read_body(request)
                call = Call(
                    method=request.method,
                    path=request.url.path,
                    path_params=dict(request.path_params),
                    query=list(request.query_params.multi_items()),
                    headers={key.lower(): value for key, value in request.headers.items()},
                    body=None,
                    base_url=str(request.base_url).rstrip("/"),
                )
                return await run_in_threadpool(self.serve, op, call, raw, handler)
            except ApiError as error:
                return error_response(error)
            except Exception as error:  # a bug: one line to the client, one logged traceback
                log.error("error answering %s %s", request.method, request.url.path, exc_info=error)
                message = f"Internal error in the local runner: {type(error).__name__}"
                return json_response(envelope(None, 500, message), 500)

        return respond

    def routes(self) -> list[Any]:
        by_key = {op.key: op for op in self.operations}
        # Words before parameters, so `environment-variables/bulk/` is tried before `.../{id}/`.
        ordered = sorted(self.operations, key=lambda op: [part.startswith("{") for part in op.path.split("/")])
        routes: list[Any] = [*discovery_routes(self.store, self.data_dir)]
        routes += [Route(op.route, self.endpoint(op), methods=[op.method]) for op in ordered]
        environments = by_key[f"GET {V2}/environments/"]
        # Served by dbt Cloud, read by dbt-jobs-as-code, absent from the specs.
        routes.append(
            Route("/api/v3/accounts/{account_id:int}/environments/", self.endpoint(environments), methods=["GET"])
        )
        routes.append(Route("/api/v2/whoami/", self.endpoint(environments, self.whoami), methods=["GET"]))
        routes += web_routes()
        return routes

    def whoami(self, op: Operation, call: Call) -> Response:
        users = self.store.all("user", call.account_id)
        account = self.store.get("account", call.account_id)
        user = document("user", users[0]) if users else None
        return json_response(envelope({"user": user, "accounts": [document("account", account)] if account else []}))


#: What each kind with behaviour does beyond keeping state (the docs table says it).
KIND_BEHAVIOUR = {
    "job": "steps checked; `include_related` answers the most recent runs",
    "project": "answers its connection, repository and environments",
    "repository": "becomes its project's repository",
    "connection": "becomes its project's connection",
    "environment_variable": "resolved into runs (job over environment over project); secrets masked",
    "service_token": "authenticates, scoped to its account; value shown once; delete revokes",
    "personal_access_token": "authenticates, scoped to its account; value shown once; delete revokes",
}


def describe_operations() -> list[tuple[str, str, str, str]]:
    """(method, path, kind, how it is answered) of every operation, for docs/local-runner.md."""
    store = Store(Path(":memory:"))
    try:
        api = LocalApi(store, None, Path("."))
        rows = []
        for op in api.operations:
            acts = api.behaviour().get(op.key)
            if acts is not None:
                how = f"behaviour: {acts[1]}"
            elif op.kind in KIND_BEHAVIOUR and op.action in ("create", "update", "delete", "get", "list"):
                how = f"state, and behaviour: {KIND_BEHAVIOUR[op.kind]}"
            else:
                how = f"state ({op.action})"
            rows.append((op.method, op.path, op.kind, how.replace("|", "/")))
        return rows
    finally:
        store.close()


def create_app(store: Store, executor: Executor | None, data_dir: Path) -> Starlette:
    api = LocalApi(store, executor, data_dir)

    async def unanswered(request: Request, error: Exception) -> Response:
        status = error.status_code if isinstance(error, HTTPException) else 404
        if status == 405:
            message = f"{request.method} is not allowed on {request.url.path}."
        else:
            message = f"The local runner does not implement {request.method} {request.url.path}."
        return json_response(envelope(None, status, message), status)

    app = Starlette(routes=api.routes(), exception_handlers={HTTPException: unanswered})
    app.state.events = api.events  # server.py starts and stops them with the server
    return app
