"""The Discovery API on a big project: a generated project of 5,000 models (manifest, run_results and
catalog written here, as a finished run of the local runner leaves them), queried through the runner's
ASGI application, beside a bare `json.load` of the same manifest, alternated in one run (median of
several), written to benchmarks/results/discovery.json.

Three measurements against `json.load(manifest.json)`, the floor of any answer built from the file:
- the first query of the environment (reading the run's artifacts and building the applied state);
- one page of `applied.models` (100 models with catalog columns, last run and tests) once the state is
  cached, as each further page of a paged client is answered;
- every model, in pages of 500 (what a client walking the whole project pays).
"""

from __future__ import annotations

import asyncio
import gc
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from floors import floor_row, load_average  # noqa: E402 - benchmarks/ is on the path (the script's folder)

from dbt_cloud.local.app import create_app  # noqa: E402 - after the path is set
from dbt_cloud.local.clock import now, to_api  # noqa: E402
from dbt_cloud.local.store import Store  # noqa: E402

RUNS = 7
MODELS = 5000
RESULTS = ROOT / "benchmarks" / "results" / "discovery.json"
TYPES = ["NUMBER(38,0)", "VARCHAR", "TIMESTAMP_NTZ", "BOOLEAN", "NUMBER(18,2)", "DATE"]
PAGE_QUERY = """
query($env: BigInt!, $first: Int, $after: String) {
  environment(id: $env) { applied { models(first: $first, after: $after) {
    totalCount pageInfo { endCursor hasNextPage }
    edges { node {
      uniqueId name database schema alias materializedType tags filePath
      catalog { columns { name type description index } }
      executionInfo { lastRunId lastRunStatus executionTime executeCompletedAt }
      tests { name executionInfo { lastRunStatus } }
    } }
  } } }
}
"""


def _model(number: int, rng: random.Random) -> tuple[str, dict[str, Any], dict[str, Any]]:
    unique_id = f"model.bench.model_{number}"
    columns = {
        f"column_{index}": {"name": f"column_{index}", "description": f"Column {index} of model {number}."}
        for index in range(1, 6 + number % 20)
    }
    parents = [f"model.bench.model_{rng.randrange(number)}" for _ in range(min(number, 3))]
    node = {
        "unique_id": unique_id,
        "resource_type": "model",
        "name": f"model_{number}",
        "package_name": "bench",
        "path": f"layer_{number % 10}/model_{number}.sql",
        "original_file_path": f"models/layer_{number % 10}/model_{number}.sql",
        "fqn": ["bench", f"layer_{number % 10}", f"model_{number}"],
        "alias": f"model_{number}",
        "database": "analytics",
        "schema": f"schema_{number % 25}",
        "description": f"Model {number}, generated for the benchmark.",
        "tags": ["bench", f"layer_{number % 10}"],
        "meta": {},
        "config": {"materialized": "table" if number % 3 else "view", "meta": {}},
        "columns": columns,
        "depends_on": {"nodes": parents, "macros": []},
        "raw_code": f"select * from {{{{ ref('model_{max(number - 1, 0)}') }}}}\n" + "-- padding\n" * 20,
        "compiled_code": None,
        "relation_name": f'"analytics"."schema_{number % 25}"."model_{number}"',
    }
    table = {
        "metadata": {"type": "BASE TABLE", "schema": node["schema"], "name": node["alias"], "database": "analytics"},
        "columns": {
            name: {"type": rng.choice(TYPES), "index": index, "name": name, "comment": None}
            for index, name in enumerate(columns, start=1)
        },
        "stats": {"row_count": {"id": "row_count", "label": "Row Count", "value": float(number), "include": True}},
        "unique_id": unique_id,
    }
    return unique_id, node, table


def generate_project(data_dir: Path) -> tuple[str, int, Path]:
    """A store with one environment and one finished run whose folder holds the artifacts."""
    rng = random.Random(5)
    store = Store(data_dir / "local.sqlite3")
    account = store.insert("account", {"name": "bench"})
    token = store.create_token(account["id"], "bench")
    project = store.insert("project", {"account_id": account["id"], "name": "bench"})
    environment = store.insert(
        "environment", {"account_id": account["id"], "project_id": project["id"], "name": "Prod"}
    )
    job = store.insert(
        "job",
        {"account_id": account["id"], "project_id": project["id"], "environment_id": environment["id"], "name": "b"},
    )
    stamp = to_api(now())
    run_id = store.insert_run(
        {
            "account_id": account["id"],
            "job_id": job["id"],
            "project_id": project["id"],
            "environment_id": environment["id"],
            "status": 10,
            "created_at": stamp,
            "updated_at": stamp,
            "finished_at": stamp,
        },
        {"steps": ["dbt build"]},
    )
    store.close()
    nodes: dict[str, Any] = {}
    tables: dict[str, Any] = {}
    results = []
    for number in range(MODELS):
        unique_id, node, table = _model(number, rng)
        nodes[unique_id] = node
        tables[unique_id] = table
        test_id = f"test.bench.not_null_model_{number}_column_1"
        nodes[test_id] = {
            "unique_id": test_id,
            "resource_type": "test",
            "name": f"not_null_model_{number}_column_1",
            "package_name": "bench",
            "original_file_path": f"models/layer_{number % 10}/schema.yml",
            "fqn": ["bench", test_id],
            "tags": [],
            "config": {"severity": "ERROR"},
            "column_name": "column_1",
            "test_metadata": {"name": "not_null", "kwargs": {"column_name": "column_1"}},
            "attached_node": unique_id,
            "depends_on": {"nodes": [unique_id], "macros": []},
        }
        for uid, status in ((unique_id, "success" if number % 97 else "error"), (test_id, "pass")):
            timing = [
                {"name": "compile", "started_at": stamp, "completed_at": stamp},
                {"name": "execute", "started_at": stamp, "completed_at": stamp},
            ]
            results.append(
                {"unique_id": uid, "status": status, "timing": timing, "execution_time": rng.random(), "message": None}
            )
    parent_map = {uid: node["depends_on"]["nodes"] for uid, node in nodes.items()}
    child_map: dict[str, list[str]] = {uid: [] for uid in nodes}
    for uid, parents in parent_map.items():
        for parent in parents:
            child_map[parent].append(uid)
    metadata = {"dbt_version": "1.11.2", "generated_at": stamp, "invocation_id": "bench", "project_name": "bench"}
    manifest = {
        "metadata": {**metadata, "adapter_type": "snowflake"},
        "nodes": nodes,
        "sources": {},
        "exposures": {},
        "macros": {},
        "parent_map": parent_map,
        "child_map": child_map,
    }
    run_results = {"metadata": metadata, "args": {"which": "build"}, "elapsed_time": 600.0, "results": results}
    catalog = {"metadata": metadata, "nodes": tables, "sources": {}, "errors": None}
    target = data_dir / "runs" / str(run_id) / "target"
    step = data_dir / "runs" / str(run_id) / "steps" / "1" / "artifacts"
    for folder in (target, step):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "run_results.json").write_text(json.dumps(run_results, indent=2))
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2))
    (target / "catalog.json").write_text(json.dumps(catalog, indent=2))
    return token, int(environment["id"]), target / "manifest.json"


def _timed(action: Callable[[], Any]) -> float:
    gc.collect()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def bare_load(path: Path) -> None:
    with path.open("rb") as handle:
        json.load(handle)


def main() -> None:
    load_at_start = load_average()  # the machine is shared: the load says how noisy the run was
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        token, environment_id, manifest_path = generate_project(data_dir)
        store = Store(data_dir / "local.sqlite3")
        app = create_app(store, None, data_dir)
        loop = asyncio.new_event_loop()
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://metadata.localhost",
            headers={"Authorization": f"Bearer {token}"},
            timeout=300,
        )

        def query(first: int, after: str | None = None) -> dict[str, Any]:
            variables = {"env": environment_id, "first": first, "after": after}
            response = loop.run_until_complete(
                client.post("/graphql", json={"query": PAGE_QUERY, "variables": variables})
            )
            answer = response.json()
            assert "errors" not in answer, answer["errors"]
            return dict(answer["data"]["environment"]["applied"]["models"])

        cold = _timed(lambda: query(100))
        cold_floor = _timed(lambda: bare_load(manifest_path))
        middle = query(100, None)
        for _ in range(MODELS // 200 - 1):  # the cursor of a page in the middle of the project
            middle = query(100, middle["pageInfo"]["endCursor"])
        after = middle["pageInfo"]["endCursor"]

        def every_page() -> None:
            cursor, seen = None, 0
            while True:
                page = query(500, cursor)
                seen += len(page["edges"])
                if not page["pageInfo"]["hasNextPage"]:
                    break
                cursor = page["pageInfo"]["endCursor"]
            assert seen == MODELS, seen

        timings: dict[str, list[float]] = {"json.load": [], "one page": [], "every page": []}
        for _ in range(RUNS):  # alternated, so a slower moment of the machine hits both sides
            timings["json.load"].append(_timed(lambda: bare_load(manifest_path)))
            timings["one page"].append(_timed(lambda: query(100, after)))
            timings["every page"].append(_timed(every_page))
        loop.run_until_complete(client.aclose())
        loop.close()
        store.close()
        medians = {name: round(statistics.median(values), 4) for name, values in timings.items()}
        floor = medians["json.load"]
        result = {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "runs": RUNS,
            "models": MODELS,
            "manifest_bytes": manifest_path.stat().st_size,
            "first_query": {
                "what": "json.load(manifest.json) vs the environment's first query (read the run, build the state)",
                "seconds": {"json.load": round(cold_floor, 4), "first query": round(cold, 4)},
                "ratio_to_json_load": round(cold / cold_floor, 2),
            },
            "one_page": {
                "what": "json.load(manifest.json) vs one page of 100 models (catalog, last run, tests), state cached",
                "median_seconds": {"json.load": floor, "one page": medians["one page"]},
                "ratio_to_json_load": round(medians["one page"] / floor, 3),
            },
            "every_page": {
                "what": f"json.load(manifest.json) vs all {MODELS} models in pages of 500, state cached",
                "median_seconds": {"json.load": floor, "every page": medians["every page"]},
                "ratio_to_json_load": round(medians["every page"] / floor, 2),
            },
            "load_average_at_start": load_at_start,
            "load_average_at_end": load_average(),
            "floors": [
                floor_row("first query (cold)", round(cold, 4), round(cold_floor, 4), "json.load"),
                floor_row("one page of 100 models", medians["one page"], floor, "json.load"),
                floor_row(f"all {MODELS} models", medians["every page"], floor, "json.load"),
            ],
        }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
