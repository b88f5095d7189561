"""What the vendored OpenAPI specs say: every operation with its parameters, request body and
kind of answer, with `$ref`s resolved. Read by the command generator and by the drift test, so
both see the specs the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "spec"
VERSIONS = ("v2", "v3")
METHODS = ("get", "post", "put", "patch", "delete")

Schema = dict[str, Any]


@dataclass(frozen=True)
class SpecParam:
    name: str
    location: str  # "path" or "query"
    schema: Schema = field(hash=False, compare=False)
    required: bool
    description: str


@dataclass(frozen=True)
class SpecOperation:
    """One operation of one spec, as the generator and the drift test need it."""

    version: str
    method: str
    path: str
    operation_id: str
    tag: str
    description: str
    deprecated: bool
    params: tuple[SpecParam, ...]
    #: The request body schema, top-level `$ref` resolved; None where the operation takes none.
    body: Schema | None = field(hash=False, compare=False)
    #: The name of the body's component schema, when it is one.
    body_ref: str | None
    body_required: bool
    #: "envelope": JSON in dbt Cloud's envelope; "json": other JSON; "empty": 204 or no body;
    #: "undescribed": a success whose body the spec leaves undescribed (files, CSV, ...).
    answer: str
    spec: SpecDocument = field(hash=False, compare=False, repr=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def path_params(self) -> list[SpecParam]:
        return [p for p in self.params if p.location == "path"]

    @property
    def query_params(self) -> list[SpecParam]:
        return [p for p in self.params if p.location == "query"]

    @property
    def paginated(self) -> bool:
        """A list that pages with limit/offset (and says so in its envelope)."""
        names = {p.name for p in self.query_params}
        return self.method == "GET" and {"limit", "offset"} <= names and self.answer == "envelope"


class SpecDocument:
    """One spec file, for resolving `$ref`s."""

    def __init__(self, version: str, document: dict[str, Any]) -> None:
        self.version = version
        self.document = document
        self.schemas: dict[str, Schema] = document.get("components", {}).get("schemas", {})

    def resolve(self, schema: Schema) -> Schema:
        """The schema a `$ref` points at (followed until it is not a reference)."""
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.schemas[ref_name(schema["$ref"])]
            seen += 1
            if seen > 50:
                raise ValueError("a $ref cycle in the spec")
        return schema


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


@cache
def load_spec(version: str) -> SpecDocument:
    text = (SPEC_DIR / f"openapi-{version}.yaml").read_text(encoding="utf-8")
    return SpecDocument(version, yaml.safe_load(text))


def _answer_kind(spec: SpecDocument, responses: dict[str, Any]) -> str:
    successes = sorted(code for code in responses if str(code).startswith("2"))
    if not successes:
        return "undescribed"
    response = responses[successes[0]] or {}
    content = response.get("content") or {}
    if not content:
        return "empty" if str(successes[0]) == "204" else "undescribed"
    media_type = next(iter(content))
    schema = spec.resolve((content[media_type] or {}).get("schema") or {})
    properties = schema.get("properties") or {}
    if "data" in properties and "status" in properties:
        return "envelope"
    return "json"


def _body(spec: SpecDocument, operation: dict[str, Any]) -> tuple[Schema | None, str | None, bool]:
    request_body = operation.get("requestBody")
    if not request_body:
        return None, None, False
    content = request_body.get("content") or {}
    media_type = "application/json" if "application/json" in content else next(iter(content))
    raw = (content[media_type] or {}).get("schema") or {}
    name = ref_name(raw["$ref"]) if "$ref" in raw else None
    return spec.resolve(raw), name, bool(request_body.get("required"))


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


@cache
def operations() -> tuple[SpecOperation, ...]:
    """Every operation of both specs, in spec order (v2 first)."""
    found: list[SpecOperation] = []
    for version in VERSIONS:
        spec = load_spec(version)
        for path, item in spec.document["paths"].items():
            shared = item.get("parameters", [])
            for method in METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                params = []
                for raw in [*shared, *operation.get("parameters", [])]:
                    parameter = spec.resolve(raw)
                    params.append(
                        SpecParam(
                            name=parameter["name"],
                            location=parameter["in"],
                            schema=parameter.get("schema") or {},
                            required=bool(parameter.get("required")),
                            description=_clean(parameter.get("description")),
                        )
                    )
                body, body_ref, body_required = _body(spec, operation)
                found.append(
                    SpecOperation(
                        version=version,
                        method=method.upper(),
                        path=path,
                        operation_id=operation["operationId"],
                        tag=(operation.get("tags") or ["Other"])[0],
                        description=_clean(operation.get("description")),
                        deprecated=bool(operation.get("deprecated")),
                        params=tuple(params),
                        body=body,
                        body_ref=body_ref,
                        body_required=body_required,
                        answer=_answer_kind(spec, operation.get("responses") or {}),
                        spec=spec,
                    )
                )
    return tuple(found)


def operations_by_key() -> dict[tuple[str, str], SpecOperation]:
    return {operation.key: operation for operation in operations()}


def path_names(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)
