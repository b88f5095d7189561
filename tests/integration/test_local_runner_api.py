"""What clients of the real service rely on, checked against a running local runner: tokens made
through the API, job-level environment variables in a run, the run list's filters, related
objects, and bodies and ids that once made the runner lose a write or answer 500."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from dbt_cloud.local.bootstrap import register_project
from tests.support import secrets_watch
from tests.support.local_runner import LocalRunner

HUGE = 2**63


def data(outcome: Any) -> Any:
    assert outcome.exit_code == 0, outcome.stderr
    return json.loads(outcome.stdout)["data"]


def v2(runner: LocalRunner) -> str:
    return f"/api/v2/accounts/{runner.account_id}"


def v3(runner: LocalRunner) -> str:
    return f"/api/v3/accounts/{runner.account_id}"


def in_demo(runner: LocalRunner) -> dict[str, int]:
    return {"project_id": runner.project_id, "environment_id": runner.environment_id}


# -- tokens ---------------------------------------------------------------------------------------


def test_a_service_token_created_through_the_cli_authenticates_until_deleted(
    local_runner: LocalRunner, local_cli: Any
) -> None:
    answer = local_cli("service-token", "create", "--name", "CI token")
    created = data(answer)
    token = created["token_string"]
    secrets_watch.issued(token, answer.stdout)  # shown once, here; anywhere else it is a leak
    assert token.startswith("dbtl_")
    assert token != local_runner.token
    account = local_cli("account", "get", env={"DBT_CLOUD_API_TOKEN": token})
    assert data(account)["id"] == local_runner.account_id
    # The value is shown once: reading the token back does not show it.
    shown = data(local_cli("service-token", "get", "--service-token-id", str(created["id"])))
    assert token not in json.dumps(shown)
    assert local_cli("service-token", "delete", "--service-token-id", str(created["id"])).exit_code == 0
    refused = local_cli("account", "get", env={"DBT_CLOUD_API_TOKEN": token})
    assert refused.exit_code == 1
    assert "401" in refused.stderr or "Invalid token" in refused.stderr


def test_a_token_is_scoped_to_its_account(local_runner: LocalRunner) -> None:
    with local_runner.http() as http:
        token = http.post(f"{v3(local_runner)}/service-tokens/", json={"name": "scoped"}).json()["data"]["token_string"]
        elsewhere = f"/api/v2/accounts/{local_runner.account_id + 1}/"
        other = http.get(elsewhere, headers={"Authorization": f"Token {token}"})
    assert other.status_code == 403


def test_a_personal_access_token_authenticates_until_deleted(local_runner: LocalRunner) -> None:
    with local_runner.http() as http:
        user_id = http.get(f"{v2(local_runner)}/users/").json()["data"][0]["id"]
        made = http.post(f"{v3(local_runner)}/users/{user_id}/account-apikeys/", json={"name": "mine"}).json()["data"]
        mine = {"Authorization": f"Bearer {made['token_string']}"}
        assert http.get(f"{v2(local_runner)}/", headers=mine).status_code == 200
        http.delete(f"{v3(local_runner)}/users/{user_id}/account-apikeys/{made['id']}/")
        assert http.get(f"{v2(local_runner)}/", headers=mine).status_code == 401


# -- environment variables ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def env_var_project(local_runner: LocalRunner, tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """A project whose model logs `env_var('DBT_LEVEL')`, registered beside the demo."""
    folder = tmp_path_factory.mktemp("env-var-project")
    (folder / "models").mkdir()
    (folder / "dbt_project.yml").write_text("name: env_var_check\nversion: '1.0'\nprofile: env_var_check\n")
    (folder / "models" / "level.sql").write_text(
        "{{ log('LEVEL=' ~ env_var('DBT_LEVEL', 'unset'), info=True) }}\nselect 1 as one\n"
    )
    store = local_runner.store()
    try:
        registered = register_project(store, local_runner.account_id, folder, local_runner.data_dir)
    finally:
        store.close()
    return {"project": registered.project_id, "environment": registered.environment_id, **registered.jobs}


def test_job_level_overrides_reach_env_var_in_the_run(
    local_runner: LocalRunner, env_var_project: dict[str, int]
) -> None:
    project, environment, job = env_var_project["project"], env_var_project["environment"], env_var_project["build"]
    variables = f"{v3(local_runner)}/projects/{project}/environment-variables/"
    with local_runner.http() as http:
        for fields in (
            {"type": "project", "raw_value": "from-project"},
            {"type": "environment", "environment_id": environment, "raw_value": "from-environment"},
            {"type": "job", "job_definition_id": job, "raw_value": "from-job"},
        ):
            answer = http.post(variables, json={"name": "DBT_LEVEL", **fields})
            assert answer.status_code == 201, answer.text
        # What dbt-jobs-as-code reads: the job's overrides, each level with its value.
        by_job = http.get(f"{variables}job/", params={"job_definition_id": job}).json()["data"]
        assert by_job["DBT_LEVEL"]["job"]["value"] == "from-job"
        assert by_job["DBT_LEVEL"]["project"]["value"] == "from-project"
        run = http.post(f"{v2(local_runner)}/jobs/{job}/run/", json={"cause": "env var levels"}).json()["data"]
    finished = local_runner.wait_for_run(run["id"])
    assert finished["status"] == 10, finished["status_message"]
    with local_runner.http() as http:
        steps = http.get(f"{v2(local_runner)}/runs/{run['id']}/", params={"include_related": "run_steps"}).json()
    logs = "".join(step["logs"] for step in steps["data"]["run_steps"])
    assert "LEVEL=from-job" in logs
    assert "LEVEL=from-environment" not in logs


def test_bulk_environment_variables(local_runner: LocalRunner) -> None:
    base = f"{v3(local_runner)}/projects/{local_runner.project_id}/environment-variables/"
    with local_runner.http() as http:
        values = {"new_name": "DBT_BULK", "project": "p", "Production": "e"}
        made = http.post(f"{base}bulk/", json={"env_var": [values]})
        assert made.status_code == 201, made.text
        listed = http.get(f"{base}environment/").json()["data"]["variables"]["DBT_BULK"]
        assert listed["project"]["value"] == "p"
        assert listed["Production"]["value"] == "e"
        changed = http.put(
            f"{base}bulk/", json={"env_vars": {"name": "DBT_BULK", str(listed["project"]["id"]): "p2"}}
        ).json()["data"]
        assert changed["failures"] == {}
        again = http.get(f"{base}environment/").json()["data"]["variables"]["DBT_BULK"]
        assert again["project"]["value"] == "p2"
        http.request("DELETE", f"{base}bulk/", json={"ids": [listed["project"]["id"], listed["Production"]["id"]]})
        assert "DBT_BULK" not in http.get(f"{base}environment/").json()["data"]["variables"]


# -- what integrations rely on --------------------------------------------------------------------


def test_a_job_without_execute_steps_is_accepted(local_runner: LocalRunner) -> None:
    with local_runner.http() as http:
        answer = http.post(
            f"{v2(local_runner)}/jobs/",
            json={"name": "Ad hoc", **in_demo(local_runner)},
        )
    assert answer.status_code == 201, answer.text
    assert answer.json()["data"]["execute_steps"] == []


def test_run_list_filters_of_the_spec(local_runner: LocalRunner) -> None:
    job = local_runner.jobs["docs"]
    seeded = local_runner.seed_runs(job, 3)
    with local_runner.http() as http:
        runs = f"{v2(local_runner)}/runs/"
        by_pk = http.get(runs, params={"pk": seeded[0]}).json()["data"]
        assert [run["id"] for run in by_pk] == [seeded[0]]
        in_list = http.get(runs, params={"pk__in": f"{seeded[0]},{seeded[1]}"}).json()["data"]
        assert {run["id"] for run in in_list} == {seeded[0], seeded[1]}
        as_json = http.get(runs, params={"pk__in": json.dumps(seeded[:2])}).json()["data"]
        assert {run["id"] for run in as_json} == {seeded[0], seeded[1]}
        window = json.dumps(["2000-01-01T00:00:00Z", "2000-12-31T00:00:00Z"])
        assert http.get(runs, params={"finished_at__range": window}).json()["data"] == []
        recent = json.dumps(["2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z"])
        found = http.get(runs, params={"finished_at__range": recent, "job_definition_id": job}).json()
        assert set(seeded) <= {run["id"] for run in found["data"]}
        assert found["extra"]["filters"]["finished_at__range"] == json.loads(recent)
        above = http.get(runs, params={"id__gt": seeded[1], "job_definition_id": job}).json()["data"]
        assert {run["id"] for run in above} == {seeded[2]}
        unknown = http.get(runs, params={"no_such_filter": "1"})
        assert unknown.status_code == 400
        assert "no_such_filter" in unknown.json()["data"]
        # Empty values are no filter; several keys are a list.
        empty = http.get(runs, params={"include_related": "", "pk": seeded[0]})
        assert empty.status_code == 200
        both = http.get(f"{runs}?pk={seeded[0]}&include_related=trigger&include_related=job").json()["data"][0]
        assert both["trigger"] is not None
        assert both["job"]["id"] == job


def test_jobs_answer_their_most_recent_runs(local_runner: LocalRunner) -> None:
    job = local_runner.jobs["docs"]
    seeded = local_runner.seed_runs(job, 1)
    with local_runner.http() as http:
        answer = http.get(
            f"{v2(local_runner)}/jobs/{job}/", params={"include_related": "most_recent_run,most_recent_completed_run"}
        ).json()["data"]
    assert answer["most_recent_run"]["id"] >= seeded[0]
    assert answer["most_recent_completed_run"]["is_complete"] is True


def test_paths_clients_probe(local_runner: LocalRunner) -> None:
    with local_runner.http() as http:
        assert http.get("/").status_code == 200
        whoami = http.get("/api/v2/whoami/")
        assert whoami.status_code == 200
        assert whoami.json()["data"]["accounts"][0]["id"] == local_runner.account_id
        environments = http.get(f"{v3(local_runner)}/environments/", params={"project_id": local_runner.project_id})
        assert environments.status_code == 200
        assert {env["project_id"] for env in environments.json()["data"]} == {local_runner.project_id}


# -- no wrong state, no lost write, no 500 from input ---------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("run", {"cause": "x", "timeout_seconds_override": "abc"}, "timeout_seconds_override"),
        ("run", {"cause": "x", "threads_override": "abc"}, "threads_override"),
        ("run", {"cause": "x", "threads_override": 0}, "threads_override"),
        ("run", {"cause": "x", "steps_override": "dbt build"}, "steps_override"),
        ("job", {"settings": {"threads": "abc", "target_name": "t"}}, "settings.threads"),
        ("job", {"execute_steps": "dbt build"}, "execute_steps"),
        ("job", {"project_id": HUGE}, "project_id"),
    ],
)
def test_bad_bodies_answer_400_naming_the_field(
    local_runner: LocalRunner, path: str, body: dict[str, Any], field: str
) -> None:
    job = local_runner.jobs["build"]
    url = f"{v2(local_runner)}/jobs/{job}/run/" if path == "run" else f"{v2(local_runner)}/jobs/{job}/"
    with local_runner.http() as http:
        answer = http.post(url, json=body)
        assert answer.status_code == 400, answer.text
        assert field in answer.json()["data"]
        # Nothing was queued or changed.
        assert http.get(f"{v2(local_runner)}/jobs/{job}/").json()["data"]["execute_steps"] == ["dbt build"]


def test_huge_ids_and_deep_bodies_are_refused_not_crashed_on(local_runner: LocalRunner) -> None:
    with local_runner.http() as http:
        assert http.get(f"{v2(local_runner)}/jobs/{HUGE}/").status_code == 404
        assert http.get(f"{v2(local_runner)}/runs/{HUGE * 4}/").status_code == 404
        assert http.get(f"{v2(local_runner)}/runs/", params={"job_definition_id": HUGE}).status_code == 400
        assert http.get(f"{v2(local_runner)}/runs/", params={"pk__in": f"1,{HUGE}"}).status_code == 400
        deep = b"[" * 100_000 + b"]" * 100_000
        answer = http.post(f"{v2(local_runner)}/projects/", content=deep, headers={"content-type": "application/json"})
        assert answer.status_code == 400
        assert http.get(f"{v2(local_runner)}/").status_code == 200  # and the server still answers


def test_a_deleted_projects_collections_are_gone(local_runner: LocalRunner) -> None:
    with local_runner.http() as http:
        project = http.post(f"{v3(local_runner)}/projects/", json={"name": "Soon gone"}).json()["data"]
        base = f"{v3(local_runner)}/projects/{project['id']}"
        assert http.get(f"{base}/environments/").status_code == 200
        http.delete(f"{v3(local_runner)}/projects/{project['id']}/")
        for nested in ("environments/", "credentials/", "connections/", "repositories/", "profiles/"):
            assert http.get(f"{base}/{nested}").status_code == 404, nested


def test_an_update_applies_to_the_row_as_it_is_when_its_body_arrives(local_runner: LocalRunner) -> None:
    """A slow update's body arrives after a fast one: both changes hold (no stale copy written back)."""
    with local_runner.http() as http:
        job = http.post(
            f"{v2(local_runner)}/jobs/",
            json={"name": "Raced", **in_demo(local_runner)},
        ).json()["data"]
    path = f"{v2(local_runner)}/jobs/{job['id']}/"
    slow_body = json.dumps({"description": "from the slow update"}).encode()
    host, port = local_runner.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as slow:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Token {local_runner.token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(slow_body)}\r\n\r\n"
        )
        slow.sendall(head.encode() + slow_body[:5])
        time.sleep(0.5)  # the slow request is being read; the fast one goes through meanwhile
        with local_runner.http() as http:
            assert http.post(path, json={"name": "Renamed by the fast update"}).status_code == 200
        slow.sendall(slow_body[5:])
        reply = slow.recv(65536)
    assert b" 200 " in reply.split(b"\r\n", 1)[0]
    with local_runner.http() as http:
        stored = http.get(path).json()["data"]
    assert stored["name"] == "Renamed by the fast update"
    assert stored["description"] == "from the slow update"


def test_kept_state_of_resources_without_behaviour(local_runner: LocalRunner) -> None:
    """Create, read back, list, update and delete, with the service's field names (groups here)."""
    with local_runner.http() as http:
        groups = f"{v3(local_runner)}/groups/"
        made = http.post(groups, json={"name": "Analysts", "assign_by_default": True})
        assert made.status_code == 201, made.text
        group = made.json()["data"]
        assert http.get(f"{groups}{group['id']}/").json()["data"]["name"] == "Analysts"
        assert group["id"] in {g["id"] for g in http.get(groups).json()["data"]}
        assert http.get(groups, params={"name__icontains": "analy"}).json()["extra"]["pagination"]["count"] >= 1
        renamed = http.post(f"{groups}{group['id']}/", json={"name": "Analysts 2"}).json()["data"]
        assert renamed["name"] == "Analysts 2"
        assert renamed["assign_by_default"] is True
        http.post(f"{groups}{group['id']}/", json={"state": 2})
        assert group["id"] not in {g["id"] for g in http.get(groups).json()["data"]}


def test_the_runner_imports_nothing_from_the_command_line_side() -> None:
    local = Path(__file__).resolve().parents[2] / "dbt_cloud" / "local"
    offenders = [
        f"{path.name}: {line.strip()}"
        for path in local.rglob("*.py")
        for line in path.read_text().splitlines()
        if ("from dbt_cloud" in line or "import dbt_cloud" in line) and "dbt_cloud.local" not in line
    ]
    assert offenders == []


def test_a_service_tokens_permissions_are_its_grants(local_runner: LocalRunner) -> None:
    grants = [{"permission_set": "job_admin", "project_id": local_runner.project_id}]
    with local_runner.http() as http:
        token = http.post(f"{v3(local_runner)}/service-tokens/", json={"name": "jobs", "permission_grants": grants})
        assert token.status_code == 201, token.text
        listed = http.get(f"{v3(local_runner)}/service-tokens/{token.json()['data']['id']}/permissions/").json()
    assert [(p["permission_set"], p["project_id"]) for p in listed["data"]] == [("job_admin", local_runner.project_id)]
