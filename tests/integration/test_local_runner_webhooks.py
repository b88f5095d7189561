"""Webhooks of the local runner, seen from a receiver: a real HTTP server started by the test gets
the events of real runs, signed as dbt Cloud signs them."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import httpx
import jsonschema

from tests.integration.test_local_runner_spec import response_schema
from tests.support.local_runner import LocalRunner
from tests.support.webhook_receiver import webhook_receiver


def data(outcome: Any) -> Any:
    assert outcome.exit_code == 0, outcome.stderr
    return json.loads(outcome.stdout)["data"]


def new_job(runner: LocalRunner, http: httpx.Client, name: str, steps: list[str]) -> int:
    """A job of its own, so the events a test waits for are of its runs only."""
    answer = http.post(
        f"/api/v2/accounts/{runner.account_id}/jobs/",
        json={
            "name": name,
            "project_id": runner.project_id,
            "environment_id": runner.environment_id,
            "execute_steps": steps,
        },
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["data"]["id"])


def subscribe(local_cli: Any, url: str, events: list[str], job_id: int) -> dict[str, Any]:
    created = data(
        local_cli(
            "webhook", "create", "--name", "test receiver", "--client-url", url,
            "--event-types", json.dumps(events), "--job-ids", str(job_id), "--active",
        )
    )  # fmt: skip
    assert created["hmac_secret"], created
    return dict(created)


def run_job(runner: LocalRunner, http: httpx.Client, job_id: int) -> dict[str, Any]:
    answer = http.post(f"/api/v2/accounts/{runner.account_id}/jobs/{job_id}/run/", json={"cause": "webhook test"})
    assert answer.status_code == 200, answer.text
    return runner.wait_for_run(int(answer.json()["data"]["id"]))


def test_a_run_sends_started_and_completed_each_signed(local_runner: LocalRunner, local_cli: Any) -> None:
    with webhook_receiver() as receiver, local_runner.http() as http:
        job_id = new_job(local_runner, http, "Webhook: success", ["dbt parse"])
        subscription = subscribe(local_cli, receiver.url, ["job.run.started", "job.run.completed"], job_id)
        run = run_job(local_runner, http, job_id)
        started, completed = receiver.wait_for(2)

    assert [started.json()["eventType"], completed.json()["eventType"]] == ["job.run.started", "job.run.completed"]
    for event in (started, completed):
        assert event.signed_with(subscription["hmac_secret"]), event.headers
        body = event.json()
        assert body["webhooksID"] == subscription["id"]
        assert body["accountId"] == local_runner.account_id
        assert body["webhookName"] == "test receiver"
        assert body["eventId"].startswith("wev_")
        assert body["data"]["runId"] == str(run["id"])
        assert body["data"]["jobId"] == str(job_id)
        assert body["data"]["jobName"] == "Webhook: success"
        assert body["data"]["runReason"] == "webhook test"
    assert started.json()["data"]["runStatus"] == "Running"
    assert started.json()["data"]["runStatusCode"] == 3
    assert completed.json()["data"]["runStatus"] == "Success"
    assert completed.json()["data"]["runStatusCode"] == 10
    assert completed.json()["data"]["runFinishedAt"].endswith("Z")

    # The delivery is recorded on the subscription; its secret is never shown again.
    shown = data(local_cli("webhook", "get", "--subscription-id", subscription["id"]))
    assert shown["http_status_code"] == "200"
    assert shown["dispatched_at"]
    assert "hmac_secret" not in shown
    events = data(local_cli("webhook", "list-events", "--subscription-id", subscription["id"]))
    assert sorted(event["trigger_event_type"] for event in events) == ["job.run.completed", "job.run.started"]


def test_an_errored_run_sends_errored_then_completed(local_runner: LocalRunner, local_cli: Any) -> None:
    with webhook_receiver() as receiver, local_runner.http() as http:
        job_id = new_job(local_runner, http, "Webhook: failure", ["dbt parse", "dbt run-operation no_such_macro"])
        everything = ["job.run.started", "job.run.completed", "job.run.errored"]
        subscription = subscribe(local_cli, receiver.url, everything, job_id)
        run = run_job(local_runner, http, job_id)
        received = receiver.wait_for(3)

    assert run["status"] == 20
    assert [event.json()["eventType"] for event in received] == ["job.run.started", *everything[2:], everything[1]]
    errored, completed = received[1].json()["data"], received[2].json()["data"]
    assert errored["runStatus"] == completed["runStatus"] == "Errored"
    assert errored["runStatusCode"] == 20
    assert errored["runErroredAt"]
    assert "runFinishedAt" not in errored
    assert all(event.signed_with(subscription["hmac_secret"]) for event in received)


def test_webhook_test_delivers_a_signed_test_event(local_runner: LocalRunner, local_cli: Any) -> None:
    with webhook_receiver() as receiver, local_runner.http() as http:
        job_id = new_job(local_runner, http, "Webhook: test event", ["dbt parse"])
        subscription = subscribe(local_cli, receiver.url, ["job.run.completed"], job_id)
        answer = data(local_cli("webhook", "test", "--subscription-id", subscription["id"]))
        (event,) = receiver.events()

    assert answer["verification_status_code"] == "200"
    assert answer["event_id"] == event.json()["eventId"]
    assert event.json()["eventType"] == "test"
    assert event.signed_with(subscription["hmac_secret"])


def test_a_subscription_without_a_valid_url_or_event_is_refused(local_runner: LocalRunner) -> None:
    path = f"/api/v3/accounts/{local_runner.account_id}/webhooks/subscriptions"
    valid = {"name": "x", "client_url": "http://127.0.0.1:9/", "event_types": ["job.run.started"], "active": True}
    with local_runner.http() as http:
        bad_url = http.post(path, json={**valid, "client_url": "file:///etc/passwd"})
        bad_event = http.post(path, json={**valid, "event_types": ["job.ran"]})
    assert bad_url.status_code == 400
    assert "client_url" in bad_url.json()["data"]
    assert bad_event.status_code == 400
    assert "event_types" in bad_event.json()["data"]


def test_every_webhook_answer_validates_against_the_spec(local_runner: LocalRunner) -> None:
    v3 = f"/api/v3/accounts/{local_runner.account_id}/webhooks"
    spec_v3 = "/api/v3/accounts/{account_id}/webhooks"
    body = {"name": "spec", "client_url": "", "event_types": ["job.run.completed"], "active": True, "job_ids": []}
    with webhook_receiver() as receiver, local_runner.http() as http:
        body["client_url"] = receiver.url
        created = http.post(f"{v3}/subscriptions", json=body)
        checked = [(created, "POST", "/subscriptions")]
        one = created.json()["data"]["id"]
        tested = http.get(f"{v3}/subscription/{one}/test")
        event_id = tested.json()["data"]["event_id"]
        receipts = http.get(f"{v3}/subscription/{one}/event/{event_id}/receipt")
        receipt_id = receipts.json()["data"][0]["id"]
        renamed = http.put(f"{v3}/subscription/{one}", json={**body, "name": "renamed"})
        checked += [
            (tested, "GET", "/subscription/{subscription_id}/test"),
            (receipts, "GET", "/subscription/{subscription_id}/event/{event_id}/receipt"),
            (http.get(f"{v3}/subscriptions"), "GET", "/subscriptions"),
            (http.get(f"{v3}/subscription/{one}"), "GET", "/subscription/{subscription_id}"),
            (
                http.put(f"{v3}/subscription/{one}", json={**body, "name": "renamed"}),
                "PUT",
                "/subscription/{subscription_id}",
            ),
            (http.get(f"{v3}/subscription/{one}/events"), "GET", "/subscription/{subscription_id}/events"),
            (http.get(f"{v3}/event/{event_id}"), "GET", "/event/{event_id}"),
            (http.get(f"{v3}/event/{event_id}/receipts"), "GET", "/event/{event_id}/receipts"),
            (http.get(f"{v3}/receipt/{receipt_id}"), "GET", "/receipt/{receipt_id}"),
            (http.delete(f"{v3}/subscription/{one}"), "DELETE", "/subscription/{subscription_id}"),
        ]
        gone = http.get(f"{v3}/subscription/{one}")

    for response, method, path in checked:
        assert response.status_code < 300, (method, path, response.text)
        jsonschema.validate(response.json(), response_schema("v3", method, spec_v3 + path, set()))
    assert renamed.json()["data"]["name"] == "renamed"
    assert json.loads(receipts.json()["data"][0]["request_body"])["eventId"] == event_id
    assert gone.status_code == 404


def test_a_dead_receiver_does_not_hold_up_another_subscription(local_runner: LocalRunner, local_cli: Any) -> None:
    """Each subscription has a lane of its own: a receiver that refuses every attempt (retried for
    about 30 s) does not delay the events of a live one. Seen without timing: when the live
    receiver has its event, the dead one's same event is still being retried (under 6 attempts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    v3 = f"/api/v3/accounts/{local_runner.account_id}/webhooks"
    with webhook_receiver() as receiver, local_runner.http() as http:
        job_id = new_job(local_runner, http, "Webhook: one dead receiver", ["dbt parse"])
        dead = subscribe(local_cli, f"http://127.0.0.1:{closed_port}/hook", ["job.run.started"], job_id)
        subscribe(local_cli, receiver.url, ["job.run.started"], job_id)
        answer = http.post(f"/api/v2/accounts/{local_runner.account_id}/jobs/{job_id}/run/", json={"cause": "lanes"})
        assert answer.status_code == 200, answer.text
        (started,) = receiver.wait_for(1)
        events: list[Any] = []
        for _ in range(100):  # its lane's first attempt may be a moment behind the live one's
            events = data(local_cli("webhook", "list-events", "--subscription-id", dead["id"]))
            if events:
                break
            time.sleep(0.05)
        (event,) = events
        attempts = http.get(f"{v3}/subscription/{dead['id']}/event/{event['id']}/receipt").json()["data"]
        local_runner.wait_for_run(int(answer.json()["data"]["id"]))
        assert data(local_cli("webhook", "delete", "--subscription-id", dead["id"])) is not None
    assert started.json()["eventType"] == "job.run.started"
    assert 1 <= len(attempts) < 6, attempts
