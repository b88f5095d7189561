"""The join of catalog and manifest: descriptions, tests, owners, tags, stats and lineage are right,
checked against the raw JSON for every table of every artifact set, and by hand where it matters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dbt_cloud.catalog.details import NodeDetails, StatInfo, node_details, search, table_stats
from dbt_cloud.catalog.loading import Catalog, load_catalog, load_manifest
from dbt_cloud.catalog.render import human_bytes, node_document, node_text, wrap
from tests.support.catalog_artifacts import ARTIFACTS


def _load(directory: Path) -> tuple[Catalog, Any, dict[str, Any]]:
    raw = json.loads((directory / "manifest.json").read_text())
    return load_catalog(directory), load_manifest(directory / "manifest.json"), raw


def test_real_artifacts_by_hand() -> None:
    catalog, manifest, _ = _load(ARTIFACTS / "real")
    orders = node_details(catalog, manifest, "model.jaffle_shop.orders")
    by_name = {column.name: column for column in orders.columns}
    assert [c.name for c in orders.columns][:3] == ["order_id", "customer_id", "order_date"]
    assert by_name["customer_id"].description == "Foreign key to the customers table"
    assert sorted(t.label for t in by_name["customer_id"].tests) == [
        "not_null",
        "relationships(to=ref('customers'), field=customer_id)",
    ]
    assert [t.label for t in by_name["status"].tests] == [
        "accepted_values(values=[placed, shipped, completed, return_pending, returned])"
    ]
    assert by_name["status"].description.startswith("Orders can be one of the following statuses:")
    customers = node_details(catalog, manifest, "model.jaffle_shop.customers")
    # The YAML documents total_order_amount; the warehouse has customer_lifetime_value instead.
    assert [c.name for c in customers.documented_only] == ["total_order_amount"]
    assert {c.name: c.description for c in customers.columns}["customer_lifetime_value"] == ""
    assert customers.parents == (
        "model.jaffle_shop.stg_customers",
        "model.jaffle_shop.stg_orders",
        "model.jaffle_shop.stg_payments",
    )
    assert customers.children == ()  # only tests depend on it
    seed = node_details(catalog, manifest, "seed.jaffle_shop.raw_orders")
    assert seed.children == ("model.jaffle_shop.stg_orders",)
    assert seed.table_stats.rows is None


def test_warehouse_artifacts_by_hand() -> None:
    catalog, manifest, _ = _load(ARTIFACTS / "warehouse")
    customers = node_details(catalog, manifest, "model.shop.dim_customers")
    # Snowflake answers upper case; the YAML is lower case: joined all the same.
    assert [(c.name, c.description) for c in customers.columns] == [
        ("CUSTOMER_ID", "Primary key of a customer."),
        ("EMAIL", "E-mail address; PII."),
        ("LIFETIME_VALUE", "Sum of all order amounts, in EUR."),
    ]
    assert [t.label for t in customers.columns[0].tests] == ["not_null", "unique"]
    assert customers.columns[1].tags == ("pii",)
    assert customers.columns[1].comment == "Primary e-mail address"
    assert [t.name for t in customers.tests] == ["assert_lifetime_value_not_negative"]  # a singular test
    assert [(c.name, [t.label for t in c.tests]) for c in customers.documented_only] == [
        ("legacy_segment", ["not_null"])
    ]
    assert customers.owner.parts() == [
        "alice@example.com",
        "group finance (Finance team <finance@example.com>)",
        "TRANSFORMER (warehouse)",
    ]
    assert customers.tags == ("marts", "finance")
    assert (customers.table_stats.rows, customers.table_stats.bytes) == (1234, 5872025)
    assert customers.table_stats.last_modified == "2024-05-01 10:00UTC"
    assert customers.comment == "One row per customer"
    assert customers.path == "models/marts/dim_customers.sql"

    orders = node_details(catalog, manifest, "model.shop.fct_orders")
    status = next(c for c in orders.columns if c.name == "STATUS")
    assert [t.label for t in status.tests] == ["accepted_values(values=[placed, shipped]) [warn]"]
    assert [t.label for t in orders.tests] == ["dbt_utils.expression_is_true(expression=amount >= 0)"]
    assert orders.tags == ("marts", "daily")  # config tags count too
    assert orders.children == ("exposure.shop.revenue_dashboard",)

    source = node_details(catalog, manifest, "source.shop.raw.customers")
    assert source.description == "The shop's operational database."  # the source's own, for lack of the table's
    assert source.owner.meta == "platform-team"
    assert source.owner.warehouse == "LOADER"


def test_without_a_manifest_the_catalog_alone_is_shown() -> None:
    catalog = load_catalog(ARTIFACTS / "warehouse")
    details = node_details(catalog, None, "model.shop.dim_customers")
    assert not details.has_manifest
    assert [c.description for c in details.columns] == ["", "", ""]
    assert (details.parents, details.tests, details.documented_only) == ((), (), ())
    text = node_text(details)
    assert "no manifest.json" in text
    assert "CUSTOMER_ID" in text
    assert "TRANSFORMER (warehouse)" in text


def test_search_joins_descriptions() -> None:
    catalog, manifest, _ = _load(ARTIFACTS / "warehouse")
    hits = search(catalog, manifest, "email")
    assert [(h.hit.entry.unique_id, h.hit.name, h.description) for h in hits] == [
        ("model.shop.dim_customers", "EMAIL", "E-mail address; PII."),
        ("snapshot.shop.customers_snapshot", "EMAIL", ""),
        ("source.shop.raw.customers", "EMAIL", ""),
    ]


@pytest.mark.parametrize(
    ("stats", "rows", "size", "modified"),
    [
        ({"row_count": 10.0, "bytes": 2048.0, "last_modified": "2024-01-01"}, 10, 2048, "2024-01-01"),  # Snowflake
        ({"num_rows": 5, "num_bytes": 100}, 5, 100, None),  # BigQuery
        ({"rows": 7, "size": 3}, 7, 3 * 1024 * 1024, None),  # Redshift: size in 1 MB blocks
        ({"has_stats": False}, None, None, None),  # Postgres, DuckDB
    ],
)
def test_table_stats_from_each_adapter(
    stats: dict[str, Any], rows: int | None, size: int | None, modified: str | None
) -> None:
    items = tuple(StatInfo(key, key, value, True, None) for key, value in stats.items())
    found = table_stats(items)
    assert (found.rows, found.bytes, found.last_modified) == (rows, size, modified)


def _warehouse_details(unique_id: str) -> NodeDetails:
    catalog, manifest, _ = _load(ARTIFACTS / "warehouse")
    return node_details(catalog, manifest, unique_id)


def test_node_text_shows_everything_a_person_asks_for() -> None:
    text = node_text(_warehouse_details("model.shop.dim_customers"), width=100)
    lines = text.splitlines()
    assert lines[0] == "model.shop.dim_customers"
    assert "  relation     ANALYTICS.MARTS.DIM_CUSTOMERS (BASE TABLE)" in lines
    assert "  stats        1,234 rows · 5.6 MiB · last modified 2024-05-01 10:00UTC" in lines
    assert "  tags         marts, finance" in lines
    assert "  parents      seed.shop.country_codes, source.shop.raw.customers" in lines
    assert "    1  CUSTOMER_ID     NUMBER(38,0)       tests: not_null, unique" in lines
    assert "       Primary key of a customer." in lines
    assert "       comment: Primary e-mail address" in lines
    assert "  documented in the manifest, not in the warehouse (1)" in lines


def test_node_document_has_the_same_information() -> None:
    document = node_document(_warehouse_details("model.shop.fct_orders"))
    assert document["unique_id"] == "model.shop.fct_orders"
    assert document["table_stats"] == {"rows": 98765, "bytes": 1073741824, "last_modified": "2024-05-02 06:30UTC"}
    assert [c["name"] for c in document["columns"]] == ["ORDER_ID", "CUSTOMER_ID", "STATUS", "AMOUNT"]
    assert document["columns"][2]["tests"][0]["name"] == "accepted_values"
    assert document["columns"][2]["tests"][0]["severity"] == "warn"
    assert document["tests"][0]["arguments"]["expression"] == "amount >= 0"
    assert json.loads(json.dumps(document)) == document


def test_wrap_keeps_markdown_tables_and_paragraphs() -> None:
    text = "A long first line that needs wrapping at twenty.\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    assert wrap(text, 25) == [
        "A long first line that",
        "needs wrapping at twenty.",
        "",
        "| a | b |",
        "|---|---|",
        "| 1 | 2 |",
    ]


@pytest.mark.parametrize(
    ("count", "shown"), [(0, "0 bytes"), (1023, "1,023 bytes"), (5872025, "5.6 MiB"), (2**40 * 3, "3.0 TiB")]
)
def test_human_bytes(count: int, shown: str) -> None:
    assert human_bytes(count) == shown
