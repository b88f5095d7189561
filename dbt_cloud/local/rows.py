"""The few ways webhooks and job triggers reach the store's resources: list a kind's rows, add one,
change one.

The store's generic layer is being reshaped; everything events and triggers read or write about
subscriptions, their delivered events and jobs goes through these three functions, so following a
new store is a change here only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from dbt_cloud.local.clock import now, to_api
from dbt_cloud.local.store import Store


def list_rows(store: Store, kind: str, account_id: int | None = None) -> list[dict[str, Any]]:
    """Every live (not deleted) row of a kind, of one account or of all, by id."""
    return store.all(kind, account_id)


def insert_row(store: Store, kind: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    return store.insert(kind, fields)


def update_row(store: Store, kind: str, row_id: int, changes: Mapping[str, Any]) -> dict[str, Any] | None:
    """Merge `changes` into the row as it is stored now, in one transaction: a delivery recording its
    status and a user editing the subscription at the same moment both keep their fields."""
    with store.transaction() as db:
        found = db.execute("SELECT data FROM objects WHERE kind = ? AND id = ?", (kind, row_id)).fetchone()
        if found is None:
            return None
        document = {**json.loads(found[0]), **changes, "id": row_id, "updated_at": to_api(now())}
        db.execute(
            "UPDATE objects SET data = ?, account_id = ?, project_id = ? WHERE kind = ? AND id = ?",
            (json.dumps(document), document.get("account_id"), document.get("project_id"), kind, row_id),
        )
    return dict(document)
