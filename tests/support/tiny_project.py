"""A dbt project of two models, registered in a local runner of its own: runs that take dbt's
start-up and little else, for tests that need many runs (load, concurrency, the server's lines)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dbt_cloud.local.bootstrap import RegisteredProject, database_path, ensure_account, register_project
from dbt_cloud.local.store import Store
from tests.support.local_runner import LocalRunner

#: The job of each registration that fails on purpose: its one model selects from no table.
BROKEN = "broken"


def write_tiny_project(folder: Path) -> Path:
    (folder / "models").mkdir(parents=True, exist_ok=True)
    (folder / "dbt_project.yml").write_text("name: tiny_project\nversion: '1.0'\nprofile: tiny_nowhere\n")
    (folder / "models" / "numbers.sql").write_text("select 1 as n union all select 2\n")
    (folder / "models" / "broken.sql").write_text(
        "{{ config(tags=['broken']) }}\nselect n from a_table_that_does_not_exist\n"
    )
    (folder / "macros").mkdir(exist_ok=True)
    # A step that keeps a run going until it is cancelled, killed or times out (it burns a core).
    (folder / "macros" / "spin.sql").write_text(
        '{% macro spin() %}{% do run_query("select sum(i * i % 7) from range(1000000000000) t(i)") %}{% endmacro %}\n'
    )
    return folder


def prepare_tiny(runner: LocalRunner, folder: Path, projects: int = 1) -> list[RegisteredProject]:
    """Register the tiny project `projects` times (each its own environment and warehouse), with
    the jobs `build` (its good model), `docs` and `broken`; the runner gets a token and the first."""
    write_tiny_project(folder)
    store = Store(database_path(runner.data_dir))
    registered: list[RegisteredProject] = []
    try:
        runner.account_id, _ = ensure_account(store)
        runner.token = store.create_token(runner.account_id, "tests")
        for index in range(projects):
            made = register_project(store, runner.account_id, folder, runner.data_dir, name=f"tiny {index + 1}")
            job: dict[str, Any] = {
                "account_id": runner.account_id,
                "project_id": made.project_id,
                "environment_id": made.environment_id,
                "job_type": "other",
                "settings": {"threads": 1, "target_name": "default"},
                "execution": {"timeout_seconds": 0},
                "triggers": {"github_webhook": False, "git_provider_webhook": False, "schedule": False},
            }
            build = store.get("job", made.jobs["build"])
            assert build is not None
            store.replace("job", build["id"], {**build, "execute_steps": ["dbt run --select numbers"]})
            made.jobs[BROKEN] = int(
                store.insert("job", {**job, "name": "Broken", "execute_steps": ["dbt run --select tag:broken"]})["id"]
            )
            registered.append(made)
    finally:
        store.close()
    first = registered[0]
    runner.project_id, runner.environment_id, runner.jobs = first.project_id, first.environment_id, dict(first.jobs)
    return registered
