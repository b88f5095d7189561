"""Response schemas of the vendored specs, with the divergences of the real service allowed.

The specs (OpenAPI 3.0.3) describe answers the service does not give in three ways, each seen in
the answers recorded from it (../shared/reference/README.md, tests/data/api-samples/). A client of
the service copes with each, so the local runner may answer the same way:

1. Nullable typed fields. The specs mark no field `nullable`, yet the service answers `null` for
   every unset field (`deferring_run_id`, `job`, `environment`, `last_checked_at`, ...): every typed
   field, and every enum, may also be null.
2. Related objects only with `include_related`. Fields holding related objects (`account`,
   `project`, `environment`, `job`, ...) are listed as required, yet the service sends them only
   when the request names them in `include_related`: they are required only then.
3. Timestamps in the service's own form. Fields of format `date-time` come as ISO 8601 *or* as
   `YYYY-MM-DD HH:MM:SS.ffffff+00:00` (a space for the `T`): both are accepted, anything else not.

And one error of the spec itself, not of the service: a list operation whose `data` the spec
declares as one object (GET /api/v3/accounts/{account_id}/connections/) answers, in the service, a
list of such objects (api-samples/connection_list_response.json): there, a list of them is accepted.
"""

from __future__ import annotations

import copy
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SPEC_DIR = Path(__file__).resolve().parents[2] / "spec"

#: Allowance 2: the fields that hold related objects.
RELATED = {
    "account",
    "project",
    "environment",
    "environments",
    "job",
    "connection",
    "repository",
    "credentials",
    "trigger",
    "run_steps",
    "docs_job",
    "freshness_job",
    "group_permissions",
    "deploy_key",
    "git_provider",
    "gitlab",
}

FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def service_timestamp(value: object) -> bool:
    """Allowance 3: `2026-12-02T18:00:00Z` and `2026-12-02 18:00:00.123456+00:00` alike."""
    if not isinstance(value, str):
        return True  # the type is the schema's to check
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


@cache
def spec(version: str) -> dict[str, Any]:
    return dict(yaml.safe_load((SPEC_DIR / f"openapi-{version}.yaml").read_text()))


def _resolve(document: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def lenient(document: dict[str, Any], node: Any, included: set[str], depth: int = 0) -> Any:
    """The schema with allowances 1 and 2 applied, references resolved in place."""
    node = copy.deepcopy(_resolve(document, node))
    if not isinstance(node, dict) or depth > 12:
        return node
    if isinstance(node.get("type"), str):
        node["type"] = [node["type"], "null"]
    if "enum" in node:
        node["enum"] = [*node["enum"], None]
    for key in ("allOf", "anyOf", "oneOf"):
        if key in node:
            node[key] = [lenient(document, part, included, depth + 1) for part in node[key]]
            if key != "allOf":
                node[key].append({"type": "null"})
    if "items" in node:
        node["items"] = lenient(document, node["items"], included, depth + 1)
    if isinstance(node.get("properties"), dict):
        node["properties"] = {
            name: lenient(document, value, included, depth + 1) for name, value in node["properties"].items()
        }
    if isinstance(node.get("additionalProperties"), dict):
        node["additionalProperties"] = lenient(document, node["additionalProperties"], included, depth + 1)
    if "required" in node:
        node["required"] = [name for name in node["required"] if name not in RELATED or name in included]
    return node


def response_errors(version: str, method: str, path: str, status: int, body: Any, included: set[str]) -> list[str]:
    """What in `body` breaks the spec's schema for that answer, the allowances applied; [] if it fits
    or if the spec declares no JSON schema for that status."""
    document = spec(version)
    responses = document["paths"][path][method.lower()]["responses"]
    declared = responses.get(str(status)) or responses.get(status) or responses.get(f"{str(status)[0]}XX")
    declared = _resolve(document, declared) if declared else None
    schema = (((declared or {}).get("content") or {}).get("application/json") or {}).get("schema")
    if schema is None:
        return []
    relaxed = lenient(document, schema, included)
    data = (relaxed.get("properties") or {}).get("data") if isinstance(relaxed, dict) else None
    listing = method.upper() == "GET" and not path.endswith("}/") and isinstance(body, dict)
    if listing and isinstance(data, dict) and "object" in data.get("type", []) and isinstance(body["data"], list):
        relaxed["properties"]["data"] = {"type": "array", "items": data}
    validator = jsonschema.Draft4Validator(relaxed, format_checker=FORMATS)
    errors = []
    for error in validator.iter_errors(body):
        where = "/".join(str(part) for part in error.absolute_path) or "(top)"
        errors.append(f"{where}: {error.validator} {error.validator_value!r:.150}")
    return errors
