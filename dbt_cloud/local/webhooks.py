"""Webhook events as dbt Cloud sends them: which subscriptions hear of a run, the JSON payload, and
its signature.

The payload's fields, their string ids and the status names follow the examples of dbt Cloud's
webhook documentation; the `Authorization` header is the hex HMAC-SHA256 of the exact body bytes
keyed with the subscription's secret, which is how receivers check an event came from us.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import timezone
from typing import Any

from dbt_cloud.local.clock import from_api, now
from dbt_cloud.local.status import RunStatus

SUBSCRIPTION_KIND = "webhook_subscription"
EVENT_KIND = "webhook_event"
RECEIPT_KIND = "webhook_receipt"
STARTED = "job.run.started"
COMPLETED = "job.run.completed"
ERRORED = "job.run.errored"
EVENT_TYPES = (STARTED, COMPLETED, ERRORED)
#: What a `webhook test` sends: not a run's event, so a receiver that acts on runs ignores it.
TEST_EVENT = "test"
#: Status names of the documentation's payloads (they differ from the API's `status_humanized`).
STATUS_NAMES = {
    RunStatus.QUEUED: "Queued",
    RunStatus.STARTING: "Starting",
    RunStatus.RUNNING: "Running",
    RunStatus.SUCCESS: "Success",
    RunStatus.ERROR: "Errored",
    RunStatus.CANCELLED: "Cancelled",
}


def new_secret() -> str:
    return secrets.token_hex(32)


def new_event_id() -> str:
    return "wev_" + secrets.token_hex(12)


def new_receipt_id() -> str:
    return "wrc_" + secrets.token_hex(12)


def subscription_id(row_id: int) -> str:
    """Subscriptions are named `wsu_...` by the service; the number is the store's row id."""
    return f"wsu_{row_id}"


def row_id_of(subscription: str) -> int | None:
    text = subscription.removeprefix("wsu_")
    return int(text) if text.isdigit() and len(text) < 19 else None


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def listens(subscription: dict[str, Any], event_type: str, run: dict[str, Any]) -> bool:
    """Whether a subscription wants this event of this run: active, of the run's account, subscribed
    to the event type, and either for every job (no `job_ids`) or for the run's job."""
    if not subscription.get("active") or subscription.get("account_id") != run["account_id"]:
        return False
    if event_type not in (subscription.get("event_types") or []):
        return False
    job_ids = subscription.get("job_ids") or []
    return not job_ids or run["job_id"] in job_ids


def run_event_types(event: str, run: dict[str, Any]) -> list[str]:
    """The webhook events a run's start or end makes: an errored run sends `job.run.errored` first and
    `job.run.completed` after it, as the service does (the errored event is the faster of the two)."""
    if event == "started":
        return [STARTED]
    return [ERRORED, COMPLETED] if run["status"] == RunStatus.ERROR else [COMPLETED]


def payload(
    subscription: dict[str, Any],
    event_type: str,
    run: dict[str, Any],
    job: dict[str, Any] | None,
    environment: dict[str, Any] | None,
    project: dict[str, Any] | None,
) -> dict[str, Any]:
    status = RunStatus.RUNNING if event_type == STARTED else RunStatus(run["status"])
    data: dict[str, Any] = {
        "jobId": _text(run["job_id"]),
        "jobName": (job or {}).get("name"),
        "runId": _text(run["id"]),
        "environmentId": _text(run["environment_id"]),
        "environmentName": (environment or {}).get("name"),
        "dbtVersion": (environment or {}).get("dbt_version") or "",
        "projectName": (project or {}).get("name"),
        "projectId": _text(run["project_id"]),
        "runStatus": STATUS_NAMES[status],
        "runStatusCode": int(status),
        "runStatusMessage": str(run["status_message"]) if event_type != STARTED else "None",
        "runReason": str((run["data"].get("trigger") or {}).get("cause") or ""),
        "runStartedAt": _moment(run["started_at"]),
    }
    if event_type == COMPLETED:
        data["runFinishedAt"] = _moment(run["finished_at"])
    elif event_type == ERRORED:
        data["runErroredAt"] = _moment(run["finished_at"])
    return _envelope(subscription, event_type, data)


def event_row(subscription: dict[str, Any], body: dict[str, Any], job_id: int | None) -> dict[str, Any]:
    """What is kept of an event sent to a subscription (listed by `webhook list-events`)."""
    return {
        "account_id": subscription["account_id"],
        "account_identifier": subscription.get("account_identifier"),
        "subscription_id": subscription_id(subscription["id"]),
        "event_id": body["eventId"],
        "job_id": job_id,
        "trigger_event_type": body["eventType"],
        "payload": encode(body).decode(),
        "http_status_code": "0",
    }


def verification_payload(subscription: dict[str, Any]) -> dict[str, Any]:
    return _envelope(subscription, TEST_EVENT, {"message": "A test event sent by `webhook test`."})


def _envelope(subscription: dict[str, Any], event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "accountId": subscription["account_id"],
        "webhooksID": subscription_id(subscription["id"]),
        "eventId": new_event_id(),
        "timestamp": now().strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "eventType": event_type,
        "webhookName": subscription.get("name"),
        "data": data,
    }


def _text(value: Any) -> str:
    # The documentation's payloads give ids as strings.
    return "" if value is None else str(value)


def _moment(text: str | None) -> str | None:
    moment = from_api(text)
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
