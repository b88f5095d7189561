"""The 207 operations of the vendored dbt Cloud specs, read as data: what each one does to which
resource kind, its path parameters, and its request and response schemas.

The runner's routes and resource kinds come from here (see `resources.py`), not from tables typed
by hand. `api_spec.json` is spec/openapi-v2.yaml and spec/openapi-v3.yaml as JSON, written by
scripts/generate_local_api.py (a test checks it is current).

How an operation is read from its path (`{account_id}` scopes every account path; it is no
parameter of the kind):

- a path ending in a parameter is an item: GET reads it, POST/PUT/PATCH update it, DELETE deletes it;
- a path ending in a word whose item path also exists (`jobs/` beside `jobs/{id}/`), or whose GET
  answers a list, is a collection: GET lists, POST creates, PUT and DELETE act on many at once;
- any other path ending in a word is a singleton (`scim-config/`) or an action on its parent
  (`runs/{run_id}/cancel/`): it keeps one document per parent.

The kind is the words before the item's parameter (`webhooks/subscription/{id}` ->
`webhook_subscription`), singular; parameters before it scope it (`projects/{project_id}/...`
keeps `project_id` on each document of the kind).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

SPEC_FILE = Path(__file__).resolve().parent / "api_spec.json"
METHODS = ("get", "post", "put", "patch", "delete")
#: Kinds whose path words name them poorly or apart from the kind they are (a managed repository is
#: a repository; v3's user credentials are not a project's credentials).
KIND_ALIASES = {
    "managed_repository": "repository",
    "account_apikey": "personal_access_token",
    "encryption": "ssh_tunnel",
    "receipt": "webhook_receipt",
    "event": "webhook_event",
    "integration_lineage": "lineage_integration",
}
#: Path parameters that name the kind they point to when their name does not.
PARENT_KINDS = {"job_identifier": "audit_log_export", "pl_endpoint_ksuid": "private_endpoint"}
#: Words that are versions or API roots, not resources.
NOT_RESOURCES = {"api", "v2", "v3"}


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # "integer" or "string"


@dataclass
class Operation:
    version: str
    method: str  # upper case
    path: str  # as the spec writes it
    operation_id: str
    summary: str
    action: str  # list, get, create, update, delete, bulk_update, bulk_delete, singleton
    kind: str
    path_params: list[Param]
    item_param: str | None  # the parameter naming the item itself
    scope: list[str]  # parameters (other than account_id and the item's) that scope the kind
    query_params: list[str]
    request_schema: Any
    response_schema: Any
    success_status: int
    response_type: str  # the media type of the success answer ("" when the spec gives none)
    document: dict[str, Any] = field(repr=False)

    @property
    def route(self) -> str:
        """The path as routed: Starlette converters, and one canonical trailing slash."""
        path = self.path
        for param in self.path_params:
            converter = "path" if param.name == "remainder" else "int" if param.type == "integer" else "str"
            path = path.replace("{" + param.name + "}", "{" + param.name + ":" + converter + "}")
        return path if path.endswith("/") or "{remainder:path}" in path else path + "/"

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def resolve(document: dict[str, Any], node: Any) -> Any:
    """Follow `$ref`s to the schema they name."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 50:
        target: Any = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
        seen += 1
    return node


@cache
def specs() -> dict[str, dict[str, Any]]:
    return dict(json.loads(SPEC_FILE.read_text(encoding="utf-8")))


@cache
def operations() -> tuple[Operation, ...]:
    found: list[Operation] = []
    for version, document in specs().items():
        paths: dict[str, Any] = document["paths"]
        for path, item in paths.items():
            for method in METHODS:
                if method in item:
                    found.append(_operation(version, document, paths, path, method, item))
    # A POST beside no item path still creates where its kind is a collection elsewhere
    # (`managed-repositories/` makes a repository; v3's `invites/` adds to v2's list of invites).
    collections = {op.kind for op in found if op.action in ("list", "get")}
    for op in found:
        root = resolve(op.document, op.response_schema)
        if op.action in ("list", "get") and isinstance(root, dict) and "data" not in (root.get("properties") or {}):
            op.action = "singleton"  # it answers a bare object (a check's result), not items
        if op.action == "singleton" and op.method == "POST" and op.kind in collections:
            op.action = "create"
    return tuple(found)


def singular(word: str) -> str:
    word = word.lower().replace("-", "_")
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("sses") or word.endswith("ches"):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _segments(path: str) -> list[str]:
    return [part for part in path.strip("/").split("/") if part]


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def _kind_of(words: list[str]) -> str:
    named = [singular(word) for word in words if word.lower() not in NOT_RESOURCES]
    kind = "_".join(named) if named else "root"
    kind = re.sub(r"^webhooks?_", "webhook_", kind)
    kind = re.sub(r"^scim_", "scim_", kind)
    return KIND_ALIASES.get(kind, kind)


def _user_scoped(path: str, kind: str) -> str:
    # v3's `/users/{user_id}/credentials/` links a user to a project's credentials: its own kind.
    return f"user_{kind}" if path.startswith("/api/v3/users/") else kind


def _words_before(segments: list[str], end: int) -> list[str]:
    """The run of words (not parameters) that ends just before `end`."""
    words: list[str] = []
    index = end - 1
    while index >= 0 and not _is_param(segments[index]):
        words.insert(0, segments[index])
        index -= 1
    if words and words[0] == "accounts" and index < 0:
        words = words[1:] or ["accounts"]
    return words


def param_kind(name: str, segments: list[str]) -> str:
    """The kind a scoping parameter points to: `project_id` -> project; `{id}` -> the words before it."""
    if name in PARENT_KINDS:
        return PARENT_KINDS[name]
    if name.endswith("_id") and name != "id":
        return name[: -len("_id")]
    index = segments.index("{" + name + "}")
    return _kind_of(_words_before(segments, index))


def _lists(document: dict[str, Any], item: dict[str, Any]) -> bool:
    """Whether the path's GET answers a list (then its POST creates an item of that list)."""
    if "get" not in item:
        return False
    success = next((code for code in item["get"]["responses"] if str(code).startswith("2")), "200")
    content: dict[str, Any] = resolve(document, item["get"]["responses"][success]).get("content") or {}
    first: dict[str, Any] = next(iter(content.values()), {})
    schema = resolve(document, first.get("schema"))
    data = resolve(document, (schema or {}).get("properties", {}).get("data"))
    return isinstance(data, dict) and data.get("type") == "array"


def _operation(
    version: str, document: dict[str, Any], paths: dict[str, Any], path: str, method: str, item: dict[str, Any]
) -> Operation:
    spec_op = item[method]
    parameters = [resolve(document, p) for p in [*item.get("parameters", []), *spec_op.get("parameters", [])]]
    path_params = [
        Param(p["name"], str(resolve(document, p.get("schema", {})).get("type", "string")))
        for p in parameters
        if p.get("in") == "path"
    ]
    query_params = sorted({str(p["name"]) for p in parameters if p.get("in") == "query"})
    segments = _segments(path)
    last = segments[-1]
    request_schema = None
    if "requestBody" in spec_op:
        content = resolve(document, spec_op["requestBody"]).get("content", {})
        if content:
            request_schema = next(iter(content.values())).get("schema")
    success = next((code for code in spec_op["responses"] if str(code).startswith("2")), "200")
    response = resolve(document, spec_op["responses"][success])
    content = response.get("content") or {}
    response_type = next(iter(content), "")
    response_schema = content[response_type].get("schema") if response_type else None
    data = resolve(document, (resolve(document, response_schema) or {}).get("properties", {}).get("data"))
    answers_list = isinstance(data, dict) and data.get("type") == "array"

    item_param: str | None = None
    if _is_param(last) and last != "{remainder}":
        item_param = last[1:-1]
        words = _words_before(segments, len(segments) - 1)
        if path.rstrip("/") in ("/api/v2/accounts/{account_id}", "/api/v3/accounts/{account_id}"):
            words = ["accounts"]
        kind = _kind_of(words)
        action = {"GET": "get", "DELETE": "delete"}.get(method.upper(), "update")
        if method == "get" and answers_list:
            action = "list"
    else:
        words = _words_before(segments, len(segments))
        kind = _kind_of(words)
        collection = any(
            other.startswith(path.rstrip("/") + "/{") and other.count("/") - path.rstrip("/").count("/") <= 2
            for other in paths
        )
        if collection or answers_list or _lists(document, item):
            action = {"get": "list", "post": "create", "put": "bulk_update", "delete": "bulk_delete"}.get(
                method, "singleton"
            )
        else:
            action = "singleton"
    kind = _user_scoped(path, kind)
    scope = [
        p.name
        for p in path_params
        if p.name not in ("account_id", "remainder") and p.name != item_param and kind != "account"
    ]
    return Operation(
        version=version,
        method=method.upper(),
        path=path,
        operation_id=str(spec_op.get("operationId", "")),
        summary=str(spec_op.get("summary") or spec_op.get("operationId") or ""),
        action=action,
        kind=kind,
        path_params=path_params,
        item_param=item_param,
        scope=scope,
        query_params=query_params,
        request_schema=request_schema,
        response_schema=response_schema,
        success_status=int(success),
        response_type=response_type,
        document=document,
    )
