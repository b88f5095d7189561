"""docs/local-runner.md names the Discovery API's fields as the schema has them: every field its
tables list exists on the type they list it under."""

from __future__ import annotations

import re
from pathlib import Path

from dbt_cloud.local.discovery.resolvers import build_schema

PAGE = Path(__file__).resolve().parents[2] / "docs" / "local-runner.md"


def _section() -> str:
    text = PAGE.read_text()
    return text[text.index("## The Discovery API (GraphQL)") :]


def test_the_node_types_table_names_real_fields() -> None:
    schema = build_schema()
    rows = re.findall(r"^\| `([A-Z]\w+)` \| `([^`]+)`", _section(), re.M)
    assert len(rows) >= 7
    for type_name, fields in rows:
        graphql_type = schema.type_map[type_name]
        top_level = re.sub(r"\{[^}]*\}", " ", fields)  # `testMetadata { name ... }`: its own fields aside
        names = [re.sub(r"\(.*", "", field) for field in top_level.split()]
        missing = [name for name in names if name not in graphql_type.fields]  # type: ignore[attr-defined]
        assert not missing, f"{type_name} has no {missing}"


def test_the_applied_state_table_names_real_fields() -> None:
    applied = build_schema().type_map["AppliedState"]
    rows = re.findall(r"^\| `(\w+)`(?:, `(\w+)`)? \| ", _section(), re.M)
    named = {name for row in rows for name in row if name and name[0].islower()}
    assert {"models", "sources", "resources", "lineage", "packages", "modelHistoricalRuns"} <= named
    assert named <= set(applied.fields)  # type: ignore[attr-defined]
