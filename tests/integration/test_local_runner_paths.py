"""Paths as dbt Cloud serves them: every route of the runner, for every method it takes, answers the
same with and without the trailing slash, and never with a redirect (`requests` drops the token when
it follows one behind a proxy). Artifact paths, which end in a file name, keep working as they are."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dbt_cloud.local.app import create_app
from dbt_cloud.local.store import Store
from tests.support.local_runner import LocalRunner, start_local_runner

#: An id no object has: updates and deletes through it change nothing in the module's runner.
ABSENT = 987654


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRunner]:
    # Its own runner: creating through both forms of every collection path must not disturb other tests.
    yield from start_local_runner(tmp_path_factory.mktemp("paths-runner"))


def canonical_routes(data_dir: Path) -> list[tuple[str, str]]:
    """Every (method, path template) of the app's route table that ends in a slash."""
    store = Store(data_dir / "routes.sqlite3")
    try:
        found = []
        for route in create_app(store, None, data_dir).routes:
            template = str(getattr(route, "path", ""))
            for method in sorted(getattr(route, "methods", None) or []):
                if method != "HEAD" and template.endswith("/"):
                    found.append((method, template))
        return found
    finally:
        store.close()


def fill(template: str, runner: LocalRunner, method: str) -> str:
    path = template.replace("{account_id:int}", str(runner.account_id)).replace("{account_id}", str(runner.account_id))
    # Reads go to objects that exist (the demo project, its environment and jobs); writes to none.
    known = {"project_id": runner.project_id, "environment_id": runner.environment_id, "job_id": runner.jobs["build"]}
    for name, value in known.items():
        path = re.sub(r"\{" + name + r"(:int)?\}", str(value if method == "GET" else ABSENT), path)
    return re.sub(r"\{[a-z_]+(:int)?\}", str(ABSENT), path)


def test_every_route_answers_both_forms_alike_without_redirecting(runner: LocalRunner, tmp_path: Path) -> None:
    checked = 0
    with runner.http() as http:
        http.follow_redirects = False
        for method, template in canonical_routes(tmp_path):
            canonical = fill(template, runner, method)
            answers = {}
            for path in (canonical, canonical.rstrip("/")):
                body = {} if method in ("POST", "PATCH", "PUT") else None
                response = http.request(method, path, json=body)
                assert not response.is_redirect, (method, path, response.status_code, response.headers.get("location"))
                assert "does not implement" not in response.text, (method, path)
                answers[path] = response.status_code
            assert len(set(answers.values())) == 1, (method, answers)
            checked += 1
    assert checked >= 50, "the route table was read"


def test_the_slashless_form_of_a_nested_path_reads_the_same_object(runner: LocalRunner) -> None:
    with runner.http() as http:
        http.follow_redirects = False
        canonical = http.get(f"/api/v3/accounts/{runner.account_id}/projects/{runner.project_id}/")
        bare = http.get(f"/api/v3/accounts/{runner.account_id}/projects/{runner.project_id}")
        listing = http.get(f"/api/v3/accounts/{runner.account_id}/projects")
    assert canonical.status_code == bare.status_code == listing.status_code == 200
    assert bare.json()["data"] == canonical.json()["data"]
    assert runner.project_id in [project["id"] for project in listing.json()["data"]]


def test_an_artifact_path_is_left_as_it_is(runner: LocalRunner) -> None:
    with runner.http() as http:
        http.follow_redirects = False
        run = http.post(
            f"/api/v2/accounts/{runner.account_id}/jobs/{runner.jobs['build']}/run",
            json={"cause": "paths", "steps_override": ["dbt seed"]},
        )
        assert run.status_code == 200, run.text
        run_id = run.json()["data"]["id"]
        assert runner.wait_for_run(run_id)["status"] == 10
        artifact = http.get(f"/api/v2/accounts/{runner.account_id}/runs/{run_id}/artifacts/run_results.json")
        listed = http.get(f"/api/v2/accounts/{runner.account_id}/runs/{run_id}/artifacts")
    assert artifact.status_code == 200
    assert artifact.json()["results"], "the file itself, not an envelope"
    assert "run_results.json" in listed.json()["data"]


def test_an_unknown_path_still_says_so_in_either_form(runner: LocalRunner) -> None:
    with runner.http() as http:
        http.follow_redirects = False
        answers = [http.get(f"/api/v2/accounts/{runner.account_id}/no-such-thing{slash}") for slash in ("", "/")]
    assert [answer.status_code for answer in answers] == [404, 404]
    assert all(isinstance(answer, httpx.Response) and answer.json()["status"]["code"] == 404 for answer in answers)
