"""The bundled local runner, driven the way users drive dbt Cloud: through the CLI and the client.

A real server process on a free port runs the demo project with dbt-core; these tests check what a
client sees (statuses, steps, logs, artifacts, errors, pages), not the runner's internals.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from dbt_cloud.api.operation import Request
from dbt_cloud.config import Settings
from dbt_cloud.http.client import DbtCloudClient
from tests.conftest import invoke
from tests.support.local_runner import LocalRunner

SCHEMAS = Path(__file__).resolve().parent.parent / "data" / "artifact-schemas"
SCHEMA_OF = {
    "manifest.json": "manifest/v12.json",
    "run_results.json": "run-results/v6.json",
    "catalog.json": "catalog/v1.json",
    "sources.json": "sources/v3.json",
}


def open_schema(node: Any) -> Any:
    """The published schema with the two things dbt-core 1.11 writes that it predates (the real
    dbt 1.11 artifacts of the shared reference differ from manifest v12 in exactly these): a
    `config` on macros, so `additionalProperties: false` is lifted, and `javascript` among a
    macro's `supported_languages`. Every field and type the schema lists is still checked."""
    if isinstance(node, dict):
        opened = {key: open_schema(value) for key, value in node.items()}
        if opened.get("additionalProperties") is False:
            del opened["additionalProperties"]
        if isinstance(opened.get("enum"), list) and {"python", "sql"} <= set(opened["enum"]):
            opened["enum"] = [*opened["enum"], "javascript"]
        return opened
    if isinstance(node, list):
        return [open_schema(value) for value in node]
    return node


def client_for(runner: LocalRunner) -> DbtCloudClient:
    settings = Settings.resolve(
        {"api_token": runner.token, "dbt_cloud_host": runner.base_url, "account_id": runner.account_id}
    )
    return DbtCloudClient(settings)


#: The steps every run begins with, as on dbt Cloud (clone, profile, deps): the job's own come after.
PREAMBLE = 3


def job_steps(run: dict[str, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = run["run_steps"]
    assert steps[0]["name"] == "Clone git repository"
    assert steps[1]["name"].startswith("Create profile from connection ")
    assert steps[2]["name"] == "Invoke dbt with `dbt deps`"
    return steps[PREAMBLE:]


def data(outcome: Any) -> Any:
    assert outcome.exit_code == 0, outcome.stderr
    return json.loads(outcome.stdout)["data"]


def trigger(local_cli: Any, job_id: int, *options: str) -> int:
    run = data(local_cli("job", "run", "--job-id", str(job_id), "--cause", "test", *options))
    assert run["status"] in (1, 2, 3)
    return int(run["id"])


def observe_statuses(runner: LocalRunner, run_id: int) -> list[int]:
    """Every distinct status a polling client sees, in order, until the run completes."""
    seen: list[int] = []
    with runner.http() as http:
        for _ in range(3000):
            status = http.get(f"/api/v2/accounts/{runner.account_id}/runs/{run_id}/").json()["data"]["status"]
            if not seen or seen[-1] != status:
                seen.append(status)
            if status in (10, 20, 30):
                return seen
            import time

            time.sleep(0.05)
    raise AssertionError(f"run {run_id} never completed: {seen}")


def test_a_project_created_through_the_api_runs_end_to_end(
    local_runner: LocalRunner, local_cli: Any, tmp_path: Path
) -> None:
    project = data(local_cli("project", "create", "--name", "API-made project", "--type", "0"))
    # No repository command yet in the CLI: the client sends the request (the same way any API client would).
    with client_for(local_runner) as client:
        repository = client.send_request(
            Request(
                "POST",
                f"/api/v3/accounts/{local_runner.account_id}/projects/{project['id']}/repositories/",
                {},
                {"remote_url": (Path(__file__).parents[2] / "demo" / "project").as_uri()},
            )
        ).data
        # The demo profile reads its warehouse path from this variable (else it writes into the folder).
        client.send_request(
            Request(
                "POST",
                f"/api/v3/accounts/{local_runner.account_id}/projects/{project['id']}/environment-variables/",
                {},
                {"name": "DBT_CLOUD_DEMO_DUCKDB_PATH", "type": "project", "raw_value": str(tmp_path / "w.duckdb")},
            )
        )
    fetched = data(local_cli("project", "get", "--project-id", str(project["id"])))
    assert fetched["repository_id"] == repository["id"]
    environment = data(
        local_cli("environment", "create", "--project-id", str(project["id"]), "--name", "Prod", "--type", "deployment")
    )
    job = data(
        local_cli(
            "job", "create",
            "--project-id", str(project["id"]),
            "--environment-id", str(environment["id"]),
            "--name", "Run one mart",
            "--execute-steps", "dbt seed",
            "--execute-steps", "dbt run --select staging",
        )
    )  # fmt: skip
    run_id = trigger(local_cli, job["id"])
    statuses = observe_statuses(local_runner, run_id)
    assert statuses[-1] == 10, statuses
    assert statuses == sorted(statuses), f"statuses went backwards: {statuses}"
    run = data(local_cli("run", "get", "--run-id", str(run_id), "--include-related", "run_steps"))
    assert [step["run_step_command"]["dbt_command"] for step in job_steps(run)] == [
        "dbt seed",
        "dbt run --select staging",
    ]
    assert run["created_at"] <= run["dequeued_at"] <= run["started_at"] <= run["finished_at"]
    assert run["is_complete"]
    assert run["is_success"]
    assert run["status_humanized"] == "Success"


def test_a_run_reports_steps_with_logs_and_real_row_counts(local_runner: LocalRunner, local_cli: Any) -> None:
    run_id = trigger(local_cli, local_runner.jobs["build"])
    run = local_runner.wait_for_run(run_id)
    assert run["status"] == 10, run["status_message"]
    full = data(local_cli("run", "get", "--run-id", str(run_id), "--include-related", "run_steps,debug_logs"))
    (step,) = job_steps(full)
    assert step["name"] == "Invoke dbt with `dbt build`"
    assert step["status_humanized"] == "Success"
    assert "Completed successfully" in step["logs"]
    assert "\x1b[" not in step["logs"]
    assert "INSERT" in step["logs"] or "SELECT" in step["logs"] or "OK loaded seed file" in step["logs"]
    assert step["debug_logs"], "the debug log of the step is empty"


def test_every_artifact_of_a_docs_job_matches_its_schema(
    local_runner: LocalRunner, local_cli: Any, tmp_path: Path
) -> None:
    run_id = trigger(local_cli, local_runner.jobs["docs"])
    run = local_runner.wait_for_run(run_id)
    assert run["status"] == 10, run["status_message"]
    assert run["has_docs_generated"]
    assert run["has_sources_generated"]
    listed = data(local_cli("run", "list-artifacts", "--run-id", str(run_id)))
    for name, schema in SCHEMA_OF.items():
        assert name in listed
        target = tmp_path / name
        outcome = local_cli("run", "get-artifact", "--run-id", str(run_id), "--path", name, "-f", str(target))
        assert outcome.exit_code == 0, outcome.stderr
        document = json.loads(target.read_text())
        jsonschema.validate(document, open_schema(json.loads((SCHEMAS / schema).read_text())))


def test_artifacts_are_kept_per_step(local_runner: LocalRunner, local_cli: Any, tmp_path: Path) -> None:
    run_id = trigger(local_cli, local_runner.jobs["docs"])
    assert local_runner.wait_for_run(run_id)["status"] == 10
    steps = data(local_cli("run", "get", "--run-id", str(run_id), "--include-related", "run_steps"))["run_steps"]
    commands = [step["run_step_command"]["dbt_command"] for step in steps]
    assert commands[PREAMBLE:] == ["dbt source freshness", "dbt build", "dbt docs generate"]
    build_step = commands.index("dbt build") + 1
    results = {}
    for step in (build_step, len(commands)):
        target = tmp_path / f"run_results-{step}.json"
        outcome = local_cli(
            "run", "get-artifact", "--run-id", str(run_id), "--path", "run_results.json", "--step", str(step),
            "-f", str(target),
        )  # fmt: skip
        assert outcome.exit_code == 0, outcome.stderr
        results[step] = json.loads(target.read_text())
    assert results[build_step]["args"]["which"] == "build"
    assert results[len(commands)]["args"]["which"] == "generate"
    # The build step's results carry the row counts the adapter reported; the docs step's do not.
    assert any(result["adapter_response"] for result in results[build_step]["results"])


def test_a_failing_run_ends_in_error_with_the_failure_in_its_step_log(
    local_runner: LocalRunner, local_cli: Any
) -> None:
    run_id = trigger(local_cli, local_runner.jobs["failing"])
    run = local_runner.wait_for_run(run_id)
    assert run["status"] == 20
    assert run["is_error"]
    assert run["status_message"].startswith(f"Step {PREAMBLE + 1} failed")
    steps = data(local_cli("run", "get", "--run-id", str(run_id), "--include-related", "run_steps"))["run_steps"]
    assert steps[-1]["status"] == 20
    assert "FAIL" in steps[-1]["logs"]


def test_trigger_overrides_are_honoured(local_runner: LocalRunner, local_cli: Any, tmp_path: Path) -> None:
    run_id = trigger(
        local_cli, local_runner.jobs["build"],
        "--steps-override", "dbt seed",
        "--threads-override", "2",
        "--target-name-override", "ci",
        "--schema-override", "override_schema",
    )  # fmt: skip
    assert local_runner.wait_for_run(run_id)["status"] == 10
    target = tmp_path / "run_results.json"
    outcome = local_cli("run", "get-artifact", "--run-id", str(run_id), "--path", "run_results.json", "-f", str(target))
    assert outcome.exit_code == 0, outcome.stderr
    results = json.loads(target.read_text())
    assert results["args"]["which"] == "seed"
    steps = job_steps(data(local_cli("run", "get", "--run-id", str(run_id), "--include-related", "run_steps")))
    assert "Concurrency: 2 threads (target='ci')" in steps[0]["logs"]
    assert {result["unique_id"].split(".")[0] for result in results["results"]} == {"seed", "operation"}
    manifest_target = tmp_path / "manifest.json"
    local_cli("run", "get-artifact", "--run-id", str(run_id), "--path", "manifest.json", "-f", str(manifest_target))
    manifest = json.loads(manifest_target.read_text())
    assert {node["schema"] for node in manifest["nodes"].values() if node["resource_type"] == "seed"} == {
        "override_schema"
    }


def test_a_run_over_its_timeout_is_cancelled(local_runner: LocalRunner, local_cli: Any) -> None:
    run_id = trigger(local_cli, local_runner.jobs["build"], "--timeout-seconds-override", "1")
    run = local_runner.wait_for_run(run_id)
    assert run["status"] == 30
    assert "timeout" in run["status_message"]


def test_cancel_stops_a_run(local_runner: LocalRunner, local_cli: Any) -> None:
    run_id = trigger(local_cli, local_runner.jobs["docs"])
    cancelled = data(local_cli("run", "cancel", "--run-id", str(run_id)))
    assert cancelled["status"] == 30
    assert cancelled["status_message"] == "Cancelled by user."
    run = local_runner.wait_for_run(run_id)
    assert run["status"] == 30
    assert run["is_cancelled"]
    # The worker is gone: nothing moves the run afterwards.
    assert data(local_cli("run", "get", "--run-id", str(run_id)))["status"] == 30


def test_without_a_token_the_answer_is_401(local_runner: LocalRunner) -> None:
    outcome = invoke(["job", "list"], env={**local_runner.env(), "DBT_CLOUD_API_TOKEN": "dbtl_wrong"})
    assert outcome.exit_code == 1
    assert "Invalid token" in outcome.stderr
    with local_runner.http() as http:
        answer = http.get(f"/api/v2/accounts/{local_runner.account_id}/jobs/", headers={"Authorization": ""})
    assert answer.status_code == 401
    assert answer.json()["status"] == {
        "code": 401,
        "is_success": False,
        "user_message": "Invalid token.",
        "developer_message": "",
    }


def test_another_accounts_token_gets_403(local_runner: LocalRunner) -> None:
    store = local_runner.store()
    try:
        other = store.insert("account", {"name": "Other account"})
        token = store.create_token(other["id"], "other")
    finally:
        store.close()
    outcome = invoke(["job", "list"], env={**local_runner.env(), "DBT_CLOUD_API_TOKEN": token})
    assert outcome.exit_code == 1
    assert "Token is not scoped to account" in outcome.stderr


def test_unknown_ids_and_paths_answer_404_in_the_envelope(local_runner: LocalRunner, local_cli: Any) -> None:
    outcome = local_cli("job", "get", "--job-id", "999999")
    assert outcome.exit_code == 1
    assert "404" in outcome.stderr or "not found" in outcome.stderr.lower()
    with local_runner.http() as http:
        answer = http.get(f"/api/v3/accounts/{local_runner.account_id}/no-such-resources/")
    assert answer.status_code == 404
    assert "does not implement GET" in answer.json()["status"]["user_message"]


def test_deleting_is_soft_and_ids_are_never_handed_out_again(local_runner: LocalRunner, local_cli: Any) -> None:
    created = json.loads(local_cli("project", "create", "--name", "Short-lived", "--type", "0").stdout)["data"]
    deleted = local_cli("project", "delete", "--project-id", str(created["id"]))
    assert deleted.exit_code == 0, deleted.stderr
    assert json.loads(deleted.stdout)["data"]["state"] == 2
    assert local_cli("project", "get", "--project-id", str(created["id"])).exit_code == 1
    listed = {p["id"] for p in json.loads(local_cli("project", "list").stdout)["data"]}
    assert created["id"] not in listed
    # dbt Cloud never reuses an id: a script holding the old one must not reach a new resource.
    again = json.loads(local_cli("project", "create", "--name", "Short-lived", "--type", "0").stdout)["data"]
    assert again["id"] > created["id"]


def test_a_deleted_environment_cannot_be_referenced(local_runner: LocalRunner, local_cli: Any) -> None:
    project_id = str(local_runner.project_id)
    made = local_cli("environment", "create", "--project-id", project_id, "--name", "Gone soon", "--type", "deployment")
    assert made.exit_code == 0, made.stderr
    environment_id = str(json.loads(made.stdout)["data"]["id"])
    assert (
        local_cli("environment", "delete", "--project-id", project_id, "--environment-id", environment_id).exit_code
        == 0
    )
    with local_runner.http() as http:
        answer = http.post(
            f"/api/v2/accounts/{local_runner.account_id}/jobs/",
            json={
                "name": "orphan",
                "project_id": local_runner.project_id,
                "environment_id": int(environment_id),
                "execute_steps": ["dbt build"],
            },
        )
    assert answer.status_code == 400
    assert "environment_id" in json.dumps(answer.json())


def test_a_missing_artifact_is_a_404(local_runner: LocalRunner, local_cli: Any, tmp_path: Path) -> None:
    run_id = local_runner.seed_runs(local_runner.jobs["build"], 1)[0]
    target = tmp_path / "kept.json"
    target.write_text("precious")
    outcome = local_cli("run", "get-artifact", "--run-id", str(run_id), "--path", "catalog.json", "-f", str(target))
    assert outcome.exit_code == 1
    assert target.read_text() == "precious"


def test_250_runs_page_by_page_and_all_at_once(local_runner: LocalRunner, local_cli: Any) -> None:
    job_id = local_runner.seed_jobs(1, name="Paging")[0]
    seeded = local_runner.seed_runs(job_id, 250)
    everything = data(local_cli("run", "list", "--job-id", str(job_id), "--all"))
    assert sorted(run["id"] for run in everything) == sorted(seeded)
    with local_runner.http() as http:
        page = http.get(
            f"/api/v2/accounts/{local_runner.account_id}/runs/",
            params={"job_definition_id": job_id, "limit": 100, "offset": 200, "order_by": "-id"},
        ).json()
    assert len(page["data"]) == 50
    assert page["extra"]["pagination"] == {"count": 50, "total_count": 250}
    assert page["extra"]["filters"]["offset"] == 200
    assert [run["id"] for run in page["data"]] == sorted(seeded, reverse=True)[200:]


def test_runs_filter_by_status(local_runner: LocalRunner, local_cli: Any) -> None:
    job_id = local_runner.seed_jobs(1, name="Statuses")[0]
    errored = set(local_runner.seed_runs(job_id, 3, status=20))
    local_runner.seed_runs(job_id, 2, status=10)
    listed = data(local_cli("run", "list", "--job-id", str(job_id), "--status", "error"))
    assert {run["id"] for run in listed} == errored


def test_a_list_filter_takes_every_value_given(local_runner: LocalRunner, local_cli: Any) -> None:
    # `--pk-in A --pk-in B` goes out as pk__in=[A,B], the one form dbt Cloud reads whole: sent as a
    # repeated parameter, the server (the runner as much as dbt Cloud) keeps only the last value.
    made = [
        json.loads(local_cli("project", "create", "--name", f"Filtered {n}", "--type", "0").stdout)["data"]["id"]
        for n in range(3)
    ]
    outcome = local_cli("project", "list-v2", "--pk-in", str(made[0]), "--pk-in", str(made[2]))
    assert outcome.exit_code == 0, outcome.stderr
    assert {project["id"] for project in data(outcome)} == {made[0], made[2]}


@pytest.mark.parametrize("command", ["account list", "project list", "environment list", "job list"])
def test_list_commands_answer(local_runner: LocalRunner, local_cli: Any, command: str) -> None:
    outcome = local_cli(*command.split(), env={"DBT_CLOUD_PROJECT_ID": str(local_runner.project_id)})
    assert outcome.exit_code == 0, outcome.stderr
    assert json.loads(outcome.stdout)["data"]


def test_rerun_resumes_a_failed_run_from_its_failure(local_runner: LocalRunner, local_cli: Any) -> None:
    failed = local_runner.wait_for_run(trigger(local_cli, local_runner.jobs["failing"]))
    assert failed["status"] == 20
    with local_runner.http() as http:
        account = f"/api/v2/accounts/{local_runner.account_id}"
        rerun = http.post(f"{account}/jobs/{local_runner.jobs['failing']}/rerun/").json()["data"]
        refused = http.post(f"{account}/runs/{rerun['id']}/retry/")
    assert local_runner.wait_for_run(rerun["id"])["status"] == 20  # the test still fails on the same data
    steps = job_steps(data(local_cli("run", "get", "--run-id", str(rerun["id"]), "--include-related", "run_steps")))
    assert [step["run_step_command"]["dbt_command"] for step in steps] == ["dbt retry"]
    # dbt retry reran only what failed: the one test, not the seeds and models before it.
    assert "1 of 1" in steps[0]["logs"]
    assert "assert_rentals_returned_within_a_day" in steps[0]["logs"]
    original = data(local_cli("run", "get", "--run-id", str(failed["id"])))
    assert original["retrying_run_id"] == rerun["id"]
    # Retrying a run that has not failed (yet) is refused.
    assert refused.status_code == 400


def test_a_folder_without_a_profile_gets_a_duckdb_warehouse(
    local_runner: LocalRunner, local_cli: Any, tmp_path: Path
) -> None:
    project = tmp_path / "bare_project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: bare_project\nversion: '1.0'\nprofile: bare_project_nowhere\n")
    (project / "models" / "numbers.sql").write_text("select 1 as n union all select 2")
    registered = json.loads(
        local_cli(
            "local", "init", "--data-dir", str(local_runner.data_dir), "--project-dir", str(project),
            "--save-profile", "",
        ).stdout
    )  # fmt: skip
    run = local_runner.wait_for_run(trigger(local_cli, registered["jobs"]["build"]))
    assert run["status"] == 10, run["status_message"]
    assert not (project / "profiles.yml").exists(), "the user's folder was written to"
    assert list((local_runner.data_dir / "warehouses").glob(f"environment-{registered['environment_id']}.duckdb"))


def test_environment_variables_reach_the_run(local_runner: LocalRunner, local_cli: Any, tmp_path: Path) -> None:
    account, project = local_runner.account_id, local_runner.project_id
    path = f"/api/v3/accounts/{account}/projects/{project}/environment-variables/"
    with local_runner.http() as http:
        created = http.post(
            path, json={"name": "DBT_DEMO_GREETING", "type": "project", "raw_value": "from the project"}
        ).json()["data"]
        http.post(
            path,
            json={
                "name": "DBT_DEMO_GREETING",
                "type": "environment",
                "environment_id": local_runner.environment_id,
                "raw_value": "from the environment",
            },
        )
        listing = http.get(f"{path}environment/").json()["data"]
    assert listing["variables"]["DBT_DEMO_GREETING"]["project"] == {"id": created["id"], "value": "from the project"}
    run_id = trigger(local_cli, local_runner.jobs["build"], "--steps-override", "dbt run-operation log_greeting")
    run = local_runner.wait_for_run(run_id)
    steps = job_steps(data(local_cli("run", "get", "--run-id", str(run_id), "--include-related", "run_steps")))
    assert run["status"] == 10, steps[0]["logs"]
    assert "greeting: from the environment" in steps[0]["logs"]


def test_a_jobs_artifacts_come_from_its_latest_successful_run(local_runner: LocalRunner, local_cli: Any) -> None:
    job_id = local_runner.seed_jobs(1, name="Docs on demand", execute_steps=["dbt seed"])[0]
    with local_runner.http() as http:
        account = f"/api/v2/accounts/{local_runner.account_id}"
        before = http.get(f"{account}/jobs/{job_id}/artifacts/run_results.json")
        first = local_runner.wait_for_run(trigger(local_cli, job_id))
        second = local_runner.wait_for_run(trigger(local_cli, job_id, "--generate-docs-override", "true"))
        catalog = http.get(f"{account}/jobs/{job_id}/artifacts/catalog.json")
    assert before.status_code == 404
    assert before.json()["status"]["code"] == 404
    assert first["status"] == second["status"] == 10
    assert not first["has_docs_generated"]
    assert second["has_docs_generated"]
    assert catalog.status_code == 200
    assert catalog.json()["metadata"]["dbt_schema_version"].endswith("catalog/v1.json")


def test_bulk_delete_of_environment_variables_deletes_the_ids_given(local_runner: LocalRunner, local_cli: Any) -> None:
    """The spec gives this DELETE no body; the command sends the ids it is given (`--ids`, repeated)."""
    account, project = local_runner.account_id, local_runner.project_id
    path = f"/api/v3/accounts/{account}/projects/{project}/environment-variables/"
    with local_runner.http() as http:
        made = [
            http.post(path, json={"name": f"DBT_GONE_{n}", "type": "project", "raw_value": "x"}).json()["data"]["id"]
            for n in range(3)
        ]
    args = ["environment-variable", "delete-bulk", "--project-id", str(project)]
    refused = local_cli(*args)
    deleted = local_cli(*args, "--ids", str(made[0]), "--ids", str(made[2]))
    assert refused.exit_code == 2
    assert "--ids" in refused.stderr
    assert deleted.exit_code == 0, deleted.stderr
    assert sorted(data(deleted)["deleted_var_ids"]) == [made[0], made[2]]
    with local_runner.http() as http:
        left = http.get(f"{path}environment/").json()["data"]["variables"]
    assert "DBT_GONE_1" in left
    assert "DBT_GONE_0" not in left
    assert "DBT_GONE_2" not in left
