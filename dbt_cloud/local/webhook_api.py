"""The webhook endpoints (API v3) on the Starlette routes of `app.py`: each answers with
`webhook_subscriptions.Subscriptions`, in a worker thread (the store, and the test event's delivery,
never block the event loop), in the API's envelope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dbt_cloud.local.app import LocalApi, envelope, json_response
from dbt_cloud.local.filters import parse_list_query
from dbt_cloud.local.webhook_subscriptions import Subscriptions

Handler = Callable[[Request, int], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


class WebhookApi:
    def __init__(self, api: LocalApi, subscriptions: Subscriptions) -> None:
        self.api = api
        self.subscriptions = subscriptions

    async def list_subscriptions(self, request: Request, account_id: int) -> Response:
        items = await run_in_threadpool(self.subscriptions.listing, account_id)
        return self.api.page(items, parse_list_query(request), {"account_id": account_id})

    async def create_subscription(self, request: Request, account_id: int) -> Response:
        body = await self.api.body(request)
        created = await run_in_threadpool(self.subscriptions.create, account_id, body)
        return json_response(envelope(created, status=201), status=201)

    async def get_subscription(self, request: Request, account_id: int) -> Response:
        return await self.answer(self.subscriptions.get, account_id, _named(request))

    async def update_subscription(self, request: Request, account_id: int) -> Response:
        body = await self.api.body(request)
        return await self.answer(self.subscriptions.update, account_id, _named(request), body)

    async def delete_subscription(self, request: Request, account_id: int) -> Response:
        return await self.answer(self.subscriptions.delete, account_id, _named(request))

    async def test_subscription(self, request: Request, account_id: int) -> Response:
        return await self.answer(self.subscriptions.test, account_id, _named(request))

    async def list_events(self, request: Request, account_id: int) -> Response:
        items = await run_in_threadpool(self.subscriptions.events, account_id, _named(request))
        return self.api.page(items, parse_list_query(request), {"account_id": account_id})

    async def get_event(self, request: Request, account_id: int) -> Response:
        return await self.answer(self.subscriptions.event, account_id, str(request.path_params["event_id"]))

    async def list_event_receipts(self, request: Request, account_id: int) -> Response:
        subscription = request.path_params.get("subscription_id")
        event_id = str(request.path_params["event_id"])
        return await self.answer(
            self.subscriptions.receipts, account_id, event_id, None if subscription is None else str(subscription)
        )

    async def get_receipt(self, request: Request, account_id: int) -> Response:
        return await self.answer(self.subscriptions.receipt, account_id, str(request.path_params["receipt_id"]))

    async def answer(self, action: Callable[..., Any], *args: Any) -> Response:
        return json_response(envelope(await run_in_threadpool(action, *args)))


def _named(request: Request) -> str:
    return str(request.path_params["subscription_id"])


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
