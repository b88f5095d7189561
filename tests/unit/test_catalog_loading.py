"""Reading catalog.json and manifest.json: the model fits real artifacts, loading is lazy but complete,
and a bad file gets one clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbt_cloud.catalog.loading import Catalog, load_catalog, load_manifest, matcher
from dbt_cloud.errors import InputError
from tests.support.catalog_artifacts import ARTIFACTS, catalog_document, table, write_catalog

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "artifact-schemas" / "catalog" / "v1.json"


def test_a_directory_means_the_catalog_json_inside_it() -> None:
    catalog = load_catalog(ARTIFACTS / "real")
    assert catalog.origin.endswith("real/catalog.json")
    assert catalog.resource_types() == [("model", 5), ("seed", 3)]


def test_the_index_gives_what_the_menus_need_without_validating_tables() -> None:
    catalog = load_catalog(ARTIFACTS / "warehouse")
    assert catalog.resource_types() == [("model", 3), ("seed", 1), ("source", 2), ("snapshot", 1)]
    assert catalog.schemas("model") == [(("ANALYTICS", "MARTS"), 2), (("ANALYTICS", "STAGING"), 1)]
    assert [e.name for e in catalog.entries_in("source", ("RAW", "SHOP"))] == ["raw.customers", "raw.orders"]
    assert not catalog._tables, "nothing was validated yet"
    entry = catalog.entries["snapshot.shop.customers_snapshot"]
    assert (entry.qualified_relation, entry.column_count) == ("ANALYTICS_HISTORY.SNAPSHOTS.CUSTOMERS_SNAPSHOT", 4)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("model.shop.fct_orders", ["model.shop.fct_orders"]),
        ("fct_orders", ["model.shop.fct_orders"]),
        ("FCT_ORDERS", ["model.shop.fct_orders"]),
        ("marts.fct_orders", ["model.shop.fct_orders"]),
        ("analytics.marts.fct_orders", ["model.shop.fct_orders"]),
        ("raw.orders", ["source.shop.raw.orders"]),
        ("nothing", []),
    ],
)
def test_find_takes_ids_names_and_relations(name: str, expected: list[str]) -> None:
    catalog = load_catalog(ARTIFACTS / "warehouse")
    assert [entry.unique_id for entry in catalog.find(name)] == expected


def test_column_search_by_part_or_pattern_case_insensitive() -> None:
    catalog = load_catalog(ARTIFACTS / "warehouse")
    by_part = {(hit.entry.unique_id, hit.name) for hit in catalog.search_columns("customer_i")}
    assert by_part == {
        ("model.shop.dim_customers", "CUSTOMER_ID"),
        ("model.shop.fct_orders", "CUSTOMER_ID"),
        ("model.shop.stg_orders", "CUSTOMER_ID"),
        ("source.shop.raw.orders", "CUSTOMER_ID"),
    }
    assert {hit.name for hit in catalog.search_columns("dbt_valid_*")} == {"DBT_VALID_FROM", "DBT_VALID_TO"}
    assert catalog.search_columns("no such column") == []


def test_matcher() -> None:
    assert matcher("")("anything")
    assert matcher("Ord")("stg_orders")
    assert matcher("stg_*")("STG_ORDERS")
    assert not matcher("stg_*")("fct_stg_orders")


def test_a_broken_table_is_reported_when_it_is_opened(tmp_path: Path) -> None:
    uid, body = table("model.p.broken", ["a"])
    body["columns"]["a"]["index"] = "first"
    catalog = load_catalog(write_catalog(tmp_path, (uid, body), table("model.p.fine", ["b"])))
    assert catalog.table("model.p.fine").columns["b"].index == 1
    with pytest.raises(InputError, match=r"model.p.broken is not a valid catalog table: columns.a.index"):
        catalog.table("model.p.broken")


# --- one clear error for each kind of bad input -------------------------------------------------------


def _error(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        load_catalog(path)
    assert caught.value.exit_code == 2
    line = caught.value.one_line()
    assert "\n" not in line
    return line


def test_missing_file(tmp_path: Path) -> None:
    assert _error(tmp_path / "nope.json") == f"{tmp_path / 'nope.json'} does not exist"


def test_not_json(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text("<html>not json</html>")
    assert _error(path).startswith(f"{path} is not JSON (expected value at line 1 column 1")


def test_json_but_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text("[1, 2]")
    assert _error(path) == f"{path} is not a dbt catalog.json: its JSON is not an object"


def test_json_without_a_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text('{"nodes": {}}')
    assert _error(path) == f"{path} is not a dbt catalog.json: it has no metadata.dbt_schema_version"


def test_run_results_instead_of_a_catalog() -> None:
    path = ARTIFACTS / "real" / "run_results.json"
    assert _error(path) == f"{path} is a dbt run_results.json (schema run-results v6), not a catalog.json"


def test_manifest_instead_of_a_catalog() -> None:
    path = ARTIFACTS / "real" / "manifest.json"
    assert _error(path) == f"{path} is a dbt manifest.json (schema manifest v12), not a catalog.json"


def test_unknown_catalog_version(tmp_path: Path) -> None:
    path = write_catalog(tmp_path, version="https://schemas.getdbt.com/dbt/catalog/v2.json")
    assert _error(path) == (
        f"{path} is a catalog.json of schema version v2, which this version of dbt-cloud does not know "
        "(it reads v1) (upgrade dbt-cloud)"
    )


def test_a_catalog_without_nodes(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    document = catalog_document()
    del document["nodes"]
    path.write_text(json.dumps(document))
    assert _error(path) == f"{path} is not a valid catalog.json: 'nodes' is missing or not an object"


def test_a_table_without_metadata(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    document = catalog_document(table("model.p.x", ["a"]))
    del document["nodes"]["model.p.x"]["metadata"]["schema"]
    path.write_text(json.dumps(document))
    assert "model.p.x lacks metadata.schema" in _error(path)


def test_a_catalog_instead_of_a_manifest() -> None:
    path = ARTIFACTS / "real" / "catalog.json"
    with pytest.raises(InputError, match=r"is a dbt catalog.json \(schema catalog v1\), not a manifest.json"):
        load_manifest(path)


def test_catalog_from_a_document_in_python() -> None:
    catalog = Catalog(catalog_document(table("seed.p.s", ["a", "b"])))
    assert catalog.table("seed.p.s").columns["b"].index == 2
    assert len(catalog) == 1
    assert "seed.p.s" in catalog
