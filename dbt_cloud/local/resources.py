"""The generic layer: list, read, create, update and delete of every resource kind the specs
describe, kept in the store as documents.

What it does is read from each operation (`spec.py`): which kind, which parameters scope it, the
request schema a body is checked against (and whose defaults fill fields a client did not send),
the response schema an answer is completed from. Deletes are soft (`state` 2; ids are never handed
out again). Kinds that no operation creates (license permissions, SCIM schemas, ...) are read as
the schema describes them and kept once written. Behaviour beyond keeping state is added by
`hooks` that `app.py` registers per kind; the run endpoints are hand-written there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from dbt_cloud.local.filters import MAX_LIMIT, extra_of, select
from dbt_cloud.local.http import MAX_ID, Call, envelope, invalid, json_response, not_found
from dbt_cloud.local.spec import Operation, param_kind, resolve
from dbt_cloud.local.store import Store
from dbt_cloud.local.validation import body_errors, conform, defaults, required_fields
from dbt_cloud.local.views import RELATED, document

#: Fields a client may not set: the server owns them.
SERVER_FIELDS = {"id", "account_id", "created_at", "updated_at"}
#: Kinds whose rows are not documents of the `objects` table.
NOT_DOCUMENTS = {"run", "step", "artifact"}
#: Fields of a body that name another resource, and the kind they name.
REFERENCES = {
    "project_id": "project",
    "environment_id": "environment",
    "repository_id": "repository",
    "connection_id": "connection",
    "job_definition_id": "job",
}


@dataclass
class KindHooks:
    """What a kind does beyond keeping state. Each hook gets the call and the document."""

    #: Checks a document about to be stored (created or updated): errors by field.
    check: Callable[[Call, dict[str, Any]], dict[str, list[str]]] | None = None
    #: Called with the stored document after a create; answers the document to present (once).
    created: Callable[[Call, dict[str, Any]], dict[str, Any]] | None = None
    #: Called after an update or delete with the stored document.
    changed: Callable[[Call, dict[str, Any]], None] | None = None
    #: Turns a stored document into its answer (before the response schema completes it).
    present: Callable[[Call, dict[str, Any], set[str]], dict[str, Any]] | None = None


@dataclass
class Resources:
    store: Store
    operations: Sequence[Operation]
    hooks: dict[str, KindHooks] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.creatable = {op.kind for op in self.operations if op.action == "create"}
        self.creatable |= {"account", "user", "project", "environment", "job", "run"}

    # -- dispatch -------------------------------------------------------------------------------

    def handle(self, op: Operation, call: Call) -> Response:
        self.check_parents(op, call)
        action = getattr(self, f"do_{op.action}")
        result: Response = action(op, call)
        return result

    def do_list(self, op: Operation, call: Call) -> Response:
        items = [
            self.present(op, call, stored, include=set(call.values("include_related")))
            for stored in self.store.all(op.kind, call.account_id)
            if self.in_scope(op, call, stored)
        ]
        if op.item_param is not None:
            items = [item for item in items if str(item.get("id")) == str(call.path_params[op.item_param])]
        schema = resolve(op.document, self.item_schema(op)) or {}
        chosen, _, extra = select(items, call, op, set(schema.get("properties") or {}))
        return json_response(envelope(chosen, extra=extra))

    def do_get(self, op: Operation, call: Call) -> Response:
        stored = self.require(op, call)
        include = set(call.values("include_related"))
        return self.answer(op, self.present(op, call, stored, include))

    def do_create(self, op: Operation, call: Call) -> Response:
        body = call.body_object()
        errors = body_errors(body, op.request_schema, op.document, partial=True)
        fields = {**defaults(op.request_schema, op.document)}
        fields.update({key: value for key, value in body.items() if key not in SERVER_FIELDS})
        fields.update(self.scope_fields(op, call))
        fields["account_id"] = call.account_id
        fields.setdefault("state", 1)
        for name in required_fields(op.request_schema, op.document):
            if fields.get(name) in (None, "", []) and name not in document(op.kind, {}):
                errors.setdefault(name, ["This field is required."])
        errors.update(self.check(op, call, fields, errors))
        if errors:
            raise invalid(errors)
        created = self.store.insert(op.kind, fields)
        hooks = self.hooks.get(op.kind)
        shown = created
        if hooks and hooks.created:
            shown = hooks.created(call, created)
        return self.answer(op, self.present(op, call, shown, set()), status=201)

    def do_update(self, op: Operation, call: Call) -> Response:
        body = call.body_object()
        errors = body_errors(body, op.request_schema, op.document, partial=True)
        if errors:
            raise invalid(errors)
        changes = {key: value for key, value in body.items() if key not in SERVER_FIELDS}
        if op.kind not in self.creatable:
            return self.answer(op, self.present(op, call, self.upsert(op, call, changes), set()))
        self.require(op, call)

        def apply(current: dict[str, Any]) -> dict[str, Any]:
            merged = {**current, **changes, **self.scope_fields(op, call)}
            problems = self.check(op, call, merged, {})
            if problems:
                raise invalid(problems)
            return merged

        updated = self.store.update_with(op.kind, self.item_id(op, call), apply)
        self.after_change(op, call, updated)
        return self.answer(op, self.present(op, call, updated, set()))

    def do_delete(self, op: Operation, call: Call) -> Response:
        if op.kind not in self.creatable:
            return self.answer(op, self.present(op, call, self.upsert(op, call, {"state": 2}), set()))
        self.require(op, call)
        # dbt Cloud deletes softly: the answer is the resource with state 2 (deleted), the row stays
        # (runs still name their job) and its id is never handed out again.
        deleted = self.store.update_with(op.kind, self.item_id(op, call), lambda current: {**current, "state": 2})
        self.after_change(op, call, deleted)
        return self.answer(op, self.present(op, call, deleted, set()))

    def do_bulk_update(self, op: Operation, call: Call) -> Response:
        return self.do_singleton(op, call)

    def do_bulk_delete(self, op: Operation, call: Call) -> Response:
        return self.do_singleton(op, call)

    def do_singleton(self, op: Operation, call: Call) -> Response:
        """One document per parent (`scim-config/`, `webhooks/subscription/{id}/test`): read, written, removed."""
        scope = self.scope_fields(op, call)
        kind = f"{op.kind}_singleton" if op.kind in self.creatable else op.kind
        found = [doc for doc in self.store.all(kind, call.account_id) if doc.get("_scope") == scope]
        if op.method == "GET":
            stored = found[0] if found else {**scope, "account_id": call.account_id}
        else:
            body = call.body_object() if isinstance(call.body, dict) or call.body is None else {}
            errors = body_errors(body, op.request_schema, op.document, partial=op.method != "POST")
            if errors:
                raise invalid(errors)
            changes = {"state": 2} if op.method == "DELETE" else dict(body)
            if found:
                stored = self.store.update_with(kind, found[0]["id"], lambda current: {**current, **changes})
            else:
                stored = self.store.insert(kind, {**changes, **scope, "account_id": call.account_id, "_scope": scope})
        return self.answer(op, self.present(op, call, stored, set()))

    # -- helpers --------------------------------------------------------------------------------

    def upsert(self, op: Operation, call: Call, changes: dict[str, Any]) -> dict[str, Any]:
        """Write to a kind no operation creates (a license permission): the item comes to exist."""
        item_id = self.item_id(op, call)
        current = self.store.get(op.kind, item_id)
        if current is None or current.get("account_id") != call.account_id:
            base = {**self.scope_fields(op, call), "account_id": call.account_id, "state": 1}
            return self.store.put(op.kind, item_id, {**base, **changes})
        return self.store.update_with(op.kind, item_id, lambda stored: {**stored, **changes})

    def item_id(self, op: Operation, call: Call) -> int:
        assert op.item_param is not None
        value = call.path_params[op.item_param]
        if isinstance(value, int):
            return value
        text = str(value)
        digits = text.rsplit("_", 1)[-1]  # ids the service spells with a prefix (`wsu_12`) carry ours after it
        if not digits.isdigit() or int(digits) > MAX_ID:
            raise not_found(f"{op.kind.replace('_', ' ').capitalize()} {text}")
        return int(digits)

    def require(self, op: Operation, call: Call) -> dict[str, Any]:
        if op.kind not in self.creatable and op.item_param and not isinstance(call.path_params[op.item_param], int):
            # Named, not numbered (a SCIM resource type): read as the schema describes it.
            return {**self.scope_fields(op, call), "id": call.path_params[op.item_param], "account_id": call.account_id}
        item_id = self.item_id(op, call)
        found = self.store.get(op.kind, item_id)
        if op.kind not in self.creatable and (found is None or found.get("account_id") != call.account_id):
            # Read as the schema describes it: nothing creates these, they exist for every id.
            return {**self.scope_fields(op, call), "id": item_id, "account_id": call.account_id, "state": 1}
        owner = found and (found["id"] if op.kind == "account" else found.get("account_id"))
        if (
            found is None
            or owner != call.account_id
            or found.get("state", 1) == 2
            or not self.in_scope(op, call, found)
        ):
            raise not_found(f"{op.kind.replace('_', ' ').capitalize()} {item_id}")
        return found

    def require_account(self, call: Call) -> dict[str, Any]:
        found = self.store.get("account", call.account_id)
        if found is None:
            raise not_found(f"Account {call.account_id}")
        return found

    def scope_fields(self, op: Operation, call: Call) -> dict[str, Any]:
        return {name: call.path_params[name] for name in op.scope}

    def in_scope(self, op: Operation, call: Call, stored: dict[str, Any]) -> bool:
        return all(stored.get(name) == call.path_params[name] for name in op.scope)

    def check_parents(self, op: Operation, call: Call) -> None:
        """A collection under a parent that does not exist (or was deleted) is not found either."""
        segments = [part for part in op.path.strip("/").split("/") if part]
        for name in op.scope:
            kind = param_kind(name, segments)
            value = call.path_params[name]
            if kind not in self.creatable:
                continue
            if kind == "run":
                run = self.store.get_run(value) if isinstance(value, int) else None
                if run is None or run["account_id"] != call.account_id:
                    raise not_found(f"Run {value}")
                continue
            parent_id = value if isinstance(value, int) else None
            if parent_id is None:
                text = str(value).rsplit("_", 1)[-1]
                parent_id = int(text) if text.isdigit() and int(text) <= MAX_ID else None
            found = self.store.get(kind, parent_id) if parent_id is not None else None
            owner = found and (found["id"] if kind == "account" else found.get("account_id"))
            if found is None or owner != call.account_id or found.get("state", 1) == 2:
                raise not_found(f"{kind.replace('_', ' ').capitalize()} {value}")

    def check(self, op: Operation, call: Call, fields: dict[str, Any], known: dict[str, Any]) -> dict[str, list[str]]:
        """References to other resources must exist in the account; then the kind's own checks."""
        errors: dict[str, list[str]] = {}
        for reference, kind in REFERENCES.items():
            value = fields.get(reference)
            if value is None or reference in known or kind == op.kind:
                continue
            if isinstance(value, int) and abs(value) > MAX_ID:
                errors[reference] = [f"Ensure this value is less than or equal to {MAX_ID}."]
                continue
            found = self.store.get(kind, value) if isinstance(value, int) and not isinstance(value, bool) else None
            if found is None or found.get("account_id") != call.account_id or found.get("state", 1) == 2:
                errors[reference] = [f'Invalid pk "{value}" - object does not exist.']
        hooks = self.hooks.get(op.kind)
        if hooks and hooks.check and not errors:
            errors.update(hooks.check(call, fields))
        return errors

    def after_change(self, op: Operation, call: Call, stored: dict[str, Any]) -> None:
        hooks = self.hooks.get(op.kind)
        if hooks and hooks.changed:
            hooks.changed(call, stored)

    def item_schema(self, op: Operation) -> Any:
        """The schema of one item of the answer: `data`, or its items for a list."""
        root = resolve(op.document, op.response_schema) or {}
        data = resolve(op.document, (root.get("properties") or {}).get("data"))
        if data is None:
            return root if root and "data" not in (root.get("properties") or {}) else None
        if data.get("type") == "array":
            return data.get("items")
        return data

    def present(self, op: Operation, call: Call, stored: dict[str, Any], include: set[str]) -> dict[str, Any]:
        hooks = self.hooks.get(op.kind)
        answer = hooks.present(call, stored, include) if hooks and hooks.present else document(op.kind, stored)
        schema = self.item_schema(op)
        if schema is None:
            return {key: value for key, value in answer.items() if not key.startswith("_")}
        return conform(answer, schema, op.document, skip=RELATED - include)

    def answer(self, op: Operation, data: Any, status: int = 200) -> Response:
        """The envelope, unless the operation's schema answers a bare object (SCIM's config, checks)."""
        root = resolve(op.document, op.response_schema) or {}
        if root and "data" not in (root.get("properties") or {}):
            return json_response(data, status)
        if not root and op.response_type and op.response_type != "application/json":
            return Response(b"", status_code=status, media_type=op.response_type)
        extra = extra_of({}, "id", MAX_LIMIT, 0, len(data), len(data)) if isinstance(data, list) else None
        return json_response(envelope(data, status=status, extra=extra), status)
