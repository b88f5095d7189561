"""The dbt artifacts the catalog explorer's tests run on, and a builder for small catalogs.

`ARTIFACT_SETS` names the directories (each a catalog.json and a manifest.json, as dbt writes them
into target/) that tests/integration/test_catalog_artifact_sets.py runs every check on: every table
and column reachable through the menus, every description and test joined right. The demo project
(demo/project) is a set too, built with docs by the local runner when those tests run (DEMO_PROJECT).

To add another set, add one line to ARTIFACT_SETS.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parent.parent / "data" / "artifacts"

ARTIFACT_SETS: dict[str, Path] = {
    # A real `dbt build` + `dbt docs generate` (dbt-core 1.11, DuckDB): see tests/data/README.md.
    "real-duckdb": ARTIFACTS / "real",
    # Hand-written, Snowflake-like: what DuckDB does not report (stats, owners, sources, snapshots,
    # upper-case column names, groups, tags, singular and warn-severity tests).
    "warehouse": ARTIFACTS / "warehouse",
}

#: The demo project's artifacts, made by running its "Build with docs" job on the local runner.
DEMO_PROJECT = "demo-project"

CATALOG_V1 = "https://schemas.getdbt.com/dbt/catalog/v1.json"


def table(
    unique_id: str,
    columns: list[str],
    *,
    schema: str = "main",
    database: str | None = "db",
    name: str | None = None,
    relation_type: str = "BASE TABLE",
) -> tuple[str, dict[str, Any]]:
    """One catalog table, all columns INTEGER."""
    relation = name or unique_id.split(".")[-1]
    return unique_id, {
        "metadata": {"type": relation_type, "schema": schema, "name": relation, "database": database},
        "columns": {c: {"type": "INTEGER", "index": i, "name": c, "comment": None} for i, c in enumerate(columns, 1)},
        "stats": {"has_stats": {"id": "has_stats", "label": "Has Stats?", "value": False, "include": False}},
        "unique_id": unique_id,
    }


def catalog_document(*tables: tuple[str, dict[str, Any]], version: str = CATALOG_V1) -> dict[str, Any]:
    nodes = {uid: body for uid, body in tables if not uid.startswith("source.")}
    sources = {uid: body for uid, body in tables if uid.startswith("source.")}
    return {
        "metadata": {"dbt_schema_version": version, "dbt_version": "1.11.0", "generated_at": "2024-01-01T00:00:00Z"},
        "nodes": nodes,
        "sources": sources,
        "errors": None,
    }


def write_catalog(directory: Path, *tables: tuple[str, dict[str, Any]], version: str = CATALOG_V1) -> Path:
    path = directory / "catalog.json"
    path.write_text(json.dumps(catalog_document(*tables, version=version)))
    return path
