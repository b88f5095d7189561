"""The local runner under attack and under load: artifact paths that try to leave the run's folder,
tokens of one account reaching for another's objects on every endpoint, oversized bodies, 100
triggers at once, and a worker killed mid-run."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from dbt_cloud.api.operations.job import JobRun
from dbt_cloud.config import Settings
from dbt_cloud.http.client import DbtCloudClient
from dbt_cloud.local.app import MAX_BODY_BYTES, create_app
from dbt_cloud.local.store import Store
from dbt_cloud.local.web_page import web_routes
from tests.support.local_runner import LocalRunner


def raw_get(runner: LocalRunner, path: str, token: str | None = None) -> tuple[int, bytes]:
    """A request sent byte for byte as written: no client normalises `..` or decodes `%2e` first."""
    host, port = runner.base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.putheader("Authorization", f"Token {token or runner.token}")
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def finished_run(local_runner: LocalRunner) -> int:
    with local_runner.http() as http:
        run = http.post(
            f"/api/v2/accounts/{local_runner.account_id}/jobs/{local_runner.jobs['build']}/run/",
            json={"cause": "hardening", "steps_override": ["dbt seed"]},
        ).json()["data"]
    assert local_runner.wait_for_run(run["id"])["status"] == 10
    return int(run["id"])


@pytest.mark.parametrize(
    "escape",
    [
        "../../../local.sqlite3",
        "..%2f..%2f..%2flocal.sqlite3",
        "%2e%2e/%2e%2e/%2e%2e/local.sqlite3",
        "%2E%2E%2F%2E%2E%2F%2E%2E%2Flocal.sqlite3",
        "/etc/passwd",
        "%2fetc%2fpasswd",
        "....//....//local.sqlite3",
        "steps/1/../../../../local.sqlite3",
    ],
)
def test_artifact_paths_cannot_leave_the_run(local_runner: LocalRunner, finished_run: int, escape: str) -> None:
    secret_bytes = (local_runner.data_dir / "local.sqlite3").read_bytes()[:16]
    for prefix in (f"runs/{finished_run}", f"jobs/{local_runner.jobs['build']}"):
        status, body = raw_get(local_runner, f"/api/v2/accounts/{local_runner.account_id}/{prefix}/artifacts/{escape}")
        assert status in (400, 404), (prefix, escape, status)
        assert secret_bytes not in body
        assert b"root:" not in body


def test_a_legitimate_artifact_still_reads(local_runner: LocalRunner, finished_run: int) -> None:
    status, body = raw_get(
        local_runner, f"/api/v2/accounts/{local_runner.account_id}/runs/{finished_run}/artifacts/run_results.json"
    )
    assert status == 200
    assert {result["unique_id"].split(".")[0] for result in json.loads(body)["results"]} >= {"seed"}


def routes(data_dir: Path) -> list[tuple[str, str]]:
    """Every (method, path template) the local runner implements, read off the app itself."""
    store = Store(data_dir / "routes.sqlite3")
    try:
        app = create_app(store, None, data_dir)
        found = []
        # The web page's paths answer the same static files to anyone: they hold no data, and the
        # API the page reads wants a token (tests/e2e/test_run_page.py).
        pages = {route.path for route in web_routes()}
        for route in app.routes:
            if getattr(route, "path", None) in pages:
                continue
            for method in sorted(getattr(route, "methods", None) or []):
                if method != "HEAD":
                    found.append((method, str(getattr(route, "path", ""))))
        return found
    finally:
        store.close()


def fill(template: str, account_id: int, object_id: int) -> str:
    path = template.replace("{account_id:int}", str(account_id)).replace("{remainder:path}", "run_results.json")
    return re.sub(r"\{[a-z_]+:int\}", str(object_id), path)


def test_another_accounts_token_reaches_nothing_on_any_endpoint(
    local_runner: LocalRunner, finished_run: int, tmp_path: Path
) -> None:
    store = local_runner.store()
    try:
        intruder = store.insert("account", {"name": "Intruder"})
        token = store.create_token(intruder["id"], "intruder")
    finally:
        store.close()
    victim, own = local_runner.account_id, intruder["id"]
    with local_runner.http() as http:
        job_before = http.get(f"/api/v2/accounts/{victim}/jobs/1/").json()
    checked = 0
    with local_runner.http() as http:
        http.headers["Authorization"] = f"Token {token}"
        for method, template in routes(tmp_path):
            if "{account_id:int}" not in template:
                continue
            # The victim's paths: refused before anything is looked up.
            answer = http.request(method, fill(template, victim, 1), json={"name": "x", "cause": "x"})
            assert answer.status_code == 403, (method, template, answer.status_code)
            # The intruder's own paths with the victim's ids: nothing found, nothing listed, nothing changed.
            answer = http.request(method, fill(template, own, 1), json={"name": "x", "cause": "x", "project_id": 1})
            written = answer.json().get("data") if answer.status_code in (200, 201) and method != "GET" else None
            if answer.status_code == 201 or isinstance(written, dict):
                # Creating (or keeping a setting) in its own account is its right; it must stay there.
                assert answer.json()["data"]["account_id"] == own, template
            elif answer.status_code == 200 and method == "GET":
                listed = answer.json().get("data", answer.json())  # some checks answer a bare object
                items = listed if isinstance(listed, list) else [listed]
                assert all(
                    not isinstance(item, dict) or str(item.get("account_id")) in ("None", str(own)) for item in items
                ), template
            else:
                assert answer.status_code in (400, 404), (method, template, answer.status_code, answer.text[:200])
            checked += 1
        assert http.get("/api/v2/users/1/").status_code == 404
        accounts = http.get("/api/v2/accounts/").json()["data"]
    assert [account["id"] for account in accounts] == [own]
    assert checked >= 40
    with local_runner.http() as http:
        assert http.get(f"/api/v2/accounts/{victim}/jobs/1/").json() == job_before


def test_oversized_bodies_are_refused(local_runner: LocalRunner) -> None:
    path = f"/api/v2/accounts/{local_runner.account_id}/jobs/{local_runner.jobs['build']}/run/"
    huge = json.dumps({"cause": "x" * (MAX_BODY_BYTES + 1)}).encode()
    with local_runner.http() as http:
        declared = http.post(path, content=huge, headers={"Content-Type": "application/json"})

        def chunks() -> Any:  # no Content-Length: the limit must hold on what actually arrives
            for start in range(0, len(huge), 65536):
                yield huge[start : start + 65536]

        streamed = http.post(path, content=chunks(), headers={"Content-Type": "application/json"})
        runs_after = http.get(
            f"/api/v2/accounts/{local_runner.account_id}/runs/",
            params={"job_definition_id": local_runner.jobs["build"], "order_by": "-id", "limit": 1},
        ).json()["data"]
    for answer in (declared, streamed):
        assert answer.status_code == 413
        assert "larger than" in answer.json()["status"]["user_message"]
    assert not runs_after or runs_after[0]["trigger"] is None or runs_after[0]["trigger"].get("cause") != "x"


def test_100_concurrent_triggers_each_run_exactly_once(local_runner: LocalRunner) -> None:
    job_id = local_runner.seed_jobs(1, name="Concurrent triggers", execute_steps=["dbt debug --config-dir"])[0]
    settings = Settings.resolve(
        {
            "api_token": local_runner.token,
            "dbt_cloud_host": local_runner.base_url,
            "account_id": local_runner.account_id,
        }
    )
    with DbtCloudClient(settings) as client, ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(
            pool.map(
                lambda number: (
                    JobRun(account_id=local_runner.account_id, job_id=job_id, cause=f"trigger {number}")
                    .execute(client)
                    .data
                ),
                range(100),
            )
        )
    run_ids = [run["id"] for run in answers]
    assert len(set(run_ids)) == 100
    finished = [local_runner.wait_for_run(run_id, timeout=600) for run_id in run_ids]
    assert {run["status"] for run in finished} == {10}
    with local_runner.http() as http:
        listed = []
        for offset in (0, 100):
            listed += http.get(
                f"/api/v2/accounts/{local_runner.account_id}/runs/",
                params={"job_definition_id": job_id, "offset": offset, "include_related": "trigger,run_steps"},
            ).json()["data"]
    assert sorted(run["id"] for run in listed) == sorted(run_ids)
    assert sorted(run["trigger"]["cause"] for run in listed) == sorted(f"trigger {n}" for n in range(100))
    # dbt Cloud's three first steps (clone, profile, deps), then the job's one.
    assert all(len(run["run_steps"]) == 4 for run in listed)


def test_a_killed_worker_errors_its_run_and_the_server_keeps_serving(local_runner: LocalRunner) -> None:
    account = f"/api/v2/accounts/{local_runner.account_id}"
    with local_runner.http() as http:
        run = http.post(f"{account}/jobs/{local_runner.jobs['docs']}/run/", json={"cause": "victim"}).json()["data"]
        deadline = time.monotonic() + 120
        while http.get(f"{account}/runs/{run['id']}/").json()["data"]["status"] != 3:
            assert time.monotonic() < deadline, "the run never started"
            time.sleep(0.05)
    store = local_runner.store()
    try:
        pid = store.get_run(run["id"])["worker_pid"]  # type: ignore[index]
    finally:
        store.close()
    os.kill(pid, signal.SIGKILL)
    ended = local_runner.wait_for_run(run["id"])
    assert ended["status"] == 20
    assert "exited unexpectedly" in ended["status_message"]
    with local_runner.http() as http:
        assert http.get(f"{account}/jobs/").status_code == 200
        later = http.post(
            f"{account}/jobs/{local_runner.jobs['build']}/run/",
            json={"cause": "after", "steps_override": ["dbt debug --config-dir"]},
        ).json()["data"]
    assert local_runner.wait_for_run(later["id"])["status"] == 10
