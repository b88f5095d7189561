"""No input makes the local runner answer 500: every one of the 207 operations, sent bodies of
the wrong shape and type, ids beyond 64 bits and query parameters that are no numbers, answers
4xx (or 2xx where the input is acceptable). The app runs in process on a real store, so a 500's
cause is in this test's output."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from dbt_cloud.local.app import create_app
from dbt_cloud.local.bootstrap import demo_project_dir, ensure_account, register_project
from dbt_cloud.local.spec import operations
from dbt_cloud.local.store import Store

BODIES: list[Any] = [
    [],
    "text",
    7,
    {"name": None},
    {"name": 5, "state": "x"},
    {"id": "x", "project_id": "x"},
    {"project_id": 2**64, "environment_id": 2**63},
    {"execute_steps": [1], "settings": [], "triggers": "x"},
    {"type": "environment", "environment_id": 2**70},
    {"cause": 5, "steps_override": [5], "threads_override": -1},
    {"env_var": "x", "env_vars": [], "ids": [None]},
    {"user_id": "x", "desired_group_ids": ["a"], "": "x"},
]
QUERIES: list[dict[str, str]] = [
    {"limit": "x", "offset": "99999999999999999999"},
    {"order_by": "nope", "pk": "x", "include_related": "[bad"},
    {"created_at__range": '["a","b"]', "id__gt": "x", "job_definition_id": str(2**64)},
    {"status__in": "a,b", "pk__in": "[1,", "step": "x", "user_id": "x"},
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, int, int]]:
    data_dir = tmp_path_factory.mktemp("bad-input")
    store = Store(data_dir / "local.sqlite3")
    account_id, _ = ensure_account(store)
    project = register_project(store, account_id, demo_project_dir(), data_dir)
    token = store.create_token(account_id, "bad input")
    app = create_app(store, None, Path(data_dir))
    with TestClient(app, headers={"Authorization": f"Token {token}"}, raise_server_exceptions=False) as http:
        yield http, account_id, project.project_id
    store.close()


def test_no_input_answers_500(client: tuple[TestClient, int, int], caplog: pytest.LogCaptureFixture) -> None:
    http, account_id, project_id = client
    crashes = []
    sent = 0
    with caplog.at_level(logging.ERROR, logger="dbt_cloud.local"):
        for op in operations():
            path = op.path
            for param in op.path_params:
                value: Any = {"account_id": account_id, "project_id": project_id}.get(param.name)
                if value is None:
                    value = "x.json" if param.name == "remainder" else (1 if param.type == "integer" else "x")
                path = path.replace("{" + param.name + "}", str(value))
            if not path.endswith("/") and "{remainder}" not in op.path:
                path += "/"
            for index, body in enumerate(BODIES):
                query = QUERIES[index % len(QUERIES)]
                answer = http.request(
                    op.method,
                    path,
                    params=query,
                    content=json.dumps(body),
                    headers={"content-type": "application/json"},
                )
                sent += 1
                if answer.status_code >= 500:
                    crashes.append(f"{op.method} {path} {query} {json.dumps(body)[:60]}: {answer.text[:160]}")
            huge = http.request(op.method, path.replace("/1/", f"/{2**64}/"))
            if huge.status_code >= 500:
                crashes.append(f"{op.method} {path} with a huge id: {huge.text[:160]}")
    assert sent == 207 * len(BODIES)
    assert crashes == [], "\n".join(crashes[:20]) + "\n" + caplog.text[-3000:]
