"""First-run setup of the local runner: an account and its user, and projects registered from a
dbt project folder (the bundled demo or the user's own) with an environment and jobs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbt_cloud.local.store import Store

DEFAULT_ACCOUNT_NAME = "Local account"
DEMO_PROJECT_NAME = "dbt-cloud demo"
#: The variable the demo project's profile reads its DuckDB file path from.
DEMO_WAREHOUSE_VARIABLE = "DBT_CLOUD_DEMO_DUCKDB_PATH"


def default_data_dir() -> Path:
    """Where the local runner keeps its database, runs and warehouses: the user's data directory."""
    if os.environ.get("DBT_CLOUD_LOCAL_DATA_DIR"):
        return Path(os.environ["DBT_CLOUD_LOCAL_DATA_DIR"]).expanduser()
    home = Path.home()
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif os.uname().sysname == "Darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "dbt-cloud" / "local"


def database_path(data_dir: Path) -> Path:
    return data_dir / "local.sqlite3"


def demo_project_dir() -> Path:
    """The bundled demo project: inside the package when installed, demo/project in a checkout."""
    packaged = Path(__file__).resolve().parent / "demo_project"
    if (packaged / "dbt_project.yml").is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "demo" / "project"


def ensure_account(store: Store) -> tuple[int, bool]:
    """The first account (created with its user on first use), and whether it was just created."""
    accounts = store.all("account")
    if accounts:
        return int(accounts[0]["id"]), False
    account = store.insert("account", {"name": DEFAULT_ACCOUNT_NAME, "identifier": "local", "plan": "developer"})
    store.insert(
        "user",
        {
            "account_id": account["id"],
            "email": "you@localhost",
            "first_name": "Local",
            "last_name": "User",
            "fullname": "Local User",
        },
    )
    return int(account["id"]), True


@dataclass
class RegisteredProject:
    account_id: int
    project_id: int
    environment_id: int
    repository_id: int
    jobs: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "project_id": self.project_id,
            "environment_id": self.environment_id,
            "repository_id": self.repository_id,
            "jobs": self.jobs,
        }


def find_registered(store: Store, account_id: int, project_dir: Path) -> RegisteredProject | None:
    """What an earlier `register_project` made from this folder, if it is still there: the oldest
    live project whose repository is the folder, its production environment and the jobs it was
    given (those still there, matched by name). `local init` run twice finds this instead of
    making a second copy."""
    folder = str(project_dir.expanduser().resolve())
    repositories = {
        int(repository["id"]): repository
        for repository in store.all("repository", account_id)
        if repository.get("remote_url") == folder
    }
    for project in store.all("project", account_id):
        repository_id = project.get("repository_id")
        if not isinstance(repository_id, int) or repository_id not in repositories:
            continue
        environments = [
            environment
            for environment in store.all("environment", account_id)
            if environment.get("project_id") == project["id"] and environment.get("type") == "deployment"
        ]
        if not environments:
            continue
        environment = environments[0]
        registered = RegisteredProject(account_id, int(project["id"]), int(environment["id"]), repository_id)
        jobs = [job for job in store.all("job", account_id) if job.get("environment_id") == environment["id"]]
        for key, wanted in _jobs_for(Path(folder) == demo_project_dir().resolve()).items():
            match = next((job for job in jobs if job.get("name") == wanted["name"]), None)
            if match is not None:
                registered.jobs[key] = int(match["id"])
        return registered
    return None


def register_project(
    store: Store,
    account_id: int,
    project_dir: Path,
    data_dir: Path,
    name: str | None = None,
) -> RegisteredProject:
    """A project whose repository is the folder, a deployment environment, and a few jobs."""
    folder = project_dir.expanduser().resolve()
    if not (folder / "dbt_project.yml").is_file():
        raise FileNotFoundError(f"No dbt_project.yml in {folder}")
    is_demo = folder == demo_project_dir().resolve()
    project_name = name or (DEMO_PROJECT_NAME if is_demo else folder.name)
    project = store.insert("project", {"account_id": account_id, "name": project_name, "type": 0})
    repository = store.insert(
        "repository",
        {
            "account_id": account_id,
            "project_id": project["id"],
            "remote_url": str(folder),
            "remote_backend": "manual_config",
            "name": folder.name,
            "full_name": str(folder),
            "web_url": folder.as_uri(),
        },
    )
    connection = store.insert(
        "connection", {"account_id": account_id, "project_id": project["id"], "name": "DuckDB", "type": "adapter"}
    )
    store.replace(
        "project", project["id"], {**project, "repository_id": repository["id"], "connection_id": connection["id"]}
    )
    environment = store.insert(
        "environment",
        {
            "account_id": account_id,
            "project_id": project["id"],
            "name": "Production",
            "type": "deployment",
            "deployment_type": "production",
            "connection_id": connection["id"],
            "repository_id": repository["id"],
        },
    )
    if is_demo:
        warehouse = data_dir / "warehouses" / f"demo-environment-{environment['id']}.duckdb"
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        store.insert(
            "environment_variable",
            {
                "account_id": account_id,
                "project_id": project["id"],
                "name": DEMO_WAREHOUSE_VARIABLE,
                "type": "project",
                "raw_value": str(warehouse),
                "display_value": str(warehouse),
            },
        )
    registered = RegisteredProject(account_id, project["id"], environment["id"], repository["id"])
    for key, job in _jobs_for(is_demo).items():
        created = store.insert(
            "job",
            {
                "account_id": account_id,
                "project_id": project["id"],
                "environment_id": environment["id"],
                "job_type": "other",
                "settings": {"threads": 4, "target_name": "default"},
                "execution": {"timeout_seconds": 0},
                "triggers": {"github_webhook": False, "git_provider_webhook": False, "schedule": False},
                **job,
            },
        )
        registered.jobs[key] = int(created["id"])
    return registered


def _jobs_for(is_demo: bool) -> dict[str, dict[str, Any]]:
    jobs: dict[str, dict[str, Any]] = {
        "build": {"name": "Build", "execute_steps": ["dbt build"]},
        "docs": {
            "name": "Build with docs",
            "execute_steps": ["dbt build"],
            "generate_docs": True,
            "run_generate_sources": is_demo,
        },
    }
    if is_demo:
        jobs["failing"] = {
            "name": "Data quality checks (fails on purpose)",
            "description": "Runs the test tagged demo_failure, which fails on the demo data, to show a failed run.",
            "execute_steps": ["dbt build --select +tag:demo_failure"],
        }
    return jobs
