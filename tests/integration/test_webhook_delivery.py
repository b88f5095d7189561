"""Webhook deliveries against receivers that fail: retried, recorded, never sent elsewhere.

The dispatcher runs in the test's process here (with a real store and a real HTTP receiver on
127.0.0.1) so its pauses between retries can be short; the pauses themselves are not measured.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dbt_cloud.local.rows import insert_row, list_rows
from dbt_cloud.local.store import Store
from dbt_cloud.local.webhook_delivery import RETRY_PAUSES, Delivery, WebhookDispatcher
from dbt_cloud.local.webhooks import EVENT_KIND, RECEIPT_KIND, SUBSCRIPTION_KIND, new_secret, verification_payload
from tests.support.webhook_receiver import webhook_receiver


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "runner.sqlite3")
    yield store
    store.close()


def subscription(store: Store, url: str) -> dict[str, Any]:
    return insert_row(
        store,
        SUBSCRIPTION_KIND,
        {
            "account_id": 1,
            "name": "flaky",
            "client_url": url,
            "event_types": ["job.run.completed"],
            "job_ids": [],
            "active": True,
            "hmac_secret": new_secret(),
            "http_status_code": "0",
        },
    )


def deliver(store: Store, row: dict[str, Any]) -> Any:
    dispatcher = WebhookDispatcher(store, retry_pauses=[0.01] * len(RETRY_PAUSES))
    try:
        return dispatcher.deliver(Delivery(row, verification_payload(row), job_id=None))
    finally:
        dispatcher.stop()


def test_a_failing_receiver_is_retried_five_times_and_the_failure_recorded(store: Store) -> None:
    with webhook_receiver(then=503) as receiver:
        row = subscription(store, receiver.url)
        outcome = deliver(store, row)
        attempts = receiver.events()

    assert len(attempts) == 1 + len(RETRY_PAUSES) == 6
    assert len({attempt.body for attempt in attempts}) == 1  # the same event each time, signed each time
    assert all(attempt.signed_with(row["hmac_secret"]) for attempt in attempts)
    assert not outcome.delivered
    (recorded,) = list_rows(store, SUBSCRIPTION_KIND)
    assert recorded["http_status_code"] == "503"
    assert recorded["dispatched_at"]
    (event,) = list_rows(store, EVENT_KIND)
    assert event["http_status_code"] == "503"
    assert event["error_info"] == "HTTP 503"
    assert json.loads(event["payload"])["eventId"] == attempts[0].json()["eventId"]
    receipts = list_rows(store, RECEIPT_KIND)  # one per attempt
    assert [receipt["http_status_code"] for receipt in receipts] == ["503"] * 6


def test_a_receiver_that_recovers_gets_the_event_and_the_success_is_recorded(store: Store) -> None:
    with webhook_receiver(statuses=[500, 502]) as receiver:
        row = subscription(store, receiver.url)
        outcome = deliver(store, row)
        attempts = receiver.events()

    assert len(attempts) == 3
    assert outcome.delivered
    (recorded,) = list_rows(store, SUBSCRIPTION_KIND)
    assert recorded["http_status_code"] == "200"


def test_a_receiver_that_cannot_be_reached_is_recorded_as_status_0(store: Store) -> None:
    with webhook_receiver() as receiver:
        url = receiver.url
    row = subscription(store, url)  # the receiver is gone: nothing listens on its port
    outcome = deliver(store, row)

    assert outcome.status_code == 0
    assert outcome.error
    (recorded,) = list_rows(store, SUBSCRIPTION_KIND)
    assert recorded["http_status_code"] == "0"
    assert recorded["dispatched_at"]


def test_a_redirect_is_not_followed(store: Store) -> None:
    with webhook_receiver(then=307) as receiver:
        receiver.redirect_to = receiver.url.replace("/hook", "/elsewhere")
        row = subscription(store, receiver.url)
        outcome = deliver(store, row)
        elsewhere = receiver.events("/elsewhere")

    assert elsewhere == []
    assert outcome.status_code == 307
    assert not outcome.delivered
