"""Groups as the service acts on them: assigning a user to groups, and setting a group's
permissions (both answer the list they leave behind)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from dbt_cloud.local.http import Call, invalid, not_found
from dbt_cloud.local.resources import Resources
from dbt_cloud.local.spec import Operation
from dbt_cloud.local.validation import body_errors


class Groups:
    def __init__(self, resources: Resources) -> None:
        self.resources = resources
        self.store = resources.store

    def _group(self, call: Call, group_id: Any) -> dict[str, Any]:
        usable = isinstance(group_id, int) and not isinstance(group_id, bool)
        found = self.store.get("group", group_id) if usable else None
        if found is None or found.get("account_id") != call.account_id or found.get("state", 1) == 2:
            raise not_found(f"Group {group_id}")
        return found

    def assign(self, op: Operation, call: Call) -> Response:
        """`{"user_id": 1, "desired_group_ids": [2, 3]}`: the user is in exactly those groups."""
        body = call.body_object()
        errors = body_errors(body, op.request_schema, op.document, partial=False)
        if errors:
            raise invalid(errors)
        user = self.store.get("user", body["user_id"])
        if user is None or user.get("account_id") != call.account_id:
            raise invalid({"user_id": [f'Invalid pk "{body["user_id"]}" - object does not exist.']})
        groups = [self._group(call, group_id) for group_id in body["desired_group_ids"]]
        self.store.update_with("user", user["id"], lambda current: {**current, "group_ids": [g["id"] for g in groups]})
        return self.resources.answer(op, [self.resources.present(op, call, group, set()) for group in groups])

    def set_permissions(self, op: Operation, call: Call) -> Response:
        """A list of permissions (the spec wraps it in an object under the key ""): the group's, now."""
        group = self._group(call, call.path_params["group_id"])
        body = call.body
        entries = body.get("") if isinstance(body, dict) else body
        if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            raise invalid({"non_field_errors": ["Expected a list of permissions."]})
        permissions = [
            {**entry, "id": index + 1, "group_id": group["id"], "account_id": call.account_id, "state": 1}
            for index, entry in enumerate(entries)
        ]
        self.store.update_with("group", group["id"], lambda current: {**current, "group_permissions": permissions})
        return self.resources.answer(op, [self.resources.present(op, call, entry, set()) for entry in permissions])
