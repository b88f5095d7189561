"""Environment variables as dbt Cloud's v3 API reads and writes them in bulk: by environment
(`environment-variables/environment/`), by job (`environment-variables/job/?job_definition_id=N`,
which dbt-jobs-as-code reads), by user, and the bulk create, update and delete endpoints.

Each variable is one stored document of kind `environment_variable` with its `type` (project,
environment, job or user) and the id it applies to; planning.py resolves them for a run (job over
environment over project).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from starlette.responses import Response

from dbt_cloud.local.http import Call, envelope, integer, invalid, json_response, not_found
from dbt_cloud.local.spec import Operation
from dbt_cloud.local.store import Store
from dbt_cloud.local.validation import body_errors

KIND = "environment_variable"
SECRET_PREFIX = "DBT_ENV_SECRET"


def shown_value(variable: dict[str, Any]) -> Any:
    """The value an answer may show: never a secret's."""
    if str(variable.get("name", "")).startswith(SECRET_PREFIX):
        return "**********"
    return variable.get("raw_value") if variable.get("raw_value") is not None else variable.get("display_value")


def present(call: Call, variable: dict[str, Any], include: set[str]) -> dict[str, Any]:
    answer = {"type": "project", "display_value": None, "state": 1, **variable}
    if str(answer.get("name", "")).startswith(SECRET_PREFIX):
        answer["raw_value"] = None
        answer["display_value"] = "**********"
    return answer


def check(call: Call, fields: dict[str, Any]) -> dict[str, list[str]]:
    kind = fields.get("type") or "project"
    needed = {"environment": "environment_id", "job": "job_definition_id", "user": "user_id"}.get(str(kind))
    if needed and fields.get(needed) is None:
        return {needed: [f"This field is required for a variable of type {kind!r}."]}
    return {}


def _with_value(value: str, current: dict[str, Any]) -> dict[str, Any]:
    return {**current, "raw_value": value, "display_value": value}


class EnvironmentVariables:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _project(self, call: Call) -> int:
        project_id = int(call.path_params["project_id"])
        project = self.store.get("project", project_id)
        if project is None or project.get("account_id") != call.account_id or project.get("state", 1) == 2:
            raise not_found(f"Project {project_id}")
        return project_id

    def _variables(self, call: Call, project_id: int) -> list[dict[str, Any]]:
        return [v for v in self.store.all(KIND, call.account_id) if v.get("project_id") == project_id]

    def _environments(self, call: Call, project_id: int) -> dict[int, str]:
        return {
            env["id"]: str(env["name"])
            for env in self.store.all("environment", call.account_id)
            if env.get("project_id") == project_id
        }

    def by_environment(self, op: Operation, call: Call) -> Response:
        project_id = self._project(call)
        names = self._environments(call, project_id)
        variables: dict[str, dict[str, Any]] = {}
        for variable in self._variables(call, project_id):
            if variable.get("type") not in ("project", "environment"):
                continue
            scope = "project" if variable["type"] == "project" else names.get(variable.get("environment_id") or 0)
            if scope is None:
                continue
            variables.setdefault(str(variable["name"]), {})[scope] = {
                "id": variable["id"],
                "value": shown_value(variable),
            }
        return json_response(envelope({"environments": ["project", *names.values()], "variables": variables}))

    def by_job(self, op: Operation, call: Call) -> Response:
        """Each variable a job's runs see, with its value at each level that sets it."""
        project_id = self._project(call)
        job_text = call.param("job_definition_id")
        if job_text is None:
            raise invalid({"job_definition_id": ["This field is required."]})
        job_id = integer("job_definition_id", job_text)
        job = self.store.get("job", job_id)
        if job is None or job.get("account_id") != call.account_id or job.get("project_id") != project_id:
            raise not_found(f"Job {job_id}")
        answer: dict[str, dict[str, Any]] = {}
        for variable in self._variables(call, project_id):
            kind = variable.get("type", "project")
            applies = (
                kind == "project"
                or (kind == "environment" and variable.get("environment_id") == job.get("environment_id"))
                or (kind == "job" and variable.get("job_definition_id") == job_id)
            )
            if applies:
                answer.setdefault(str(variable["name"]), {})[kind] = {
                    "id": variable["id"],
                    "value": shown_value(variable),
                }
        return json_response(envelope(answer))

    def by_user(self, op: Operation, call: Call) -> Response:
        project_id = self._project(call)
        user_text = call.param("user_id")
        user_id = integer("user_id", user_text) if user_text is not None else None
        answer: dict[str, dict[str, Any]] = {}
        for variable in self._variables(call, project_id):
            kind = variable.get("type", "project")
            if kind == "project" or (kind == "user" and (user_id is None or variable.get("user_id") == user_id)):
                answer.setdefault(str(variable["name"]), {})[kind] = {
                    "id": variable["id"],
                    "value": shown_value(variable),
                }
        return json_response(envelope(answer))

    def bulk_create(self, op: Operation, call: Call) -> Response:
        """`{"env_var": [{"new_name": "DBT_X", "project": "default", "Production": "prod"}]}`: one
        variable per name, a value per level (`project` or an environment's name)."""
        project_id = self._project(call)
        body = call.body_object()
        errors = body_errors(body, op.request_schema, op.document, partial=False)
        if errors:
            raise invalid(errors)
        by_name = {name: env_id for env_id, name in self._environments(call, project_id).items()}
        results = []
        for entry in body.get("env_var") or []:
            if not isinstance(entry, dict) or not str(entry.get("new_name") or "").strip():
                raise invalid({"env_var": ["Each variable needs a new_name."]})
            name = str(entry["new_name"])
            for level, value in entry.items():
                if level == "new_name" or value in (None, ""):
                    continue
                if level != "project" and level not in by_name:
                    raise invalid({"env_var": [f"No environment is named {level!r}."]})
                fields: dict[str, Any] = {
                    "account_id": call.account_id,
                    "project_id": project_id,
                    "name": name,
                    "type": "project" if level == "project" else "environment",
                    "raw_value": str(value),
                    "display_value": str(value),
                    "state": 1,
                }
                if level != "project":
                    fields["environment_id"] = by_name[level]
                self.store.insert(KIND, fields)
            results.append({"key_name": name, "status": "success", "status_code": 201, "data": {}})
        return json_response(envelope(results, status=201), 201)

    def bulk_update(self, op: Operation, call: Call) -> Response:
        """`{"env_vars": {"name": "DBT_X", "new_name": "DBT_Y", "<id>": "value", "<environment>": "value"}}`."""
        project_id = self._project(call)
        body = call.body_object()
        errors = body_errors(body, op.request_schema, op.document, partial=False)
        payload = body.get("env_vars")
        if errors or not isinstance(payload, dict) or not payload.get("name"):
            raise invalid(errors or {"env_vars": ["This field needs the variable's name."]})
        name = str(payload["name"])
        new_name = str(payload.get("new_name") or name)
        by_name = {env_name: env_id for env_id, env_name in self._environments(call, project_id).items()}
        mine = [v for v in self._variables(call, project_id) if v.get("name") == name]
        new_ids: list[int] = []
        deleted: list[int] = []
        failures: dict[str, str] = {}
        for key, value in payload.items():
            if key in ("name", "new_name"):
                continue
            existing = next((v for v in mine if str(v["id"]) == key), None)
            if existing is not None:
                if value in (None, ""):
                    self.store.update_with(KIND, existing["id"], lambda current: {**current, "state": 2})
                    deleted.append(existing["id"])
                else:
                    self.store.update_with(KIND, existing["id"], partial(_with_value, str(value)))
            elif key == "project" or key in by_name:
                if value in (None, ""):
                    continue
                fields = {
                    "account_id": call.account_id,
                    "project_id": project_id,
                    "name": new_name,
                    "type": "project" if key == "project" else "environment",
                    "raw_value": str(value),
                    "display_value": str(value),
                    "state": 1,
                    **({} if key == "project" else {"environment_id": by_name[key]}),
                }
                new_ids.append(int(self.store.insert(KIND, fields)["id"]))
            else:
                failures[key] = "No such variable id or environment name."
        if new_name != name:
            for variable in mine:
                self.store.update_with(KIND, variable["id"], lambda current: {**current, "name": new_name})
        message = "Environment variables updated."
        data = {"new_var_ids": new_ids, "deleted_var_ids": deleted, "failures": failures, "message": message}
        return json_response(envelope(data))

    def bulk_delete(self, op: Operation, call: Call) -> Response:
        """`{"ids": [1, 2]}` (or `?ids=1,2`): those variables are deleted."""
        project_id = self._project(call)
        body = call.body if isinstance(call.body, dict) else {}
        wanted = body.get("ids") or body.get("env_var_ids") or call.values("ids")
        if not isinstance(wanted, list):
            raise invalid({"ids": ["Expected a list of items."]})
        ids = {integer("ids", str(value)) for value in wanted}
        deleted = []
        for variable in self._variables(call, project_id):
            if variable["id"] in ids and variable.get("state", 1) != 2:
                self.store.update_with(KIND, variable["id"], lambda current: {**current, "state": 2})
                deleted.append(variable["id"])
        return json_response(envelope({"deleted_var_ids": deleted}))
