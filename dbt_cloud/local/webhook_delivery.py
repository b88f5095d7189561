"""Delivering webhook events: a queue and a thread for each subscription, so a slow or dead
receiver never holds up a run, an API answer or the events of another subscription (its retries
wait on its own lane only); the events of one subscription arrive in the order they happened.

Each event is POSTed to the subscription's `client_url` and nowhere else: redirects are not
followed (a redirect would send the signed body to an address nobody subscribed). A delivery that
does not get a 2xx answer within the timeout is retried with growing pauses, five times as dbt Cloud
does; every attempt's outcome is recorded on the subscription (`http_status_code`, `dispatched_at`),
on the event (listed by `webhook list-events`) and in a receipt of its own (request, answer, error).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from dbt_cloud.local.clock import now, to_api
from dbt_cloud.local.rows import insert_row, update_row
from dbt_cloud.local.store import Store
from dbt_cloud.local.webhooks import (
    EVENT_KIND,
    RECEIPT_KIND,
    SUBSCRIPTION_KIND,
    encode,
    event_row,
    new_receipt_id,
    sign,
    subscription_id,
)

log = logging.getLogger("dbt_cloud.local")

#: Pauses before each retry (dbt Cloud retries five times); the tests pass shorter ones.
RETRY_PAUSES = (1.0, 2.0, 4.0, 8.0, 16.0)
#: How much of a receiver's answer a receipt keeps.
RESPONSE_KEPT_BYTES = 10_000
#: dbt Cloud gives a receiver 10 seconds to answer.
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Outcome:
    status_code: int  # 0: no HTTP answer at all
    error: str | None

    @property
    def delivered(self) -> bool:
        return 200 <= self.status_code < 300


@dataclass(frozen=True)
class Delivery:
    subscription: dict[str, Any]
    payload: dict[str, Any]
    job_id: int | None


class WebhookDispatcher:
    def __init__(
        self,
        store: Store,
        retry_pauses: Sequence[float] = RETRY_PAUSES,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.store = store
        self.retry_pauses = tuple(retry_pauses)
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._lanes: dict[Any, tuple[queue.Queue[Delivery | None], threading.Thread]] = {}
        self._client = httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False, transport=transport)

    def start(self) -> None:
        """Nothing to start: each subscription's lane starts with its first event."""

    def stop(self) -> None:
        self._stopping.set()  # a delivery waiting to retry gives up rather than hold up the shutdown
        with self._lock:
            lanes = list(self._lanes.values())
            self._lanes.clear()
        for events, _ in lanes:
            events.put(None)
        for _, thread in lanes:
            thread.join(timeout=TIMEOUT_SECONDS + 1)
        self._client.close()

    def submit(self, subscription: dict[str, Any], payload: dict[str, Any], job_id: int | None) -> None:
        self._lane(subscription["id"]).put(Delivery(subscription, payload, job_id))

    def wait_until_idle(self) -> None:
        """Until every submitted event has been delivered or given up (for tests and shutdown)."""
        with self._lock:
            lanes = list(self._lanes.values())
        for events, _ in lanes:
            events.join()

    def _lane(self, key: Any) -> queue.Queue[Delivery | None]:
        with self._lock:
            if key not in self._lanes:
                events: queue.Queue[Delivery | None] = queue.Queue()
                thread = threading.Thread(
                    target=self._loop, args=(events,), name=f"webhook-delivery-{key}", daemon=True
                )
                self._lanes[key] = (events, thread)
                thread.start()
            return self._lanes[key][0]

    def _loop(self, events: queue.Queue[Delivery | None]) -> None:
        while True:
            delivery = events.get()
            try:
                if delivery is None:
                    return
                self.deliver(delivery)
            except Exception:  # a bad event must not stop deliveries of the others
                log.exception("webhook delivery failed")
            finally:
                events.task_done()

    def deliver(self, delivery: Delivery) -> Outcome:
        """Send one event, retrying until it is taken or the retries run out; answers the last outcome."""
        event = insert_row(self.store, EVENT_KIND, event_row(delivery.subscription, delivery.payload, delivery.job_id))
        outcome = self.send_once(delivery.subscription, delivery.payload, event["id"])
        for pause in self.retry_pauses:
            if outcome.delivered:
                break
            if self._stopping.wait(pause):
                break
            outcome = self.send_once(delivery.subscription, delivery.payload, event["id"])
        if not outcome.delivered:
            log.warning(
                "webhook %s: %s was not delivered to its URL: %s",
                subscription_id(delivery.subscription["id"]),
                delivery.payload["eventType"],
                outcome.error,
            )
        return outcome

    def send_once(self, subscription: dict[str, Any], payload: dict[str, Any], event_row_id: int | None) -> Outcome:
        """One attempt; its outcome is recorded on the subscription, the event and a receipt of its own."""
        body = encode(payload)
        headers = {
            "Authorization": sign(body, subscription["hmac_secret"]),
            "Content-Type": "application/json",
            "User-Agent": "dbt-cloud-local-runner",
        }
        answer = b""
        try:
            with self._client.stream("POST", subscription["client_url"], content=body, headers=headers) as response:
                answer = _read_at_most(response, RESPONSE_KEPT_BYTES)
            outcome = Outcome(response.status_code, None if response.is_success else f"HTTP {response.status_code}")
        except httpx.HTTPError as error:
            outcome = Outcome(0, f"{type(error).__name__}: {error}")
        stamp = to_api(now())
        status = str(outcome.status_code)
        recorded = {"http_status_code": status, "dispatched_at": stamp}
        update_row(self.store, SUBSCRIPTION_KIND, subscription["id"], recorded)
        if event_row_id is not None:
            update_row(self.store, EVENT_KIND, event_row_id, {**recorded, "error_info": outcome.error})
        insert_row(
            self.store,
            RECEIPT_KIND,
            {
                "account_id": subscription["account_id"],
                "receipt_id": new_receipt_id(),
                "event_id": payload["eventId"],
                "subscription_id": subscription_id(subscription["id"]),
                "dispatched_at": stamp,
                "http_status_code": status,
                "error_info": outcome.error or "",
                "request_body": body.decode(),
                "request_headers": json.dumps(headers),
                "response_body": answer.decode(errors="replace"),
            },
        )
        return outcome


def _read_at_most(response: httpx.Response, limit: int) -> bytes:
    # A receiver's answer is kept for its receipt, but never read whole: it could be endless.
    kept = b""
    for chunk in response.iter_bytes():
        kept += chunk
        if len(kept) >= limit:
            return kept[:limit]
    return kept
