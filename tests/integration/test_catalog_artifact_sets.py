"""Every check of the catalog explorer on every set of real-shaped artifacts: the vendored real ones,
the warehouse-shaped ones, and the demo project's own, built with docs by the local runner.

- every table validates into the pydantic model, and the test data itself is a v1 catalog;
- every table and every column is reachable through the explorer's menus;
- every description and test joined from the manifest is the one the manifest's JSON says.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from dbt_cloud.catalog.details import node_details
from dbt_cloud.catalog.explorer import Action, Explorer
from dbt_cloud.catalog.loading import load_catalog, load_manifest
from dbt_cloud.catalog.model import CatalogArtifact
from tests.conftest import invoke
from tests.support.catalog_artifacts import ARTIFACT_SETS, DEMO_PROJECT
from tests.support.local_runner import LocalRunner

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "artifact-schemas" / "catalog" / "v1.json"


@pytest.fixture(scope="module")
def demo_project_artifacts(local_runner: LocalRunner, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """catalog.json and manifest.json of the demo project, from a run of its docs job."""
    env = local_runner.env()
    job_id = str(local_runner.jobs["docs"])
    triggered = invoke(["job", "run", "--job-id", job_id, "--cause", "catalog explorer tests"], env=env)
    assert triggered.exit_code == 0, triggered.stderr
    run = local_runner.wait_for_run(int(json.loads(triggered.stdout)["data"]["id"]))
    assert run["status"] == 10, run
    assert run["has_docs_generated"]
    target = tmp_path_factory.mktemp("demo-target")
    for name in ("catalog.json", "manifest.json"):
        command = ["run", "get-artifact", "--run-id", str(run["id"]), "--path", name, "-f", str(target / name)]
        outcome = invoke(command, env=env)
        assert outcome.exit_code == 0, outcome.stderr
    return target


@pytest.fixture(params=[*ARTIFACT_SETS, pytest.param(DEMO_PROJECT, marks=pytest.mark.slow)])
def artifacts(request: pytest.FixtureRequest) -> Path:
    if request.param == DEMO_PROJECT:
        path: Path = request.getfixturevalue("demo_project_artifacts")
        return path
    return ARTIFACT_SETS[request.param]


def test_every_table_validates_into_the_model(artifacts: Path) -> None:
    raw = json.loads((artifacts / "catalog.json").read_text())
    jsonschema.validate(raw, json.loads(SCHEMA.read_text()))
    catalog = load_catalog(artifacts / "catalog.json")
    whole = catalog.validate_all()
    assert whole == CatalogArtifact.model_validate(raw)
    assert set(whole.nodes) | set(whole.sources) == set(raw["nodes"]) | set(raw["sources"])
    assert len(catalog) > 0
    for unique_id, body in {**raw["nodes"], **raw["sources"]}.items():
        model = catalog.table(unique_id)
        assert model.metadata.schema_name == body["metadata"]["schema"]
        assert [c.name for c in model.columns.values()] == [c["name"] for c in body["columns"].values()]


class Recorder:
    """Shows one screen and records what it offered, then quits."""

    def __init__(self) -> None:
        self.choices: list[tuple[str, Any]] = []

    def choose(self, message: str, choices: Sequence[tuple[str, Any]]) -> Any:
        self.choices = list(choices)
        return Action.QUIT

    def ask(self, message: str) -> str:
        return ""  # a filter prompt: list everything


def _offered(screen: Callable[[], Any], recorder: Recorder) -> list[tuple[str, Any]]:
    recorder.choices = []
    screen()
    return [(label, step) for label, step in recorder.choices if callable(step)]


def test_every_table_and_column_is_reachable_through_the_menus(artifacts: Path) -> None:
    catalog = load_catalog(artifacts)
    manifest = load_manifest(artifacts / "manifest.json")
    recorder = Recorder()
    written: list[str] = []
    explorer = Explorer(catalog, lambda: manifest, recorder, written.append, width=200)
    reached: dict[str, str] = {}
    for kind_label, schema_menu in _offered(explorer.main_menu, recorder):
        if kind_label.startswith("Search"):
            continue
        for _, table_menu in _offered(schema_menu, recorder):
            for label, node_view in _offered(table_menu, recorder):
                written.clear()
                node_view()
                text = "".join(written)
                unique_id = text.strip().splitlines()[0]
                assert label.startswith(catalog.entries[unique_id].name)
                reached[unique_id] = text
    assert set(reached) == set(catalog.entries)
    for unique_id, text in reached.items():
        for column in catalog.table(unique_id).columns.values():
            assert f"  {column.name}  " in text, (unique_id, column.name)


def _tested_node(test: dict[str, Any]) -> str | None:
    """dbt names the node a generic test tests (`attached_node`); a singular test (a SQL file of its
    own) has none, and is about the one table it reads, if it reads one."""
    if test.get("attached_node"):
        return str(test["attached_node"])
    depends = test["depends_on"]["nodes"]
    return depends[0] if len(depends) == 1 else None


def _expected_tests(raw_manifest: dict[str, Any], unique_id: str) -> dict[str | None, set[str]]:
    """Test ids by lower-cased column (None: on the table), read straight from the manifest JSON."""
    found: dict[str | None, set[str]] = {}
    for test_id, node in raw_manifest["nodes"].items():
        if node["resource_type"] == "test" and _tested_node(node) == unique_id:
            column = node.get("column_name")
            found.setdefault(column.lower() if column else None, set()).add(test_id)
    return found


def test_descriptions_and_tests_are_joined_for_every_table_and_column(artifacts: Path) -> None:
    catalog = load_catalog(artifacts)
    manifest = load_manifest(artifacts / "manifest.json")
    raw = json.loads((artifacts / "manifest.json").read_text())
    everything = {**raw["nodes"], **raw["sources"]}
    joined_tests = 0
    for unique_id in catalog.entries:
        details = node_details(catalog, manifest, unique_id)
        node = everything[unique_id]
        assert details.description == (node["description"] or node.get("source_description") or "").strip()
        documented = {name.lower(): column for name, column in node["columns"].items()}
        expected_tests = _expected_tests(raw, unique_id)
        warehouse = {column.name.lower() for column in details.columns}
        for column in details.columns + details.documented_only:
            key = column.name.lower()
            assert column.description == documented.get(key, {}).get("description", ""), (unique_id, column.name)
            assert {t.unique_id for t in column.tests} == expected_tests.get(key, set()), (unique_id, column.name)
            joined_tests += len(column.tests)
        assert {c.name.lower() for c in details.documented_only} == set(documented) - warehouse
        on_table = {t.unique_id for t in details.tests}
        elsewhere = [
            ids for key, ids in expected_tests.items() if key is None or key not in warehouse | set(documented)
        ]
        assert on_table == set().union(*elsewhere)
        assert list(details.parents) == sorted(raw["parent_map"].get(unique_id, []))
        assert set(details.children) == {
            c for c in raw["child_map"].get(unique_id, []) if not c.startswith(("test.", "unit_test."))
        }
    assert joined_tests > 0, "the set has column tests, and they were found"


@pytest.mark.slow
def test_the_demo_project_through_the_local_runner(local_runner: LocalRunner, demo_project_artifacts: Path) -> None:
    """The command itself, downloading from the local runner: the docs job's latest successful run."""
    outcome = invoke(
        ["demo", "data-catalog", "--job-id", str(local_runner.jobs["docs"]), "--node", "fct_rentals"],
        env=local_runner.env(),
    )
    assert outcome.exit_code == 0, outcome.stderr
    assert "the latest successful run of job" in outcome.stderr
    document = json.loads(outcome.stdout)
    assert document["unique_id"] == "model.dbt_cloud_demo.fct_rentals"
    assert document["description"].startswith("One row per rental, priced, with its stations named.")
    assert document["owner"]["meta"] == "finance@loopbikes.example"
    assert {"finance", "marts"} <= set(document["tags"])
    columns = {column["name"]: column for column in document["columns"]}
    assert columns["rental_id"]["description"] == "Identifier of the rental."
    assert sorted(test["name"] for test in columns["rental_id"]["tests"]) == ["not_null", "unique"]
    assert [test["name"] for test in columns["status"]["tests"]] == ["accepted_values"]
    assert columns["fare_eur"]["description"].startswith("The fare of a rental, in euros")  # a docs block
    assert document["parents"], "a mart has parents"
