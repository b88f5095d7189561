"""The local runner answers as the official OpenAPI specs say, not only as our own models expect.

Each implemented endpoint's answer is validated against the response schema of its operation in
the vendored specs, with the two allowances the real service needs (shared reference README):
typed fields may be null (the specs mark nothing nullable, yet the service answers null for unset
fields), and related objects are required only when `include_related` asks for them.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from tests.support.local_runner import LocalRunner
from tests.support.spec_allowances import lenient, spec


def response_schema(version: str, method: str, path: str, included: set[str]) -> Any:
    document = spec(version)
    operation = document["paths"][path][method.lower()]
    status = next(code for code in operation["responses"] if str(code).startswith("2"))
    content = operation["responses"][status]["content"]["application/json"]["schema"]
    return lenient(document, content, included)


def answer(runner: LocalRunner, method: str, path: str, **kwargs: Any) -> Any:
    with runner.http() as http:
        response = http.request(method, path, **kwargs)
    assert response.status_code < 300, response.text
    body = response.json()
    # The spec contradicts itself on one field: a job's `schedule.date` and `schedule.time` are
    # objects at the job endpoint (as the service answers, see api-samples/job_get_response.json)
    # but plain strings in the copy of the job embedded in a run. The embedded job is checked
    # against the job endpoint's schema instead (test_an_embedded_job_equals_the_job).
    for run in body["data"] if isinstance(body["data"], list) else [body["data"]]:
        if isinstance(run, dict) and isinstance(run.get("job"), dict):
            run["job"].pop("schedule", None)
    return body


@pytest.fixture(scope="module")
def finished_run(local_runner: LocalRunner) -> int:
    with local_runner.http() as http:
        run = http.post(
            f"/api/v2/accounts/{local_runner.account_id}/jobs/{local_runner.jobs['docs']}/run/",
            json={"cause": "spec check"},
        ).json()["data"]
    local_runner.wait_for_run(run["id"])
    return int(run["id"])


def cases(runner: LocalRunner, run_id: int) -> list[tuple[str, str, str, str, dict[str, Any], set[str]]]:
    """(version, method, spec path, actual path, request options, related objects asked for)."""
    a, p, e, j = runner.account_id, runner.project_id, runner.environment_id, runner.jobs["build"]
    v2, v3 = f"/api/v2/accounts/{a}", f"/api/v3/accounts/{a}"
    with runner.http() as http:
        step_id = http.get(f"{v2}/runs/{run_id}/", params={"include_related": "run_steps"}).json()["data"]["run_steps"][
            0
        ]["id"]
        repository_id = http.get(f"{v3}/projects/{p}/").json()["data"]["repository_id"]
        connection_id = http.get(f"{v3}/projects/{p}/").json()["data"]["connection_id"]
    related = {"trigger", "job", "environment", "run_steps"}
    return [
        ("v2", "GET", "/api/v2/accounts/", "/api/v2/accounts/", {}, set()),
        ("v2", "GET", "/api/v2/accounts/{account_id}/", f"{v2}/", {}, set()),
        ("v2", "GET", "/api/v2/accounts/{account_id}/users/", f"{v2}/users/", {}, set()),
        ("v3", "GET", "/api/v3/accounts/{account_id}/users/", f"{v3}/users/", {}, set()),
        ("v2", "GET", "/api/v2/accounts/{account_id}/projects/", f"{v2}/projects/", {}, set()),
        ("v3", "GET", "/api/v3/accounts/{account_id}/projects/{id}/", f"{v3}/projects/{p}/", {}, set()),
        ("v2", "GET", "/api/v2/accounts/{account_id}/environments/", f"{v2}/environments/", {}, set()),
        (
            "v3",
            "GET",
            "/api/v3/accounts/{account_id}/projects/{project_id}/environments/{id}/",
            f"{v3}/projects/{p}/environments/{e}/",
            {},
            set(),
        ),
        (
            "v3",
            "GET",
            "/api/v3/accounts/{account_id}/projects/{project_id}/repositories/{id}/",
            f"{v3}/projects/{p}/repositories/{repository_id}/",
            {},
            set(),
        ),
        (
            "v3",
            "GET",
            "/api/v3/accounts/{account_id}/projects/{project_id}/connections/{id}/",
            f"{v3}/projects/{p}/connections/{connection_id}/",
            {},
            set(),
        ),
        ("v2", "GET", "/api/v2/accounts/{account_id}/jobs/", f"{v2}/jobs/", {}, set()),
        ("v2", "GET", "/api/v2/accounts/{account_id}/jobs/{id}/", f"{v2}/jobs/{j}/", {}, set()),
        (
            "v2",
            "GET",
            "/api/v2/accounts/{account_id}/runs/",
            f"{v2}/runs/",
            {"params": {"include_related": "trigger,job,environment,run_steps"}},
            related,
        ),
        (
            "v2",
            "GET",
            "/api/v2/accounts/{account_id}/runs/{id}/",
            f"{v2}/runs/{run_id}/",
            {"params": {"include_related": '["trigger","job","environment","run_steps"]'}},
            related,
        ),
        ("v2", "GET", "/api/v2/accounts/{account_id}/runs/{id}/", f"{v2}/runs/{run_id}/", {}, set()),
        (
            "v2",
            "GET",
            "/api/v2/accounts/{account_id}/runs/{run_id}/artifacts/",
            f"{v2}/runs/{run_id}/artifacts/",
            {},
            set(),
        ),
        ("v2", "POST", "/api/v2/accounts/{account_id}/runs/{run_id}/cancel/", f"{v2}/runs/{run_id}/cancel/", {}, set()),
        ("v2", "GET", "/api/v2/accounts/{account_id}/steps/{id}/", f"{v2}/steps/{step_id}/", {}, set()),
        (
            "v3",
            "GET",
            "/api/v3/accounts/{account_id}/projects/{project_id}/environment-variables/environment/",
            f"{v3}/projects/{p}/environment-variables/environment/",
            {},
            set(),
        ),
    ]


def test_answers_match_the_official_response_schemas(local_runner: LocalRunner, finished_run: int) -> None:
    failures = []
    checked = 0
    for version, method, spec_path, path, options, included in cases(local_runner, finished_run):
        body = answer(local_runner, method, path, **options)
        schema = response_schema(version, method, spec_path, included)
        errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(body), key=lambda error: list(error.path))
        failures += [f"{method} {spec_path}: {'/'.join(map(str, e.path))}: {e.message[:200]}" for e in errors[:5]]
        checked += 1
    assert checked == 19
    assert not failures, "\n".join(failures)


def test_the_trigger_answer_matches_the_spec(local_runner: LocalRunner) -> None:
    path = "/api/v2/accounts/{account_id}/jobs/{job_id}/run/"
    body = answer(
        local_runner,
        "POST",
        f"/api/v2/accounts/{local_runner.account_id}/jobs/{local_runner.jobs['build']}/run/",
        json={"cause": "spec check", "steps_override": ["dbt seed"]},
    )
    jsonschema.validate(body, response_schema("v2", "POST", path, set()))
    local_runner.wait_for_run(body["data"]["id"])


def test_an_embedded_job_equals_the_job(local_runner: LocalRunner, finished_run: int) -> None:
    account = f"/api/v2/accounts/{local_runner.account_id}"
    with local_runner.http() as http:
        run = http.get(f"{account}/runs/{finished_run}/", params={"include_related": "job"}).json()["data"]
        job = http.get(f"{account}/jobs/{run['job_definition_id']}/").json()
    jsonschema.validate(job, response_schema("v2", "GET", "/api/v2/accounts/{account_id}/jobs/{id}/", set()))
    assert run["job"] == job["data"]


def test_lenient_schemas_still_reject_wrong_types() -> None:
    # The allowances must not make validation vacuous.
    schema = response_schema("v2", "GET", "/api/v2/accounts/{account_id}/runs/{id}/", set())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"status": {"code": 200}, "data": {"id": "not a number"}}, schema)
