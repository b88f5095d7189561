"""Every command model agrees with the vendored OpenAPI specs: the operation exists, with the same
method and path, the same path parameters, and query parameters the spec knows (or that are listed
below with the reason they are sent anyway)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from dbt_cloud.command import Api, CommandModel, Location, ModelCommand, field_param
from tests.unit.test_option_translation import MODEL_COMMANDS

SPEC_DIR = Path(__file__).resolve().parents[2] / "spec"

#: Query parameters the specs do not list but the service takes, kept for dbt-cloud-cli's users.
UNLISTED_QUERY = {
    ("GET", "/api/v3/accounts/{account_id}/audit-logs/"): {"logged_at_start", "logged_at_end", "limit", "offset"},
    ("GET", "/api/v2/accounts/{account_id}/runs/{id}/"): set(),
}


@cache
def operations() -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for version in ("v2", "v3"):
        document = yaml.safe_load((SPEC_DIR / f"openapi-{version}.yaml").read_text())
        for path, item in document["paths"].items():
            for method, operation in item.items():
                if method in ("get", "post", "put", "patch", "delete"):
                    found[(method.upper(), path)] = {"document": document, **operation}
    return found


def parameters(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    document = operation["document"]
    result = {}
    for parameter in operation.get("parameters", []):
        if "$ref" in parameter:
            node = document
            for part in parameter["$ref"].lstrip("#/").split("/"):
                node = node[part]
            parameter = node
        result[parameter["name"]] = parameter
    return result


def test_the_specs_hold_207_operations() -> None:
    assert len(operations()) == 207


ADMIN_MODELS = sorted(
    {cmd.model for _, cmd in MODEL_COMMANDS if isinstance(cmd, ModelCommand) and cmd.model.operation.api is Api.ADMIN},
    key=lambda model: model.__name__,
)


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
def test_model_matches_its_operation(model: type[CommandModel]) -> None:
    op = model.operation
    key = (op.method, op.path)
    assert key in operations(), f"{model.__name__}: {op.method} {op.path} is not in the specs"
    spec = operations()[key]
    assert op.operation_id == spec.get("operationId")
    spec_params = parameters(spec)
    wire = {(field_param(info).wire_name or name): field_param(info) for name, info in model.model_fields.items()}
    path_fields = {name for name, param in wire.items() if param.location is Location.PATH}
    spec_path = {name for name, p in spec_params.items() if p["in"] == "path"}
    assert path_fields == spec_path
    query_fields = {name for name, param in wire.items() if param.location is Location.QUERY}
    spec_query = {name for name, p in spec_params.items() if p["in"] == "query"}
    unexplained = query_fields - spec_query - UNLISTED_QUERY.get(key, set())
    assert not unexplained, f"{model.__name__} sends query parameters the spec lacks: {sorted(unexplained)}"
    has_body_fields = any(p.location is Location.BODY or p.also_body for p in wire.values())
    if has_body_fields:
        assert op.method in ("POST", "PUT", "PATCH"), "a body only on a write"
        assert "requestBody" in spec, "a body only where the spec has one"
