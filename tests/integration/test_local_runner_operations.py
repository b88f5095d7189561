"""Every one of the 207 operations of the vendored specs, called against a fresh local runner (the
demo project registered as `local init` does): none answers "does not implement" or a 5xx, and
each answer validates against its operation's response schema.

Bodies are built here from each operation's request schema (its required fields, plus the
references an item needs to be valid: a job names the demo project and environment), and path
ids come from resources the walk created first. The allowances of the check, each the service's
documented divergence from its spec (shared/reference/README.md) or a contradiction in the spec:

1. typed fields may be null: the specs mark nothing nullable, the service answers null for unset fields;
2. related objects (`project`, `job`, `environment`, ...) are required only when `include_related` asks;
3. timestamps come in the service's `YYYY-MM-DD HH:MM:SS.ffffff+00:00` form: `format` is not asserted
   (jsonschema does not assert `format` by default; the runner's timestamps are checked in
   test_local_runner_spec.py);
4. a list whose spec `data` is one object (v3 connections, profiles, SCIM lists: the spec's error)
   is checked item by item against that object;
5. a DELETE the spec answers 204 is answered 200 with the deleted resource, as the service's
   recorded answers show (api-samples/*_delete_response.json): there is no schema to check it against;
6. a job embedded in a run has `schedule.date`/`schedule.time` as objects, as at the job endpoint
   (the spec types them as strings there only; see test_local_runner_spec.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from dbt_cloud.local.spec import Operation, operations, resolve
from tests.integration.test_local_runner_spec import lenient
from tests.support.local_runner import LocalRunner, start_local_runner

#: Path parameters that are not ids of resources the walk creates, and a value each.
FIXED_PARAMS = {
    "event_id": "1",
    "receipt_id": "1",
    "job_identifier": "1",
    "resource_type": "User",
    "schema_uri": "urn:ietf:params:scim:schemas:core:2.0:User",
    "collection_id": "1",
    "rule_id": 1,
    "remainder": "run_results.json",
}
#: Query parameters an operation needs to answer.
QUERY_VALUES = {"job_definition_id": 1}
#: Values for body fields by name: what a client would send for them.
FIELD_VALUES: dict[str, Any] = {
    "execute_steps": ["dbt seed"],
    "steps_override": ["dbt seed"],
    "cause": "every operation",
    "type": None,  # the schema's enum decides
    "client_url": "http://127.0.0.1:9/hook",
    "event_types": ["job.run.completed"],
    "email_addresses": ["someone@example.com"],
    "raw_value": "value",
    "display_value": "value",
    "remote_url": "git@example.com:org/repo.git",
    "cidrs": [],
    "Operations": [],
    "desired_group_ids": [],
}


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRunner]:
    yield from start_local_runner(tmp_path_factory.mktemp("every-operation"))


def body_for(op: Operation, ids: dict[str, Any]) -> Any:
    schema = resolve(op.document, op.request_schema)
    if schema is None:
        return None
    if op.path.endswith("/group-permissions/{group_id}/"):
        return [{"account_id": ids["account_id"], "group_id": ids["group"], "all_projects": True,
                 "permission_set": "developer", "writable_environment_categories": []}]  # fmt: skip
    return value_for(op, schema, "", ids, 0)


def value_for(op: Operation, node: Any, name: str, ids: dict[str, Any], depth: int) -> Any:
    node = resolve(op.document, node) or {}
    for key in ("allOf", "anyOf", "oneOf"):
        if node.get(key):
            return value_for(op, node[key][0], name, ids, depth + 1)
    if name in FIELD_VALUES and FIELD_VALUES[name] is not None:
        return FIELD_VALUES[name]
    if name in ids and node.get("type") == "integer":
        return ids[name]
    if node.get("enum"):
        return node["enum"][0]
    if "default" in node:
        return node["default"]
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        properties = node.get("properties") or {}
        wanted = set(node.get("required") or []) | {"name"} & set(properties)
        wanted |= {field for field in ("project_id", "environment_id", "execute_steps", "type") if field in properties}
        return {field: value_for(op, properties[field], field, ids, depth + 1) for field in sorted(wanted) if field}
    if kind == "array":
        return []
    if kind == "integer":
        return 1
    if kind == "boolean":
        return False
    if kind == "number":
        return 1.0
    if node.get("format") == "email" or name.endswith("email"):
        return "someone@example.com"
    return f"every-op-{name or 'value'}"


def path_for(op: Operation, ids: dict[str, Any], created: dict[str, Any]) -> str:
    path = op.path
    for param in op.path_params:
        name = param.name
        collection = op.path[: op.path.rindex("{" + name + "}")] if name == op.item_param else None
        if collection in created:
            value = created[collection]  # the item the collection's create made
        elif name == op.item_param and op.kind in created:
            value = created[op.kind]
        elif name in ("event_id", "receipt_id") and name in ids:
            value = ids[name]  # of the test event the walk sent first
        elif name in FIXED_PARAMS:
            value = FIXED_PARAMS[name]
        elif name in ("run_id",):
            value = ids["failed_run"] if "/retry/" in op.path else ids["run"]
        elif name == "id" and op.kind in ids:
            value = ids[op.kind]
        elif name in ids:
            value = ids[name]
        else:
            value = created.get(name.removesuffix("_id"), 1)
        path = path.replace("{" + name + "}", str(value))
    if not path.endswith("/") and "{remainder}" not in op.path:
        path += "/"  # routes are written once, with their trailing slash
    return path


def checked_schema(op: Operation, included: set[str]) -> Any:
    """The operation's response schema with the allowances above."""
    if op.response_schema is None or op.response_type not in ("application/json", "application/scim+json"):
        return None
    schema = lenient(op.document, op.response_schema, included)
    data = resolve(op.document, (schema.get("properties") or {}).get("data"))
    if op.action == "list" and isinstance(data, dict) and data.get("type") != ["array", "null"]:
        schema["properties"]["data"] = {"type": ["array", "null"], "items": data}  # allowance 4
    return {**as_any_of(schema), "components": op.document["components"]}


def as_any_of(node: Any) -> Any:
    """`oneOf` read as `anyOf`: with typed fields nullable (allowance 1), a credential of one warehouse
    also satisfies the other warehouses' schemas, so "exactly one" cannot hold."""
    if isinstance(node, dict):
        return {("anyOf" if key == "oneOf" else key): as_any_of(value) for key, value in node.items()}
    if isinstance(node, list):
        return [as_any_of(value) for value in node]
    return node


def test_every_operation_answers_as_its_spec_says(runner: LocalRunner, tmp_path: Path) -> None:
    account = runner.account_id
    v2 = f"/api/v2/accounts/{account}"
    with runner.http() as http:
        seed = {"cause": "walk", "steps_override": ["dbt seed"]}
        run = http.post(f"{v2}/jobs/{runner.jobs['build']}/run/", json=seed)
        failing = http.post(f"{v2}/jobs/{runner.jobs['failing']}/run/", json={"cause": "walk"})
    run_id, failed_id = run.json()["data"]["id"], failing.json()["data"]["id"]
    runner.wait_for_run(run_id)
    runner.wait_for_run(failed_id)
    with runner.http() as http:
        steps = http.get(f"{v2}/runs/{run_id}/", params={"include_related": "run_steps"}).json()["data"]["run_steps"]
        user_id = http.get(f"{v2}/users/").json()["data"][0]["id"]
    ids: dict[str, Any] = {
        "account_id": account,
        "project_id": runner.project_id,
        "environment_id": runner.environment_id,
        "job_id": runner.jobs["build"],
        "job_definition_id": runner.jobs["build"],
        "user_id": user_id,
        "run": run_id,
        "failed_run": failed_id,
        "step": steps[0]["id"],
    }
    created: dict[str, Any] = {}
    # Creates first, then the webhook test (its event and receipt ids are read back), then the rest.
    first = {"create": 0.0, "delete": 2.0}
    ordered = sorted(operations(), key=lambda op: 0.5 if op.path.endswith("/test") else first.get(op.action, 1.0))
    failures: list[str] = []
    called = 0
    with runner.http() as http:
        for op in ordered:
            if op.action == "delete" and op.kind in ("project", "environment", "job") and op.kind not in created:
                continue
            path = path_for(op, {**ids, **{f"{k}_id": v for k, v in created.items() if k in ("group",)}}, created)
            body = body_for(op, {**ids, "group": created.get("group", 1)})
            params = {name: value for name, value in QUERY_VALUES.items() if name in op.query_params}
            if "job_definition_id" in params and not op.path.endswith("/environment-variables/job/"):
                params = {}
            sent = {"json": body} if body is not None else {}
            response = http.request(op.method, path, params=params, **sent)
            called += 1
            where = f"{op.method} {op.path} ({path})"
            if "does not implement" in response.text or response.status_code >= 300:
                failures.append(f"{where}: {response.status_code} {response.text[:300]}")
                continue
            if op.path.endswith("/test"):
                ids["event_id"] = response.json()["data"]["event_id"]
                receipts = http.get(f"/api/v3/accounts/{account}/webhooks/event/{ids['event_id']}/receipts/")
                ids["receipt_id"] = receipts.json()["data"][0]["id"]
            if op.action == "create":
                data = response.json().get("data")
                if isinstance(data, dict) and data.get("id") is not None:
                    created[op.path] = data["id"]
                    created.setdefault(op.kind, data["id"])
            schema = checked_schema(op, set())
            if schema is None or (op.action == "delete" and op.success_status == 204):
                continue  # allowance 5, and answers that are files
            body_answer = response.json()
            for item in body_answer.get("data") if isinstance(body_answer.get("data"), list) else []:
                if isinstance(item, dict) and isinstance(item.get("job"), dict):
                    item["job"].pop("schedule", None)  # allowance 6
            errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(body_answer), key=lambda e: list(e.path))
            failures += [f"{where}: {'/'.join(map(str, e.path))}: {e.message[-300:]}" for e in errors[:3]]
    assert called == 207
    assert not failures, "\n".join(failures)


def test_all_207_operations_are_routed() -> None:
    assert len(operations()) == 207
    assert len({op.key for op in operations()}) == 207
