"""How the Discovery API's applied state merges an environment's runs, on artifacts written here (the
merge rules are about files, so no dbt run is needed; tests/integration/test_discovery.py checks the
same after real runs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dbt_cloud.local.discovery.state import AppliedStates, NotFoundError
from dbt_cloud.local.store import Store

STAMP = "2026-01-01T00:00:00Z"


def _results(which: str, invocation: str, results: dict[str, tuple[str, str | None]]) -> dict[str, Any]:
    return {
        "metadata": {"generated_at": STAMP, "invocation_id": invocation, "dbt_version": "1.11.2"},
        "args": {"which": which},
        "elapsed_time": 1.0,
        "results": [
            {"unique_id": uid, "status": status, "message": message, "execution_time": 0.5, "timing": []}
            for uid, (status, message) in results.items()
        ],
    }


def _manifest(*models: str) -> dict[str, Any]:
    nodes = {
        f"model.p.{name}": {"unique_id": f"model.p.{name}", "resource_type": "model", "name": name, "config": {}}
        for name in models
    }
    source = {"unique_id": "source.p.raw.t", "resource_type": "source", "name": "t", "source_name": "raw"}
    return {"metadata": {"generated_at": STAMP}, "nodes": nodes, "sources": {source["unique_id"]: source}}


class Environment:
    def __init__(self, tmp_path: Path) -> None:
        self.data_dir = tmp_path
        self.store = Store(tmp_path / "local.sqlite3")
        account = self.store.insert("account", {"name": "a"})
        self.account_id = int(account["id"])
        project = self.store.insert("project", {"account_id": self.account_id, "name": "p"})
        environment = {"account_id": self.account_id, "project_id": project["id"], "name": "e"}
        self.environment_id = int(self.store.insert("environment", environment)["id"])
        self.states = AppliedStates(self.store, tmp_path)

    def run(self, steps: list[dict[str, Any]], *, manifest: dict[str, Any], sources: tuple[str, ...] = ()) -> int:
        columns = {
            "account_id": self.account_id,
            "job_id": 7,
            "environment_id": self.environment_id,
            "status": 10,
            "created_at": STAMP,
            "updated_at": STAMP,
            "finished_at": STAMP,
        }
        run_id = self.store.insert_run(columns, {})
        run_dir = self.data_dir / "runs" / str(run_id)
        for index, results in enumerate(steps, start=1):
            folder = run_dir / "steps" / str(index) / "artifacts"
            folder.mkdir(parents=True)
            (folder / "run_results.json").write_text(json.dumps(results))
        (run_dir / "target").mkdir(parents=True, exist_ok=True)
        (run_dir / "target" / "manifest.json").write_text(json.dumps(manifest))
        if sources:
            freshness = [{"unique_id": uid, "status": "pass", "max_loaded_at": STAMP} for uid in sources]
            document = {"metadata": {"generated_at": STAMP}, "results": freshness}
            (run_dir / "target" / "sources.json").write_text(json.dumps(document))
        return run_id


@pytest.fixture
def environment(tmp_path: Path) -> Environment:
    return Environment(tmp_path)


def test_a_nodes_last_run_is_from_the_newest_run_that_ran_it(environment: Environment) -> None:
    first = environment.run(
        [_results("build", "i1", {"model.p.a": ("success", None), "model.p.b": ("success", None)})],
        manifest=_manifest("a", "b"),
        sources=("source.p.raw.t",),
    )
    second = environment.run(
        [
            _results("build", "i2", {"model.p.a": ("error", "Database Error: boom")}),
            # docs generate compiles every node and says "success": that is not a run of the model.
            _results("generate", "i3", {"model.p.a": ("success", None), "model.p.b": ("success", None)}),
        ],
        manifest=_manifest("a", "b", "c"),
    )
    _, state = environment.states.environment(environment.account_id, environment.environment_id)
    assert set(state.by_type["model"]) == {"model.p.a", "model.p.b", "model.p.c"}  # the newest manifest
    a, b = state.last_run["model.p.a"], state.last_run["model.p.b"]
    assert (a.run_id, a.status, a.message) == (second, "error", "Database Error: boom")
    assert state.last_success["model.p.a"].run_id == first
    assert (b.run_id, b.status) == (first, "success")
    assert "model.p.c" not in state.last_run
    assert state.freshness["source.p.raw.t"].run_id == first  # the newest run that checked it


def test_the_state_is_cached_until_another_run_finishes(environment: Environment) -> None:
    environment.run([_results("build", "i1", {"model.p.a": ("success", None)})], manifest=_manifest("a"))
    _, once = environment.states.environment(environment.account_id, environment.environment_id)
    _, again = environment.states.environment(environment.account_id, environment.environment_id)
    assert again is once
    environment.run([_results("run", "i2", {"model.p.a": ("error", "x")})], manifest=_manifest("a"))
    _, after = environment.states.environment(environment.account_id, environment.environment_id)
    assert after is not once
    assert after.last_run["model.p.a"].status == "error"


def test_another_accounts_environment_is_not_found(environment: Environment) -> None:
    with pytest.raises(NotFoundError, match="Environment"):
        environment.states.environment(environment.account_id + 1, environment.environment_id)
