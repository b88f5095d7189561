"""Webhook subscriptions as the service keeps them: the `wsu_` ids, the `hmac_secret` answered only
when a subscription is created, the checks on `event_types`, `job_ids` and `client_url`, the test
event, and what was delivered (events, and a receipt per attempt).

Plain functions of the store: no HTTP framework here. `webhook_api.py` answers the routes with them;
a handler of another routing layer is a line per operation. Errors are the API's own (400 with the
fields, 404), raised as `ApiError` for whichever layer answers.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from dbt_cloud.local.http import invalid, not_found
from dbt_cloud.local.rows import insert_row, list_rows, update_row
from dbt_cloud.local.store import Store
from dbt_cloud.local.webhook_delivery import WebhookDispatcher
from dbt_cloud.local.webhooks import (
    EVENT_KIND,
    EVENT_TYPES,
    RECEIPT_KIND,
    SUBSCRIPTION_KIND,
    event_row,
    new_secret,
    row_id_of,
    subscription_id,
    verification_payload,
)

#: Fields of a subscription a client sets (SubscriptionRequest); the rest are the server's.
WRITABLE = ("name", "description", "event_types", "job_ids", "client_url", "active", "deactivate_reason")


class Subscriptions:
    def __init__(self, store: Store, dispatcher: WebhookDispatcher) -> None:
        self.store = store
        self.dispatcher = dispatcher

    def listing(self, account_id: int) -> list[dict[str, Any]]:
        return [present(row) for row in list_rows(self.store, SUBSCRIPTION_KIND, account_id)]

    def create(self, account_id: int, body: dict[str, Any]) -> dict[str, Any]:
        created = insert_row(
            self.store,
            SUBSCRIPTION_KIND,
            {
                **checked(body),
                "account_id": account_id,
                "account_identifier": f"act_{account_id}",
                "hmac_secret": new_secret(),
                "http_status_code": "0",
                "dispatched_at": None,
            },
        )
        # The secret is shown this once, as on dbt Cloud: receivers keep it to check signatures.
        return {**present(created), "hmac_secret": created["hmac_secret"]}

    def get(self, account_id: int, subscription: str) -> dict[str, Any]:
        return present(self.require(account_id, subscription))

    def update(self, account_id: int, subscription: str, body: dict[str, Any]) -> dict[str, Any]:
        found = self.require(account_id, subscription)
        # Merged into the row as stored when the body is complete (rows.update_row), atomically.
        updated = update_row(self.store, SUBSCRIPTION_KIND, found["id"], checked(body))
        if updated is None:
            raise not_found(f"Webhook subscription {subscription}")
        return present(updated)

    def delete(self, account_id: int, subscription: str) -> dict[str, Any]:
        found = self.require(account_id, subscription)
        update_row(self.store, SUBSCRIPTION_KIND, found["id"], {"state": 2, "active": False})
        return {"id": subscription_id(found["id"])}

    def test(self, account_id: int, subscription: str) -> dict[str, Any]:
        """Send one signed test event now and answer the receiver's status (blocks up to the delivery
        timeout: call it off the event loop)."""
        found = self.require(account_id, subscription)
        body = verification_payload(found)
        event = insert_row(self.store, EVENT_KIND, event_row(found, body, None))
        outcome = self.dispatcher.send_once(found, body, event["id"])
        return {
            "event_id": body["eventId"],
            "verification_status_code": str(outcome.status_code),
            "verification_error": outcome.error,
        }

    def events(self, account_id: int, subscription: str) -> list[dict[str, Any]]:
        wanted = subscription_id(self.require(account_id, subscription)["id"])
        rows = list_rows(self.store, EVENT_KIND, account_id)
        return [present_event(row) for row in rows if row["subscription_id"] == wanted]

    def event(self, account_id: int, event_id: str) -> dict[str, Any]:
        return present_event(self.require_event(account_id, event_id))

    def receipts(self, account_id: int, event_id: str, subscription: str | None = None) -> list[dict[str, Any]]:
        event = self.require_event(account_id, event_id)
        if subscription is not None:
            named = subscription_id(self.require(account_id, subscription)["id"])
            if event["subscription_id"] != named:
                raise not_found(f"Webhook event {event_id} of subscription {named}")
        rows = list_rows(self.store, RECEIPT_KIND, account_id)
        return [present_receipt(row) for row in rows if row["event_id"] == event_id]

    def receipt(self, account_id: int, receipt_id: str) -> dict[str, Any]:
        for row in list_rows(self.store, RECEIPT_KIND, account_id):
            if row["receipt_id"] == receipt_id:
                return present_receipt(row)
        raise not_found(f"Webhook receipt {receipt_id}")

    def require_event(self, account_id: int, event_id: str) -> dict[str, Any]:
        for row in list_rows(self.store, EVENT_KIND, account_id):
            if row["event_id"] == event_id:
                return row
        raise not_found(f"Webhook event {event_id}")

    def require(self, account_id: int, subscription: str) -> dict[str, Any]:
        row_id = row_id_of(subscription)
        found = self.store.get(SUBSCRIPTION_KIND, row_id) if row_id is not None else None
        if found is None or found.get("account_id") != account_id or found.get("state", 1) == 2:
            raise not_found(f"Webhook subscription {subscription}")
        return found


def checked(data: dict[str, Any]) -> dict[str, Any]:
    """The writable fields of a subscription request, or a 400 naming every field that is wrong."""
    errors: dict[str, list[str]] = {}
    for name in ("name", "client_url", "event_types", "active"):
        if data.get(name) in (None, "", []):
            errors[name] = ["This field is required."]
    events = data.get("event_types")
    if isinstance(events, list) and events:
        unknown = [event for event in events if event not in EVENT_TYPES]
        if unknown:
            errors["event_types"] = [f"{unknown[0]!r} is not one of {', '.join(EVENT_TYPES)}."]
    elif "event_types" not in errors:
        errors["event_types"] = ["Expected a list of event types."]
    jobs = data.get("job_ids", [])
    if not isinstance(jobs, list) or not all(isinstance(job, int) and not isinstance(job, bool) for job in jobs):
        errors["job_ids"] = ["Expected a list of job ids (integers)."]
    url = data.get("client_url")
    if "client_url" not in errors:
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            errors["client_url"] = ["Enter a valid http:// or https:// URL."]
    if "active" not in errors and not isinstance(data.get("active"), bool):
        errors["active"] = ["Must be a boolean."]
    for name in ("name", "description", "deactivate_reason"):
        if data.get(name) is not None and not isinstance(data[name], str):
            errors[name] = ["Not a valid string."]
    if errors:
        raise invalid(errors)
    fields = {name: data[name] for name in WRITABLE if name in data}
    fields.setdefault("job_ids", [])
    fields.setdefault("description", "")
    return fields


def present(row: dict[str, Any]) -> dict[str, Any]:
    """A subscription as the API answers it: never its secret; fields never set (`dispatched_at`
    before the first delivery) left out, as the service leaves them out."""
    answer = {
        "id": subscription_id(row["id"]),
        "account_identifier": row.get("account_identifier"),
        "name": row.get("name"),
        "description": row.get("description"),
        "job_ids": list(row.get("job_ids") or []),
        "event_types": list(row.get("event_types") or []),
        "client_url": row.get("client_url"),
        "active": bool(row.get("active")),
        "created_at": row.get("created_at"),
        "updated_at": row.get("updated_at"),
        "http_status_code": str(row.get("http_status_code") or "0"),
        "dispatched_at": row.get("dispatched_at"),
        "deactivate_reason": row.get("deactivate_reason"),
        "account_id": row.get("account_id"),
    }
    return {key: value for key, value in answer.items() if value is not None}


def present_event(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["event_id"],
        "subscription_id": row["subscription_id"],
        "account_identifier": row.get("account_identifier") or f"act_{row['account_id']}",
        "job_id": "" if row.get("job_id") is None else str(row["job_id"]),
        "trigger_event_type": row["trigger_event_type"],
        "payload": row["payload"],
        "http_status_code": str(row.get("http_status_code") or "0"),
        "dispatched_at": row.get("dispatched_at") or "",
        "error_info": row.get("error_info") or "",
        "account_id": str(row["account_id"]),
    }


def present_receipt(row: dict[str, Any]) -> dict[str, Any]:
    fields = ("event_id", "subscription_id", "dispatched_at", "http_status_code", "error_info")
    texts = ("request_body", "request_headers", "response_body")
    return {"id": row["receipt_id"], **{name: str(row.get(name) or "") for name in (*fields, *texts)}}
