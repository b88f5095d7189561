"""Service tokens and personal access tokens created through the API authenticate against the
runner, scoped to their account. The token value is answered once, by the create (and by a
rotate); only its digest is kept (store.py). Deleting a token, or setting its `state` to 2, revokes it.
"""

from __future__ import annotations

import secrets
from typing import Any

from dbt_cloud.local.http import Call
from dbt_cloud.local.store import Store

#: The kinds that are tokens, and how each names the tokens table's rows it owns.
TOKEN_KINDS = ("service_token", "personal_access_token")


def token_name(kind: str, object_id: int) -> str:
    return f"{kind} {object_id}"


class Tokens:
    def __init__(self, store: Store) -> None:
        self.store = store

    def issue(self, kind: str, call: Call, stored: dict[str, Any]) -> dict[str, Any]:
        """The created token's document with its value, which is shown this once."""
        value = self.store.create_token(call.account_id, token_name(kind, int(stored["id"])))
        uid = stored.get("uid") or secrets.token_hex(8)
        updated = self.store.update_with(
            kind, int(stored["id"]), lambda current: {**current, "uid": uid, "token": value[:9] + "..."}
        )
        return {**updated, "token_string": value}

    def rotate(self, kind: str, call: Call, stored: dict[str, Any]) -> dict[str, Any]:
        self.store.revoke_tokens(token_name(kind, int(stored["id"])))
        return self.issue(kind, call, stored)

    def changed(self, kind: str, call: Call, stored: dict[str, Any]) -> None:
        if stored.get("state", 1) == 2:
            self.store.revoke_tokens(token_name(kind, int(stored["id"])))

    def permissions(self, call: Call, token_id: int) -> list[dict[str, Any]]:
        """A service token's permissions: the grants it was created (or updated) with."""
        stored = self.store.get("service_token", token_id) or {}
        grants = stored.get("permission_grants") or []
        return [
            {
                "id": index + 1,
                "account_id": call.account_id,
                "service_token_id": token_id,
                "all_projects": grant.get("project_id") is None,
                "state": 1,
                "created_at": stored.get("created_at"),
                "updated_at": stored.get("updated_at"),
                **grant,
            }
            for index, grant in enumerate(grants)
            if isinstance(grant, dict)
        ]

    @staticmethod
    def present(call: Call, stored: dict[str, Any], include: set[str]) -> dict[str, Any]:
        return {key: value for key, value in stored.items() if key != "token_string"} | (
            {"token_string": stored["token_string"]} if "token_string" in stored else {}
        )
