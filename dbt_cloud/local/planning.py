"""From a queued run to what its worker executes: the project folder, a profile for this run,
the environment variables, and the steps.

dbt Cloud builds a profile for each run from the environment's connection and credentials; here
the project's own profiles.yml (or the user's ~/.dbt one, or a generated DuckDB profile) is the
connection, and the run's settings are applied on top of a copy: the target name picks the output
(or names a copy of the default one), the threads and schema overrides are set on it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from dbt_cloud.local.files import atomic_write
from dbt_cloud.local.store import Store


class PlanError(Exception):
    """The run cannot start; the message becomes the run's status message."""


#: What a step does: invoke dbt with its command, or only say in its log what was done (the steps
#: dbt Cloud takes before dbt runs, which here need no work).
DBT, NOTE = "dbt", "note"


@dataclass(frozen=True)
class Step:
    name: str
    command: str
    #: A failing step that does not fail the run (dbt Cloud's "run source freshness" checkbox).
    may_fail: bool = False
    kind: str = DBT
    #: What the step's log says it did, for the steps that do not invoke dbt.
    note: str = ""


@dataclass(frozen=True)
class RunPlan:
    """Everything a worker needs, decided by the server when the run leaves the queue."""

    run_id: int
    account_id: int
    db_path: str
    project_dir: str
    profiles_dir: str
    run_dir: str
    steps: tuple[Step, ...]
    env: dict[str, str] = field(default_factory=dict)
    #: Partial-parse cache of the project, copied in before and out after, so dbt skips re-parsing.
    parse_cache: str | None = None
    #: The server's process: the worker stops if it dies.
    server_pid: int = 0
    #: Artifacts of the failed step a retry resumes from (`dbt retry` reads its run_results.json).
    resume_from: str | None = None
    #: Seconds the run may take before it is cancelled; 0 for no limit.
    timeout_seconds: float = 0


def step_name(command: str) -> str:
    return f"Invoke dbt with `{command}`"


def run_dir_of(data_dir: Path, run_id: int) -> Path:
    return data_dir / "runs" / str(run_id)


def local_path_of(remote_url: str | None) -> Path | None:
    """The folder a repository's `remote_url` names, when it is a local path or a file:// URL."""
    if not remote_url:
        return None
    if remote_url.startswith("file://"):
        return Path(unquote(urlsplit(remote_url).path))
    if "://" in remote_url or remote_url.startswith("git@"):
        return None
    return Path(remote_url).expanduser()


def project_dir_of(store: Store, project_id: int | None) -> Path:
    project = store.get("project", project_id) if project_id is not None else None
    if project is None:
        raise PlanError(f"Project {project_id} does not exist.")
    repository = store.get("repository", project["repository_id"]) if project.get("repository_id") else None
    if repository is None:
        raise PlanError(f"Project {project_id} has no repository: create one whose remote_url is a local folder.")
    folder = local_path_of(repository.get("remote_url"))
    if folder is None:
        raise PlanError(
            f"The local runner runs only local repositories: remote_url must be a folder or a file:// URL,"
            f" got {repository.get('remote_url')!r}."
        )
    subdirectory = project.get("dbt_project_subdirectory")
    if subdirectory:
        repository_root = folder.resolve()
        folder = (repository_root / str(subdirectory)).resolve()
        # As in dbt Cloud, the subdirectory is a folder of the repository: never a way out of it.
        if not folder.is_relative_to(repository_root):
            raise PlanError(
                f"The project's dbt_project_subdirectory {subdirectory!r} leads outside its repository folder"
                f" {repository_root}."
            )
    if not (folder / "dbt_project.yml").is_file():
        raise PlanError(f"No dbt_project.yml in {folder}.")
    return folder.resolve()


def whole_number(setting: str, value: Any, *, default: int, minimum: int) -> int:
    """A run setting that must be a whole number (threads, a timeout), from the job or an override.

    The API may have stored anything a client sent; a value the run cannot use ends the run with
    this message rather than the scheduler's error."""
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().lstrip("-").isdigit():
        raise PlanError(f"The run's {setting} must be a whole number, got {value!r}.")
    number = int(value)
    if number < minimum:
        raise PlanError(f"The run's {setting} must be at least {minimum}, got {number}.")
    return number


def job_commands(settings: dict[str, Any]) -> list[str]:
    commands = settings.get("steps", [])
    if not isinstance(commands, list) or not all(isinstance(command, str) and command.strip() for command in commands):
        raise PlanError(f"The run's steps must be a list of dbt commands, got {commands!r}.")
    return commands


def preamble(store: Store, project_id: int | None, project_dir: Path, profile_type: str) -> list[Step]:
    """The steps every dbt Cloud run begins with, so a job's own commands are numbered as there
    (clients that retry a subset of steps skip these three)."""
    project = store.get("project", project_id) if project_id is not None else None
    connection = store.get("connection", project["connection_id"]) if project and project.get("connection_id") else None
    source = str(connection.get("name") or profile_type) if connection else profile_type
    has_packages = (project_dir / "packages.yml").exists() or (project_dir / "dependencies.yml").exists()
    deps = (
        Step(step_name("dbt deps"), "dbt deps")
        if has_packages
        # Numbered all the same; dbt itself would only warn that there is nothing to install.
        else Step(
            step_name("dbt deps"),
            "dbt deps",
            kind=NOTE,
            note="No packages.yml or dependencies.yml: no packages to install.",
        )
    )
    return [
        Step("Clone git repository", "", kind=NOTE, note=f"Using the local repository at {project_dir}"),
        Step(f"Create profile from connection {source}", "", kind=NOTE, note="Profile written for this run"),
        deps,
    ]


def plan_run(store: Store, data_dir: Path, run: dict[str, Any]) -> RunPlan:
    settings = run["data"]
    project_dir = project_dir_of(store, run["project_id"])
    run_dir = run_dir_of(data_dir, run["id"])
    profiles_dir = run_dir / "profiles"
    threads = whole_number("threads", settings.get("threads"), default=4, minimum=1)
    timeout_seconds = whole_number("timeout_seconds", settings.get("timeout_seconds"), default=0, minimum=0)
    commands = job_commands(settings)
    for name in ("target_name", "schema"):
        if settings.get(name) is not None and not isinstance(settings[name], str):
            raise PlanError(f"The run's {name} must be a string, got {settings[name]!r}.")
    profile_type = write_run_profile(
        project_dir,
        profiles_dir,
        warehouse=data_dir / "warehouses" / f"environment-{run['environment_id']}.duckdb",
        target_name=str(settings.get("target_name") or "default"),
        threads=threads,
        schema=settings.get("schema"),
    )
    steps = []
    if settings.get("run_generate_sources"):
        steps.append(Step(step_name("dbt source freshness"), "dbt source freshness", may_fail=True))
    steps.extend(Step(step_name(command), command) for command in commands)
    if settings.get("generate_docs"):
        steps.append(Step(step_name("dbt docs generate"), "dbt docs generate"))
    if not steps:
        raise PlanError("The job has no steps to run.")
    steps = [*preamble(store, run["project_id"], project_dir, profile_type), *steps]
    return RunPlan(
        run_id=run["id"],
        account_id=run["account_id"],
        db_path=str(store.path),
        project_dir=str(project_dir),
        profiles_dir=str(profiles_dir),
        run_dir=str(run_dir),
        steps=tuple(steps),
        env={**environment_variables(store, run), **run_variables(run)},
        parse_cache=str(data_dir / "cache" / f"project-{run['project_id']}" / "partial_parse.msgpack"),
        server_pid=os.getpid(),
        resume_from=settings.get("resume_from"),
        timeout_seconds=float(timeout_seconds),
    )


def run_variables(run: dict[str, Any]) -> dict[str, str]:
    """The variables dbt Cloud sets in every run, so projects that read them behave the same."""
    trigger = run["data"].get("trigger", {})
    cloud = {
        "DBT_CLOUD_RUN_ID": run["id"],
        "DBT_CLOUD_JOB_ID": run["job_id"],
        "DBT_CLOUD_PROJECT_ID": run["project_id"],
        "DBT_CLOUD_ENVIRONMENT_ID": run["environment_id"],
        "DBT_CLOUD_ACCOUNT_ID": run["account_id"],
        "DBT_CLOUD_RUN_REASON": trigger.get("cause", ""),
        "DBT_CLOUD_RUN_REASON_CATEGORY": reason_category(trigger),
    }
    values = {
        **cloud,
        # dbt Cloud's artifacts carry these in run_results.json's metadata.env, where consumers key
        # results by them: dbt-core copies there each variable with this prefix, without it.
        **{f"{CUSTOM_ENV_PREFIX}{name}": value for name, value in cloud.items()},
        # dbt's anonymous usage tracking would reach out to the network on every step.
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    return {name: str(value) for name, value in values.items() if value is not None}


#: dbt-core puts `DBT_ENV_CUSTOM_ENV_X=v` in its artifacts' `metadata.env` as `X: v`.
CUSTOM_ENV_PREFIX = "DBT_ENV_CUSTOM_ENV_"


def reason_category(trigger: dict[str, Any]) -> str:
    """DBT_CLOUD_RUN_REASON_CATEGORY as dbt Cloud names it: the pull request kind, `scheduled`, or `other`."""
    for field_name, category in (
        ("github_pull_request_id", "github_pull_request"),
        ("gitlab_merge_request_id", "gitlab_merge_request"),
        ("azure_pull_request_id", "azure_pull_request"),
    ):
        if trigger.get(field_name):
            return category
    return "scheduled" if trigger.get("cause") == "scheduled" else "other"


def environment_variables(store: Store, run: dict[str, Any]) -> dict[str, str]:
    """Project defaults, overridden by the environment's values, overridden by the job's."""
    rank = {"project": 0, "environment": 1, "job": 2}
    chosen: dict[str, tuple[int, str]] = {}
    for variable in store.all("environment_variable", run["account_id"]):
        if variable.get("project_id") != run["project_id"] or variable.get("state", 1) != 1:
            continue
        kind = variable.get("type", "project")
        if kind == "environment" and variable.get("environment_id") != run["environment_id"]:
            continue
        if kind == "job" and variable.get("job_definition_id") != run["job_id"]:
            continue
        if kind not in rank or variable.get("raw_value") is None:
            continue
        name = str(variable["name"])
        if name not in chosen or rank[kind] >= chosen[name][0]:
            chosen[name] = (rank[kind], str(variable["raw_value"]))
    return {name: value for name, (_, value) in chosen.items()}


def write_run_profile(
    project_dir: Path,
    profiles_dir: Path,
    *,
    warehouse: Path,
    target_name: str,
    threads: int,
    schema: str | None,
) -> str:
    profile_name = _profile_name(project_dir)
    profile = _find_profile(project_dir, profile_name) or generated_duckdb_profile(warehouse)
    outputs: dict[str, Any] = dict(profile.get("outputs") or {})
    default_target = str(profile.get("target") or next(iter(outputs), "default"))
    if not outputs:
        raise PlanError(f"Profile {profile_name!r} has no outputs.")
    chosen = dict(outputs.get(target_name) or outputs.get(default_target) or next(iter(outputs.values())))
    chosen["threads"] = threads
    if schema:
        chosen["schema"] = schema
    outputs[target_name] = chosen
    document = {profile_name: {"target": target_name, "outputs": outputs}}
    profiles_dir.mkdir(parents=True, exist_ok=True)
    path = profiles_dir / "profiles.yml"
    # The profile may hold warehouse credentials copied from the user's own file: owner-only.
    with atomic_write(path, mode=0o600) as handle:
        handle.write(yaml.safe_dump(document, sort_keys=False).encode())
    return str(chosen.get("type") or profile_name)


def generated_duckdb_profile(warehouse: Path) -> dict[str, Any]:
    """For a project with no profile anywhere: a DuckDB warehouse in the runner's data directory."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    return {"target": "default", "outputs": {"default": {"type": "duckdb", "path": str(warehouse), "threads": 4}}}


def _profile_name(project_dir: Path) -> str:
    try:
        project = yaml.safe_load((project_dir / "dbt_project.yml").read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise PlanError(f"Cannot read {project_dir / 'dbt_project.yml'}: {error}") from error
    return str(project.get("profile") or project.get("name") or "default")


def _find_profile(project_dir: Path, profile_name: str) -> dict[str, Any] | None:
    candidates = [project_dir / "profiles.yml"]
    if os.environ.get("DBT_PROFILES_DIR"):
        candidates.append(Path(os.environ["DBT_PROFILES_DIR"]) / "profiles.yml")
    candidates.append(Path.home() / ".dbt" / "profiles.yml")
    for candidate in candidates:
        if not candidate.is_file():
            continue
        try:
            profiles = yaml.safe_load(candidate.read_text()) or {}
        except (OSError, yaml.YAMLError) as error:
            raise PlanError(f"Cannot read {candidate}: {error}") from error
        if isinstance(profiles, dict) and isinstance(profiles.get(profile_name), dict):
            return dict(profiles[profile_name])
    return None
