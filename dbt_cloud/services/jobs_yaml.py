"""The jobs YAML of dbt-jobs-as-code (dbt Labs' jobs-as-code tool), read and written, so that a
team can move between that tool and this one.

Its format, as that tool documents it: a mapping `jobs:` from an identifier to a job; the job's name
in dbt Cloud is its `name` followed by ` [[identifier]]`, which is how the tool recognizes the jobs
it manages; `schedule` holds only `cron`; `linked_id` names an existing job to adopt;
`self_deferring: true` defers a job to itself; `custom_environment_variables` are job-level
environment variable overrides, which this tool does not import. Fields outside the format are
ignored by that tool, so the YAML keeps less than the JSON export does: use JSON to move jobs
exactly, YAML to hand them to jobs-as-code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dbt_cloud.errors import InputError
from dbt_cloud.services.transfer import ImportJob, definition_of, identifier_in

SCHEMA_URL = (
    "https://raw.githubusercontent.com/dbt-labs/dbt-jobs-as-code/main/src/dbt_jobs_as_code/schemas/load_job_schema.json"
)
#: The fields of a job in the format, in the order the tool writes them.
FIELDS = (
    "account_id",
    "project_id",
    "environment_id",
    "dbt_version",
    "name",
    "settings",
    "execution",
    "deferring_job_definition_id",
    "deferring_environment_id",
    "run_generate_sources",
    "run_lint",
    "errors_on_lint_failure",
    "execute_steps",
    "generate_docs",
    "schedule",
    "triggers",
    "description",
    "run_compare_changes",
    "compare_changes_flags",
    "job_type",
    "cost_optimization_features",
    "triggers_on_draft_pr",
    "job_completion_trigger_condition",
)
#: What the format requires of every job, with the value dbt Cloud itself starts a job with.
REQUIRED_DEFAULTS: Mapping[str, Any] = {
    "settings": {"threads": 4, "target_name": "default"},
    "run_generate_sources": False,
    "generate_docs": False,
    "triggers": {"github_webhook": False, "git_provider_webhook": False, "schedule": False, "on_merge": False},
    "execute_steps": [],
}
NO_SCHEDULE_TYPES = ("ci", "merge")
_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(name: str) -> str:
    return _SLUG.sub("_", name.lower()).strip("_") or "job"


def _name_without_identifier(name: str) -> str:
    return re.sub(r"\s*\[\[[^\]]*\]\]", "", name).strip()


def to_jobs_yaml(jobs: Sequence[Mapping[str, Any]], *, account_id: int) -> str:
    """Jobs (as the API answers them) as a jobs-as-code YAML file. A job whose name carries an
    identifier keeps it; another gets one made from its name, and `linked_id` names the job so
    that `dbt-jobs-as-code link` (or `dbt-cloud job import --format yaml`) adopts it."""
    import yaml

    used: set[str] = set()
    entries: dict[str, Any] = {}
    for job in jobs:
        name = str(job.get("name") or "")
        identifier = identifier_in(name) or _slug(_name_without_identifier(name))
        key, number = identifier, 2
        while key in used:
            key, number = f"{identifier}_{number}", number + 1
        used.add(key)
        definition = definition_of(job)
        entry: dict[str, Any] = {"account_id": account_id}
        for field in FIELDS[1:]:
            if field in definition:
                entry[field] = definition[field]
        for field, default in REQUIRED_DEFAULTS.items():
            if entry.get(field) is None:
                entry[field] = default
        entry["name"] = _name_without_identifier(name)
        schedule = definition.get("schedule")
        schedule = schedule if isinstance(schedule, dict) else {}
        cron = schedule.get("cron") if isinstance(schedule.get("cron"), str) else None
        if cron or entry.get("job_type") not in NO_SCHEDULE_TYPES:
            entry["schedule"] = {"cron": cron or "0 0 1 1 *"}
        else:
            entry.pop("schedule", None)
        if isinstance(job.get("id"), int) and entry.get("deferring_job_definition_id") == job["id"]:
            entry["deferring_job_definition_id"] = None
            entry["self_deferring"] = True
        entry["custom_environment_variables"] = []
        if isinstance(job.get("id"), int) and identifier_in(name) is None:
            entry["linked_id"] = job["id"]
        entries[key] = entry
    body = yaml.safe_dump({"jobs": entries}, sort_keys=False, allow_unicode=True, width=4096)
    return f"# yaml-language-server: $schema={SCHEMA_URL}\n\n{body}"


def from_jobs_yaml(text: str, *, origin: str, warn: Callable[[str], None] | None = None) -> list[ImportJob]:
    """The jobs of a jobs-as-code YAML file, as jobs to import."""
    import yaml

    if "{{" in text:
        raise InputError(
            f"{origin} uses jobs-as-code templating ({{{{ ... }}}}), which dbt-cloud does not render",
            hint="render it with `dbt-jobs-as-code` first, or replace the variables",
        )
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"{origin} is not valid YAML{where}") from None
    except RecursionError:  # the parser recurses once per level: `[[[[...` 100,000 deep
        raise InputError(f"{origin} is nested too deeply to be a jobs-as-code file") from None
    if not isinstance(document, dict) or not isinstance(document.get("jobs"), dict):
        raise InputError(f"{origin} is not a jobs-as-code file (no 'jobs:' mapping)")
    jobs = []
    for identifier, entry in document["jobs"].items():
        jobs.append(_import_job(str(identifier), entry, origin=origin, warn=warn))
    return jobs


def _import_job(identifier: str, entry: Any, *, origin: str, warn: Callable[[str], None] | None) -> ImportJob:
    if not re.fullmatch(r"[a-zA-Z0-9_-]+", identifier):
        raise InputError(f"{origin}: job identifier {identifier!r} may hold only letters, digits, '_' and '-'")
    if not isinstance(entry, dict):
        raise InputError(f"{origin}: job {identifier!r} is not a mapping")
    definition = {key: value for key, value in entry.items() if key not in ("account_id", "id", "identifier")}
    linked_id = definition.pop("linked_id", None)
    self_deferring = bool(definition.pop("self_deferring", False))
    variables = definition.pop("custom_environment_variables", None) or []
    if variables and warn is not None:
        warn(f"job {identifier!r}: custom_environment_variables are not imported (set them with the environment API)")
    name = definition.get("name")
    if not isinstance(name, str) or not name:
        raise InputError(f"{origin}: job {identifier!r} has no name")
    linked = linked_id if isinstance(linked_id, int) and not isinstance(linked_id, bool) else None
    # A linked job is found by its id, so its name needs no identifier: it keeps the plain name the
    # export wrote, and an exported file imports back unchanged.
    plain = _name_without_identifier(name)
    definition["name"] = plain if linked is not None else f"{plain} [[{identifier}]]"
    schedule = definition.get("schedule")
    cron_only = isinstance(schedule, dict) and isinstance(schedule.get("cron"), str)
    if isinstance(schedule, dict) and isinstance(schedule.get("cron"), str):
        # As jobs-as-code sends it: the cron alone decides, the date and time parts follow from it.
        definition["schedule"] = {
            "cron": schedule["cron"],
            "date": {"type": "custom_cron", "cron": schedule["cron"]},
            "time": {"type": "every_hour", "interval": 1},
        }
    steps = definition.get("execute_steps")
    if not isinstance(steps, list) or not all(isinstance(step, str) for step in steps):
        raise InputError(f"{origin}: job {identifier!r} has no execute_steps list")
    for key in ("project_id", "environment_id", "deferring_job_definition_id", "deferring_environment_id"):
        value = definition.get(key)
        if isinstance(value, str) and value.strip().isdigit():
            definition[key] = int(value)  # the format allows ids written as strings
    return ImportJob(
        definition,
        source_job_id=linked,
        identifier=identifier if linked is None else None,
        self_deferring=self_deferring,
        cron_only_schedule=cron_only,
    )
