"""Typed answers: the objects dbt Cloud answers with, as pydantic models, for Python callers.

The command line prints answers as the server sent them; programs (the runner, the typed client)
get them parsed here. A model types the fields programs read most and keeps every other field the
server sent (readable as an attribute, and given back whole by `model_dump()`), so a field this
tool does not know yet is never lost. Like the server, any field may be null.

Which model an answer gets is read from the operation's path, not listed per command: the last
word of the path names the collection (`.../jobs/{id}/` answers a `Job`), and a few action words
answer with a run (`.../jobs/{job_id}/run/`) or with the object they act on (`.../runs/{id}/cancel/`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from dbt_cloud.api.operation import Api, Operation


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


#: dbt Cloud writes times both as ISO 8601 and as `2021-11-26 16:48:41.431645+00:00`; pydantic reads both.
Timestamp = Annotated[datetime | None, BeforeValidator(_blank_is_none)]


class ApiObject(BaseModel):
    """An object of an answer that has no model of its own: every field kept, read as attributes."""

    model_config = ConfigDict(extra="allow", frozen=True)

    def __getitem__(self, key: str) -> Any:
        """`obj["field"]` as well as `obj.field`, for code written against the JSON."""
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None


class Resource(ApiObject):
    """An object of the Administrative API: it has a numeric id."""

    id: int | None = None
    account_id: int | None = None
    state: int | None = None
    created_at: Timestamp = None
    updated_at: Timestamp = None


class Account(Resource):
    name: str | None = None
    plan: str | None = None
    run_slots: int | None = None
    developer_seats: int | None = None
    read_only_seats: int | None = None
    locked: bool | None = None


class Project(Resource):
    name: str | None = None
    connection_id: int | None = None
    repository_id: int | None = None
    dbt_project_subdirectory: str | None = None


class Environment(Resource):
    project_id: int | None = None
    name: str | None = None
    type: str | None = None
    dbt_version: str | None = None
    connection_id: int | None = None
    credentials_id: int | None = None
    repository_id: int | None = None
    use_custom_branch: bool | None = None
    custom_branch: str | None = None


class Job(Resource):
    project_id: int | None = None
    environment_id: int | None = None
    name: str | None = None
    description: str | None = None
    job_type: str | None = None
    dbt_version: str | None = None
    execute_steps: list[str] | None = None
    generate_docs: bool | None = None
    triggers: dict[str, Any] | None = None
    settings: dict[str, Any] | None = None
    schedule: dict[str, Any] | None = None


class Run(Resource):
    """A run of a job. `status` is the API's code: 1 queued, 2 starting, 3 running, 10 success,
    20 error, 30 cancelled; `is_complete`, `is_success`, `is_error`, `is_cancelled` say the same."""

    project_id: int | None = None
    environment_id: int | None = None
    job_definition_id: int | None = None
    status: int | None = None
    status_humanized: str | None = None
    status_message: str | None = None
    in_progress: bool | None = None
    is_complete: bool | None = None
    is_success: bool | None = None
    is_error: bool | None = None
    is_cancelled: bool | None = None
    git_branch: str | None = None
    git_sha: str | None = None
    dbt_version: str | None = None
    href: str | None = None
    started_at: Timestamp = None
    finished_at: Timestamp = None
    trigger: dict[str, Any] | None = None
    run_steps: list[dict[str, Any]] | None = None


class Connection(Resource):
    project_id: int | None = None
    name: str | None = None
    type: str | None = None
    details: dict[str, Any] | None = None


class AuditLog(Resource):
    service: str | None = None
    source: str | None = None
    routing_key: str | None = None
    actor_type: str | None = None
    actor_name: str | None = None
    actor_id: int | None = None
    logged_at: Timestamp = None


#: The last word of a path -> the model of what it answers with.
COLLECTIONS: dict[str, type[Resource]] = {
    "accounts": Account,
    "projects": Project,
    "environments": Environment,
    "jobs": Job,
    "runs": Run,
    "connections": Connection,
    "audit-logs": AuditLog,
}
#: Action words at the end of a path that answer with a run (triggering a job starts one).
RUN_ACTIONS = frozenset({"run", "rerun", "retry"})
#: Action words that answer with the object they act on.
SAME_KIND_ACTIONS = frozenset({"cancel"})


def model_for(operation: Operation) -> type[ApiObject]:
    """The model the answers of an operation are parsed into (`ApiObject` when none fits)."""
    words = [part for part in operation.path.split("/") if part and not part.startswith("{")]
    if not words:
        return ApiObject
    last = words[-1]
    if last in RUN_ACTIONS:
        return Run
    if last in SAME_KIND_ACTIONS and len(words) > 1:
        last = words[-2]
    return COLLECTIONS.get(last, ApiObject)


def parse_answer(operation: Operation, document: Any) -> Any:
    """An answer (the whole document, envelope included) as models: one, a list of them, or, for
    answers that hold no objects (a list of artifact paths), the data as it came."""
    if operation.api is Api.DISCOVERY:
        data = document.get("data") if isinstance(document, dict) else document
        return parse_data(ApiObject, data)
    data = document.get("data") if operation.envelope and isinstance(document, dict) else document
    return parse_data(model_for(operation), data)


def parse_data(model: type[ApiObject], data: Any) -> Any:
    if isinstance(data, list):
        return [parse_data(model, item) for item in data]
    if not isinstance(data, dict):
        return data
    try:
        return model.model_validate(data)
    except ValidationError:
        # A field in a shape its type does not allow (a server newer than this tool): keep the
        # answer readable rather than lose it; the values are then as the server sent them.
        return model.model_construct(**data)
