"""Which subscriptions hear of which runs, and the payload and signature they get."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from dbt_cloud.local.webhooks import COMPLETED, ERRORED, STARTED, encode, listens, payload, run_event_types, sign

RUN = {
    "id": 7,
    "account_id": 1,
    "job_id": 3,
    "project_id": 2,
    "environment_id": 4,
    "status": 20,
    "status_message": "Step 2 failed: dbt build",
    "started_at": "2026-03-02 08:15:01.000000+00:00",
    "finished_at": "2026-03-02 08:16:30.500000+00:00",
    "data": {"trigger": {"cause": "scheduled"}},
}
SUBSCRIPTION = {"id": 5, "account_id": 1, "name": "hook", "active": True, "event_types": [COMPLETED], "job_ids": []}


@pytest.mark.parametrize(
    ("changes", "hears"),
    [
        ({}, True),  # every job of the account when job_ids is empty
        ({"job_ids": [3, 9]}, True),
        ({"job_ids": [9]}, False),
        ({"event_types": [STARTED]}, False),
        ({"active": False}, False),
        ({"account_id": 2}, False),
    ],
)
def test_a_subscription_hears_the_runs_it_names(changes: dict[str, Any], hears: bool) -> None:
    assert listens({**SUBSCRIPTION, **changes}, COMPLETED, RUN) is hears


def test_an_errored_run_makes_errored_then_completed_and_a_success_only_completed() -> None:
    assert run_event_types("completed", RUN) == [ERRORED, COMPLETED]
    assert run_event_types("completed", {**RUN, "status": 10}) == [COMPLETED]
    assert run_event_types("started", RUN) == [STARTED]


def test_the_payload_has_the_documented_fields() -> None:
    job, environment, project = {"name": "Nightly"}, {"name": "Prod", "dbt_version": "1.11"}, {"name": "Bikes"}
    body = payload(SUBSCRIPTION, ERRORED, RUN, job, environment, project)
    assert set(body) == {"accountId", "webhooksID", "eventId", "timestamp", "eventType", "webhookName", "data"}
    assert body["webhooksID"] == "wsu_5"
    assert body["data"] == {
        "jobId": "3",
        "jobName": "Nightly",
        "runId": "7",
        "environmentId": "4",
        "environmentName": "Prod",
        "dbtVersion": "1.11",
        "projectName": "Bikes",
        "projectId": "2",
        "runStatus": "Errored",
        "runStatusCode": 20,
        "runStatusMessage": "Step 2 failed: dbt build",
        "runReason": "scheduled",
        "runStartedAt": "2026-03-02T08:15:01Z",
        "runErroredAt": "2026-03-02T08:16:30Z",
    }
    started = payload(SUBSCRIPTION, STARTED, RUN, job, environment, project)["data"]
    assert (started["runStatus"], started["runStatusCode"], started["runStatusMessage"]) == ("Running", 3, "None")


def test_the_signature_is_the_hex_hmac_sha256_of_the_body() -> None:
    body = encode({"eventType": COMPLETED})
    assert sign(body, "s3cret") == hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert json.loads(body) == {"eventType": COMPLETED}
