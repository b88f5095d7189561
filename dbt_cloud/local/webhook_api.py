"""The webhook endpoints (API v3), answered by `webhook_subscriptions.Subscriptions`: handlers of
`app.py`'s kind (operation, call), run in a worker thread like every handler there, so the store
and the test event's delivery never block the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from dbt_cloud.local.filters import select
from dbt_cloud.local.http import Call, envelope, json_response
from dbt_cloud.local.spec import Operation
from dbt_cloud.local.webhook_subscriptions import Subscriptions

Handler = Callable[[Operation, Call], Response]
BASE = "/api/v3/accounts/{account_id}/webhooks/"
ONE = BASE + "subscription/{subscription_id}"


class WebhookEndpoints:
    def __init__(self, subscriptions: Subscriptions) -> None:
        self.subscriptions = subscriptions

    def behaviour(self) -> dict[str, tuple[Handler, str]]:
        """The webhook operations (keyed as spec.py keys them), each with what it does."""
        return {
            f"GET {BASE}subscriptions": (self.list_subscriptions, "the account's subscriptions"),
            f"POST {BASE}subscriptions": (self.create_subscription, "subscribes; answers the signing secret"),
            f"GET {ONE}": (self.get_subscription, "the subscription, with its last delivery"),
            f"PUT {ONE}": (self.update_subscription, "changes the subscription"),
            f"DELETE {ONE}": (self.delete_subscription, "unsubscribes"),
            f"GET {ONE}/test": (self.test_subscription, "sends a signed test event to the URL"),
            f"GET {ONE}/events": (self.list_events, "the events sent to the subscription"),
            f"GET {ONE}/event/{{event_id}}/receipt": (self.list_event_receipts, "each delivery attempt of an event"),
            f"GET {BASE}event/{{event_id}}": (self.get_event, "an event as it was sent"),
            f"GET {BASE}event/{{event_id}}/receipts": (self.list_event_receipts, "each delivery attempt of an event"),
            f"GET {BASE}receipt/{{receipt_id}}": (self.get_receipt, "a delivery attempt: request, answer, error"),
        }

    def list_subscriptions(self, op: Operation, call: Call) -> Response:
        return self.page(op, call, self.subscriptions.listing(call.account_id))

    def create_subscription(self, op: Operation, call: Call) -> Response:
        created = self.subscriptions.create(call.account_id, call.body_object())
        return json_response(envelope(created, status=201), status=201)

    def get_subscription(self, op: Operation, call: Call) -> Response:
        return self.answer(self.subscriptions.get, call.account_id, _named(call))

    def update_subscription(self, op: Operation, call: Call) -> Response:
        return self.answer(self.subscriptions.update, call.account_id, _named(call), call.body_object())

    def delete_subscription(self, op: Operation, call: Call) -> Response:
        return self.answer(self.subscriptions.delete, call.account_id, _named(call))

    def test_subscription(self, op: Operation, call: Call) -> Response:
        return self.answer(self.subscriptions.test, call.account_id, _named(call))

    def list_events(self, op: Operation, call: Call) -> Response:
        return self.page(op, call, self.subscriptions.events(call.account_id, _named(call)))

    def get_event(self, op: Operation, call: Call) -> Response:
        return self.answer(self.subscriptions.event, call.account_id, str(call.path_params["event_id"]))

    def list_event_receipts(self, op: Operation, call: Call) -> Response:
        subscription = call.path_params.get("subscription_id")
        event_id = str(call.path_params["event_id"])
        named = None if subscription is None else str(subscription)
        return self.answer(self.subscriptions.receipts, call.account_id, event_id, named)

    def get_receipt(self, op: Operation, call: Call) -> Response:
        return self.answer(self.subscriptions.receipt, call.account_id, str(call.path_params["receipt_id"]))

    @staticmethod
    def page(op: Operation, call: Call, items: list[dict[str, Any]]) -> Response:
        chosen, _, extra = select(items, call, op)
        return json_response(envelope(chosen, extra=extra))

    @staticmethod
    def answer(action: Callable[..., Any], *args: Any) -> Response:
        return json_response(envelope(action(*args)))


def _named(call: Call) -> str:
    return str(call.path_params["subscription_id"])
