"""The webhook subscription endpoints (API v3): keep subscriptions, hand out their secret once, send
a test event, list what was delivered and the receipt of every attempt.

Subscriptions are kept as rows of the store like any resource; what is particular to them is here:
the `wsu_` ids, the `hmac_secret` answered only when a subscription is created, the checks on
`event_types` and `client_url`, and the test endpoint, which delivers one event while the client
waits and answers the receiver's status code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dbt_cloud.local.app import LocalApi, envelope, invalid, json_response, not_found
from dbt_cloud.local.filters import parse_list_query
from dbt_cloud.local.rows import insert_row, list_rows, update_row
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

Handler = Callable[[Request, int], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]

#: Fields of a subscription a client sets (SubscriptionRequest); the rest are the server's.
WRITABLE = ("name", "description", "event_types", "job_ids", "client_url", "active", "deactivate_reason")


class WebhookApi:
    def __init__(self, api: LocalApi, dispatcher: WebhookDispatcher) -> None:
        self.api = api
        self.store = api.store
        self.dispatcher = dispatcher

    async def list_subscriptions(self, request: Request, account_id: int) -> Response:
        query = parse_list_query(request)
        items = [present(row) for row in list_rows(self.store, SUBSCRIPTION_KIND, account_id)]
        return self.api.page(items, query, {"account_id": account_id})

    async def create_subscription(self, request: Request, account_id: int) -> Response:
        fields = checked(await self.api.body(request))
        created = insert_row(
            self.store,
            SUBSCRIPTION_KIND,
            {
                **fields,
                "account_id": account_id,
                "account_identifier": f"act_{account_id}",
                "hmac_secret": new_secret(),
                "http_status_code": "0",
                "dispatched_at": None,
            },
        )
        # The secret is shown this once, as on dbt Cloud: receivers keep it to check signatures.
        answer = {**present(created), "hmac_secret": created["hmac_secret"]}
        return json_response(envelope(answer, status=201), status=201)

    async def get_subscription(self, request: Request, account_id: int) -> Response:
        return json_response(envelope(present(self.require(request, account_id))))

    async def update_subscription(self, request: Request, account_id: int) -> Response:
        found = self.require(request, account_id)
        fields = checked(await self.api.body(request))
        updated = update_row(self.store, SUBSCRIPTION_KIND, found["id"], fields)
        if updated is None:
            raise not_found(f"Webhook subscription {request.path_params['subscription_id']}")
        return json_response(envelope(present(updated)))

    async def delete_subscription(self, request: Request, account_id: int) -> Response:
        found = self.require(request, account_id)
        update_row(self.store, SUBSCRIPTION_KIND, found["id"], {"state": 2, "active": False})
        return json_response(envelope({"id": subscription_id(found["id"])}))

    async def test_subscription(self, request: Request, account_id: int) -> Response:
        found = self.require(request, account_id)
        body = verification_payload(found)
        event = insert_row(self.store, EVENT_KIND, event_row(found, body, None))
        # One attempt while the client waits, in a worker thread: the event loop keeps serving.
        outcome = await run_in_threadpool(self.dispatcher.send_once, found, body, event["id"])
        answer = {
            "event_id": body["eventId"],
            "verification_status_code": str(outcome.status_code),
            "verification_error": outcome.error,
        }
        return json_response(envelope(answer))

    async def list_events(self, request: Request, account_id: int) -> Response:
        found = self.require(request, account_id)
        query = parse_list_query(request)
        wanted = subscription_id(found["id"])
        rows = list_rows(self.store, EVENT_KIND, account_id)
        items = [present_event(row) for row in rows if row["subscription_id"] == wanted]
        return self.api.page(items, query, {"account_id": account_id})

    async def get_event(self, request: Request, account_id: int) -> Response:
        return json_response(envelope(present_event(self.require_event(request, account_id))))

    async def list_event_receipts(self, request: Request, account_id: int) -> Response:
        event = self.require_event(request, account_id)
        if "subscription_id" in request.path_params:
            subscription = self.require(request, account_id)
            if event["subscription_id"] != subscription_id(subscription["id"]):
                raise not_found(
                    f"Webhook event {event['event_id']} of subscription {subscription_id(subscription['id'])}"
                )
        rows = list_rows(self.store, RECEIPT_KIND, account_id)
        return json_response(envelope([present_receipt(row) for row in rows if row["event_id"] == event["event_id"]]))

    async def get_receipt(self, request: Request, account_id: int) -> Response:
        wanted = str(request.path_params["receipt_id"])
        for row in list_rows(self.store, RECEIPT_KIND, account_id):
            if row["receipt_id"] == wanted:
                return json_response(envelope(present_receipt(row)))
        raise not_found(f"Webhook receipt {wanted}")

    def require_event(self, request: Request, account_id: int) -> dict[str, Any]:
        wanted = str(request.path_params["event_id"])
        for row in list_rows(self.store, EVENT_KIND, account_id):
            if row["event_id"] == wanted:
                return row
        raise not_found(f"Webhook event {wanted}")

    def require(self, request: Request, account_id: int) -> dict[str, Any]:
        text = str(request.path_params["subscription_id"])
        row_id = row_id_of(text)
        found = self.store.get(SUBSCRIPTION_KIND, row_id) if row_id is not None else None
        if found is None or found.get("account_id") != account_id or found.get("state", 1) == 2:
            raise not_found(f"Webhook subscription {text}")
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


def webhook_routes(webhooks: WebhookApi, endpoint: Callable[[Handler], Endpoint]) -> list[Route]:
    """The routes, each with and without its trailing slash (the spec writes them without)."""
    base = "/api/v3/accounts/{account_id:int}/webhooks/"
    one = base + "subscription/{subscription_id}"
    table: list[tuple[str, Handler, str]] = [
        (base + "subscriptions", webhooks.list_subscriptions, "GET"),
        (base + "subscriptions", webhooks.create_subscription, "POST"),
        (one, webhooks.get_subscription, "GET"),
        (one, webhooks.update_subscription, "PUT"),
        (one, webhooks.delete_subscription, "DELETE"),
        (one + "/test", webhooks.test_subscription, "GET"),
        (one + "/events", webhooks.list_events, "GET"),
        (one + "/event/{event_id}/receipt", webhooks.list_event_receipts, "GET"),
        # Deprecated by dbt Cloud, still answered: clients of older docs call them.
        (base + "event/{event_id}", webhooks.get_event, "GET"),
        (base + "event/{event_id}/receipts", webhooks.list_event_receipts, "GET"),
        (base + "receipt/{receipt_id}", webhooks.get_receipt, "GET"),
    ]
    routes = []
    for path, handler, method in table:
        routes.append(Route(path, endpoint(handler), methods=[method]))
        routes.append(Route(path + "/", endpoint(handler), methods=[method]))
    return routes
