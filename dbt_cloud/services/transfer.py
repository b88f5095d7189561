"""Exporting jobs to a document and importing them again: the library behind `job export` and
`job import`.

An export keeps every field of a job, those our models do not know included, and drops only server
state (ids, timestamps, counters, humanized copies, related objects). Each job carries its origin
under `dbt_cloud_export` (the account and job it came from, and any related objects asked for),
and the document its format version, so a later dbt-cloud can read it and an older one refuses it
plainly. A document of dbt-cloud-cli 0.9.1 (a bare job without `id`) is read as well.

An import first makes a plan: for each job, find it in the target environment (by its jobs-as-code
identifier, by the job it was exported from, or by its name) and decide to create it, update it
(naming the fields that change) or leave it; then it carries the plan out through the command
models. References between jobs of one document (`deferring_job_definition_id`, a job completion
trigger) are pointed at the jobs the import created or found.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from dbt_cloud.about import __version__
from dbt_cloud.errors import DbtCloudError, InputError, InvalidResponseError

if TYPE_CHECKING:
    from dbt_cloud.http.client import DbtCloudClient
    from dbt_cloud.http.response import ApiResponse

EXPORT_KEY = "dbt_cloud_export"
FORMAT_VERSION = 1

#: Fields of a job that the server keeps, not the user: never exported, never sent back.
SERVER_STATE = frozenset(
    {
        "id",
        "account_id",
        "created_at",
        "updated_at",
        "run_failure_count",
        "is_deferrable",
        "lifecycle_webhooks_url",
        "raw_dbt_version",
        "cron_humanized",
        "next_run",
        "next_run_humanized",
        "deactivated",
        "deactivation_reason",
        "is_system",
        "fusion_readiness",
        "most_recent_run",
        "most_recent_completed_run",
    }
)
#: Objects `include_related` adds to a job: kept beside the job in an export, never sent back.
RELATED = frozenset({"account", "project", "environment", "repository", "connection", "environment_variables"})
#: Where a job names another job by id.
REFERENCES: tuple[tuple[str, ...], ...] = (
    ("deferring_job_definition_id",),
    ("job_completion_trigger_condition", "condition", "job_id"),
)
DELETED = 2
_IDENTIFIER = re.compile(r"\[\[(?:[*a-zA-Z0-9_-]+:)?([a-zA-Z0-9_-]+)\]\]")


# --- export --------------------------------------------------------------------------------------


def definition_of(job: Mapping[str, Any]) -> dict[str, Any]:
    """The job as a user defines it: everything but server state and related objects."""
    return {
        key: copy.deepcopy(value)
        for key, value in job.items()
        if key not in SERVER_STATE and key not in RELATED and key != EXPORT_KEY
    }


def related_of(job: Mapping[str, Any]) -> dict[str, Any]:
    return {key: job[key] for key in sorted(RELATED) if isinstance(job.get(key), dict)}


def _exported_job(job: Mapping[str, Any], account_id: int) -> dict[str, Any]:
    origin: dict[str, Any] = {"source": {"account_id": account_id, "job_id": job.get("id")}}
    related = related_of(job)
    if related:
        origin["related"] = related
    return {EXPORT_KEY: origin, **definition_of(job)}


def export_document(jobs: Sequence[Mapping[str, Any]], *, account_id: int, single: bool) -> dict[str, Any]:
    """One job as a job document (its fields at the top, as dbt-cloud-cli wrote them), or several
    as a jobs document."""
    stamp = {"version": FORMAT_VERSION, "tool": f"dbt-cloud {__version__}"}
    if single:
        if len(jobs) != 1:
            raise ValueError("a single-job document holds exactly one job")
        item = _exported_job(jobs[0], account_id)
        item[EXPORT_KEY] = {"format": "job", **stamp, **item[EXPORT_KEY]}
        return item
    return {
        EXPORT_KEY: {"format": "jobs", **stamp, "source": {"account_id": account_id}},
        "jobs": [_exported_job(job, account_id) for job in jobs],
    }


# --- reading a document ------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportJob:
    """One job to import: its definition, and what ties it to a job that may exist already."""

    definition: dict[str, Any]
    #: The id of the job it was exported from (or the jobs-as-code `linked_id`).
    source_job_id: int | None = None
    #: The jobs-as-code identifier: the job's name in dbt Cloud ends with `[[identifier]]`.
    identifier: str | None = None
    #: Defer to its own previous runs (jobs-as-code `self_deferring`; its own id in an export).
    self_deferring: bool = False
    #: The schedule was given by its cron alone (jobs-as-code): a job whose cron is the same keeps
    #: the date and time parts it has, which the cron implies.
    cron_only_schedule: bool = False

    @property
    def name(self) -> str:
        return str(self.definition.get("name") or "unnamed job")


def identifier_in(name: str) -> str | None:
    """The jobs-as-code identifier in a job name (`Nightly [[nightly]]` -> `nightly`)."""
    match = _IDENTIFIER.search(name)
    return match.group(1) if match else None


def _job_from_export(item: Any, where: str) -> ImportJob:
    if not isinstance(item, dict):
        raise InputError(f"{where} is not a job (a JSON object)")
    origin = item.get(EXPORT_KEY)
    origin = origin if isinstance(origin, dict) else {}
    source = origin.get("source")
    source = source if isinstance(source, dict) else {}
    source_id = source.get("job_id")
    if not isinstance(source_id, int):
        source_id = item.get("id") if isinstance(item.get("id"), int) else None
    definition = definition_of(item)
    problems = []
    if not isinstance(definition.get("name"), str) or not definition.get("name"):
        problems.append("no 'name'")
    steps = definition.get("execute_steps")
    if not isinstance(steps, list) or not all(isinstance(step, str) for step in steps):
        problems.append("no 'execute_steps' list")
    if problems:
        raise InputError(f"{where} is not a job definition: {' and '.join(problems)}")
    self_deferring = source_id is not None and definition.get("deferring_job_definition_id") == source_id
    if self_deferring:
        definition["deferring_job_definition_id"] = None
    return ImportJob(definition, source_id, identifier_in(definition["name"]), self_deferring)


def read_document(document: Any, *, origin: str) -> tuple[list[ImportJob], bool]:
    """The jobs of an export document, and whether it held a single job. Refuses, in one line, a
    document of a newer format version or one that is not an export at all."""
    if not isinstance(document, dict):
        raise InputError(f"{origin} is not a job export (expected a JSON object)")
    meta = document.get(EXPORT_KEY)
    if meta is None:
        if "name" in document and "execute_steps" in document:
            return [_job_from_export(document, origin)], True  # dbt-cloud-cli 0.9.1's export
        raise InputError(f"{origin} is neither a dbt-cloud job export nor a job definition")
    if not isinstance(meta, dict):
        raise InputError(f"{origin}: '{EXPORT_KEY}' is not an object")
    version = meta.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InputError(f"{origin} has an unknown export format version {json.dumps(version, default=str)}")
    if version > FORMAT_VERSION:
        raise InputError(
            f"{origin} was written by a newer dbt-cloud ({meta.get('tool', 'unknown')}, export format "
            f"version {version}); this dbt-cloud {__version__} reads version {FORMAT_VERSION}",
            hint="upgrade dbt-cloud to import it",
        )
    kind = meta.get("format")
    if kind == "job":
        return [_job_from_export(document, origin)], True
    if kind == "jobs":
        items = document.get("jobs")
        if not isinstance(items, list):
            raise InputError(f"{origin} is a jobs export without a 'jobs' list")
        return [_job_from_export(item, f"{origin}, job {n}") for n, item in enumerate(items, 1)], False
    shown = json.dumps(kind, default=str)
    raise InputError(f"{origin} has an unknown export format {shown} (expected 'job' or 'jobs')")


# --- planning ------------------------------------------------------------------------------------

CREATE, UPDATE, UNCHANGED, REFUSED = "create", "update", "unchanged", "refused"


@dataclass
class PlannedJob:
    """What the import will do with one job."""

    job: ImportJob
    action: str
    #: The body to send (account, project and environment set), references not yet resolved.
    desired: dict[str, Any]
    existing: dict[str, Any] | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    problem: str | None = None

    @property
    def name(self) -> str:
        return str(self.desired.get("name") or self.job.name)

    @property
    def existing_id(self) -> int | None:
        value = (self.existing or {}).get("id")
        return value if isinstance(value, int) else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "name": self.name,
            "job_id": self.existing_id,
            "source_job_id": self.job.source_job_id,
            "project_id": self.desired.get("project_id"),
            "environment_id": self.desired.get("environment_id"),
            "changes": {path: {"from": _plain(old), "to": _plain(new)} for path, (old, new) in self.changes.items()},
            **({"problem": self.problem} if self.problem else {}),
        }


MISSING = object()


def _plain(value: Any) -> Any:
    """A value as JSON can hold it (a new job's future id as its description)."""
    if isinstance(value, NewJobId):
        return repr(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def changed_fields(current: Mapping[str, Any], desired: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Fields of `desired` whose value differs from `current`'s, as dotted paths -> (old, new).
    Fields only `current` has are not changes: an update keeps them."""
    changes: dict[str, Any] = {}
    for key, want in desired.items():
        have = current.get(key, MISSING)
        path = f"{prefix}{key}"
        if isinstance(want, dict) and isinstance(have, dict):
            changes.update(changed_fields(have, want, f"{path}."))
        elif have is MISSING or have != want:
            changes[path] = (None if have is MISSING else have, want)
    return changes


def _get(document: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = document
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _set(document: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = document
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            return
        node = child
    node[path[-1]] = value


class NewJobId:
    """Stands for the id a job will get when the import creates it (in a plan)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<id of the new job {self.name!r}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NewJobId) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)


ListJobs = Callable[[int, int], list[dict[str, Any]]]


def plan_import(
    jobs: Sequence[ImportJob],
    *,
    account_id: int,
    list_jobs: ListJobs,
    project_id: int | None = None,
    environment_id: int | None = None,
    always_create: bool = False,
) -> list[PlannedJob]:
    """Decide, for each job, whether to create it, update an existing one or leave it.

    `list_jobs(project_id, environment_id)` answers the active jobs of an environment (asked once
    per environment). `project_id`/`environment_id` retarget every job.
    """
    seen: dict[tuple[int, int], list[dict[str, Any]]] = {}
    plan: list[PlannedJob] = []
    for job in jobs:
        desired = {**copy.deepcopy(job.definition), "account_id": account_id}
        if project_id is not None:
            desired["project_id"] = project_id
        if environment_id is not None:
            desired["environment_id"] = environment_id
        target = (desired.get("project_id"), desired.get("environment_id"))
        if not all(isinstance(value, int) and not isinstance(value, bool) for value in target):
            problem = "no project_id/environment_id: pass --project-id and --environment-id"
            plan.append(PlannedJob(job, REFUSED, desired, problem=problem))
            continue
        key = (int(target[0]), int(target[1]))  # type: ignore[arg-type]
        if key not in seen:
            seen[key] = [
                existing
                for existing in list_jobs(*key)
                if existing.get("state") != DELETED and existing.get("environment_id") in (None, key[1])
            ]
        plan.append(_match(job, desired, seen[key], always_create=always_create))
    _resolve_for_plan(plan)
    return plan


def _match(
    job: ImportJob, desired: dict[str, Any], existing: list[dict[str, Any]], *, always_create: bool
) -> PlannedJob:
    if always_create:
        return PlannedJob(job, CREATE, desired)
    candidates: list[dict[str, Any]] = []
    if job.identifier:
        candidates = [e for e in existing if identifier_in(str(e.get("name") or "")) == job.identifier]
    if not candidates and job.source_job_id is not None:
        candidates = [e for e in existing if e.get("id") == job.source_job_id]
    if not candidates and job.identifier is None:
        candidates = [e for e in existing if e.get("name") == desired.get("name")]
    if len(candidates) > 1:
        ids = ", ".join(str(e.get("id")) for e in candidates)
        problem = f"several jobs match it in environment {desired['environment_id']} (ids {ids})"
        return PlannedJob(job, REFUSED, desired, problem=f"{problem}: rename one, or pass --always-create")
    if not candidates:
        return PlannedJob(job, CREATE, desired)
    found = candidates[0]
    schedule = found.get("schedule")
    if job.cron_only_schedule and isinstance(schedule, dict):
        wanted = desired.get("schedule")
        if isinstance(wanted, dict) and schedule.get("cron") == wanted.get("cron"):
            desired["schedule"] = copy.deepcopy(schedule)
    return PlannedJob(job, UPDATE, desired, existing=found)


def _known_ids(plan: Sequence[PlannedJob]) -> dict[int, Any]:
    """Source id -> the id each job of the document will have (a `NewJobId` for those created)."""
    known: dict[int, Any] = {}
    for item in plan:
        if item.job.source_job_id is None or item.action == REFUSED:
            continue
        known[item.job.source_job_id] = item.existing_id if item.action == UPDATE else NewJobId(item.name)
    return known


def _resolve_for_plan(plan: list[PlannedJob]) -> None:
    known = _known_ids(plan)
    for item in plan:
        if item.action == REFUSED:
            continue
        resolved = _with_references(item, known)
        if item.action == UPDATE and item.existing is not None:
            wanted = {key: value for key, value in resolved.items() if key != "account_id"}
            item.changes = changed_fields(definition_of(item.existing), wanted)
            if not item.changes:
                item.action = UNCHANGED


def _with_references(item: PlannedJob, known: Mapping[int, Any], *, own_id: Any = None) -> dict[str, Any]:
    """The desired body with references to jobs of the document pointed at their new ids."""
    body = copy.deepcopy(item.desired)
    for path in REFERENCES:
        value = _get(body, path)
        if isinstance(value, int) and value in known:
            _set(body, path, known[value])
    if item.job.self_deferring:
        mine = own_id if own_id is not None else (item.existing_id or NewJobId(item.name))
        body["deferring_job_definition_id"] = mine
    return body


# --- carrying the plan out -----------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    planned: PlannedJob
    #: The API's answer for the job (created, updated, or as it stands when unchanged).
    document: Any = None
    job_id: int | None = None
    error: DbtCloudError | None = None


def _creation_order(plan: Sequence[PlannedJob]) -> list[PlannedJob]:
    """Jobs that others refer to first, so most references resolve on the first request."""
    by_source = {item.job.source_job_id: item for item in plan if item.job.source_job_id is not None}
    ordered: list[PlannedJob] = []
    visited: set[int] = set()

    def visit(item: PlannedJob) -> None:
        if id(item) in visited:
            return
        visited.add(id(item))
        for path in REFERENCES:
            target = by_source.get(_get(item.desired, path))
            if target is not None and target is not item:
                visit(target)
        ordered.append(item)

    for item in plan:
        visit(item)
    return ordered


def apply_plan(client: DbtCloudClient, account_id: int, plan: Sequence[PlannedJob]) -> list[ImportResult]:
    """Create and update the jobs of the plan, each tried even when another fails; results in
    the plan's order."""
    from dbt_cloud.api.operations.job import JobCreate, JobGet, JobUpdate
    from dbt_cloud.services.updates import merged_request

    def create(body: dict[str, Any]) -> ApiResponse:
        from pydantic import ValidationError

        core = {key: body.get(key) for key in ("account_id", "project_id", "environment_id", "name", "execute_steps")}
        try:
            request = JobCreate.model_validate(core).request()
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(part) for part in first.get("loc", ()))
            raise InputError(f"{where}: {first.get('msg', 'invalid')}") from None
        return client.send_request(replace(request, json=body))

    def update(job_id: int, current: Mapping[str, Any], body: dict[str, Any]) -> ApiResponse:
        request = JobUpdate(account_id=account_id, job_id=job_id).request()
        return client.send_request(merged_request(request, dict(current), body))

    known: dict[int, Any] = {k: v for k, v in _known_ids(plan).items() if not isinstance(v, NewJobId)}
    results: dict[int, ImportResult] = {}
    follow_ups: list[tuple[PlannedJob, int, dict[str, Any]]] = []
    for item in _creation_order(plan):
        if item.action == REFUSED:
            results[id(item)] = ImportResult(item, error=InputError(item.problem or "refused"))
            continue
        try:
            if item.action == UNCHANGED and item.existing_id is not None:
                answer = client.send(JobGet(account_id=account_id, job_id=item.existing_id))
                results[id(item)] = ImportResult(item, answer.document, item.existing_id)
                continue
            body = _with_references(item, known, own_id=item.existing_id)
            pending = _unresolved(body)
            for path in pending:
                _set(body, path, None)  # pointed at a job not created yet: set once it is
            if item.action == CREATE:
                answer = create(body)
            else:
                assert item.existing_id is not None
                assert item.existing is not None
                answer = update(item.existing_id, item.existing, body)
            job_id = _job_id(answer)
            if item.job.source_job_id is not None:
                known[item.job.source_job_id] = job_id
            results[id(item)] = ImportResult(item, answer.document, job_id)
            if pending:
                follow_ups.append((item, job_id, answer.data))
        except DbtCloudError as exc:
            results[id(item)] = ImportResult(item, error=exc)
    for item, job_id, current in follow_ups:
        try:
            body = _with_references(item, known, own_id=job_id)
            if _unresolved(body):
                raise InputError(f"{item.name} refers to a job of the document that could not be imported")
            answer = update(job_id, current, body)
            results[id(item)] = ImportResult(item, answer.document, job_id)
        except DbtCloudError as exc:
            results[id(item)] = ImportResult(item, results[id(item)].document, job_id, exc)
    return [results[id(item)] for item in plan]


def _unresolved(body: Mapping[str, Any]) -> list[tuple[str, ...]]:
    return [path for path in REFERENCES if isinstance(_get(body, path), NewJobId)]


def _job_id(answer: ApiResponse) -> int:
    data = answer.data
    job_id = data.get("id") if isinstance(data, dict) else None
    if not isinstance(job_id, int):
        raise InvalidResponseError("The job answer has no id")
    return job_id
