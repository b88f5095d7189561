"""`job export` / `job import`: a job exported, deleted and imported comes back equal but for server
state, fields unknown to our models included; a project's jobs move in one file with their
references to each other; the jobs YAML of dbt-jobs-as-code goes both ways."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from dbt_cloud.transfer import SERVER_STATE
from tests.integration.composites.conftest import Cli
from tests.support.scripted_api import ScriptedServer

JOBS_AS_CODE_SCHEMA = Path(__file__).resolve().parents[2] / "data" / "dbt-jobs-as-code" / "load_job_schema.json"


def job(dbt: Cli, job_id: int) -> dict[str, Any]:
    outcome = dbt("job", "get", "--job-id", str(job_id))
    assert outcome.exit_code == 0, outcome.stderr
    return json.loads(outcome.stdout)["data"]  # type: ignore[no-any-return]


def without_server_state(job: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in job.items() if key not in SERVER_STATE}


def test_export_delete_import_gives_the_same_job_unknown_fields_included(
    dbt: Cli, server: ScriptedServer, tmp_path: Path
) -> None:
    original = job(dbt, server.jobs["docs"])
    exported = tmp_path / "job.json"
    outcome = dbt("job", "export", "--job-id", str(original["id"]), "-f", str(exported))
    assert outcome.exit_code == 0, outcome.stderr
    document = json.loads(exported.read_text())
    assert document["dbt_cloud_export"]["version"] == 1
    assert "id" not in document
    assert "created_at" not in document
    document["compare_changes_flags"] = "--select state:modified+"  # a field no model of ours declares
    exported.write_text(json.dumps(document))

    assert dbt("job", "delete", "--job-id", str(original["id"])).exit_code == 0
    imported = dbt("job", "import", "-f", str(exported))
    assert imported.exit_code == 0, imported.stderr
    created = json.loads(imported.stdout)["data"]
    assert created["id"] != original["id"]
    (sent,) = server.api.requests_to("POST", r"/jobs/$")
    assert sent.body["compare_changes_flags"] == "--select state:modified+", "the unknown field was sent"
    expected = {**without_server_state(original), "compare_changes_flags": "--select state:modified+"}
    assert without_server_state(job(dbt, created["id"])) == expected
    assert f"+ create 'Docs' in project {original['project_id']}, environment {original['environment_id']}" in (
        imported.stderr_lines
    )


def test_a_project_moves_in_one_file_with_references_between_its_jobs(
    dbt: Cli, server: ScriptedServer, tmp_path: Path
) -> None:
    base, deferring, self_deferring = server.seed_jobs(3, environment_id=777)
    server.api.jobs[deferring].update(name="Defers", deferring_job_definition_id=base)
    server.api.jobs[self_deferring].update(name="Self", deferring_job_definition_id=self_deferring)
    server.api.jobs[base].update(name="Base")
    bundle = tmp_path / "jobs.json"
    exported = dbt("job", "export", "--all", "--environment-id", "777", "-f", str(bundle))
    assert exported.exit_code == 0, exported.stderr
    assert len(json.loads(bundle.read_text())["jobs"]) == 3
    assert dbt("job", "delete-all", "--environment-id", "777", "--yes").exit_code == 0

    outcome = dbt("job", "import", "-f", str(bundle))
    assert outcome.exit_code == 0, outcome.stderr
    created = {answer["data"]["name"]: answer["data"] for answer in json.loads(outcome.stdout)}
    assert set(created) == {"Base", "Defers", "Self"}
    assert not {base, deferring, self_deferring} & {j["id"] for j in created.values()}
    assert job(dbt, created["Defers"]["id"])["deferring_job_definition_id"] == created["Base"]["id"]
    assert job(dbt, created["Self"]["id"])["deferring_job_definition_id"] == created["Self"]["id"]


def test_import_retargets_the_project_and_environment(dbt: Cli, server: ScriptedServer, tmp_path: Path) -> None:
    exported = tmp_path / "job.json"
    dbt("job", "export", "--job-id", str(server.jobs["build"]), "-f", str(exported))
    outcome = dbt("job", "import", "-f", str(exported), "--project-id", "55", "--environment-id", "66")
    assert outcome.exit_code == 0, outcome.stderr
    created = json.loads(outcome.stdout)["data"]
    assert (created["project_id"], created["environment_id"]) == (55, 66)
    assert job(dbt, server.jobs["build"])["environment_id"] == server.environment_id, "the original stays"


def test_dry_run_plans_an_update_with_the_fields_that_change_and_changes_nothing(
    dbt: Cli, server: ScriptedServer, tmp_path: Path
) -> None:
    exported = tmp_path / "job.json"
    dbt("job", "export", "--job-id", str(server.jobs["build"]), "-f", str(exported))
    document = json.loads(exported.read_text())
    document["settings"]["threads"] = 8
    exported.write_text(json.dumps(document))

    plan = dbt("job", "import", "-f", str(exported), "--dry-run")
    assert plan.exit_code == 0, plan.stderr
    (item,) = json.loads(plan.stdout)["plan"]
    assert item["action"] == "update"
    assert item["job_id"] == server.jobs["build"]
    assert item["changes"] == {"settings.threads": {"from": 4, "to": 8}}
    assert f"~ update job {server.jobs['build']} 'Build': settings.threads: 4 -> 8" in plan.stderr_lines
    assert server.api.requests_to("POST", r"/jobs/") == []

    applied = dbt("job", "import", "-f", str(exported))
    assert applied.exit_code == 0, applied.stderr
    assert job(dbt, server.jobs["build"])["settings"]["threads"] == 8
    again = dbt("job", "import", "-f", str(exported), "--dry-run")
    assert json.loads(again.stdout)["plan"][0]["action"] == "unchanged"


def test_import_refuses_a_document_of_a_newer_version(dbt: Cli, server: ScriptedServer, tmp_path: Path) -> None:
    exported = tmp_path / "job.json"
    dbt("job", "export", "--job-id", str(server.jobs["build"]), "-f", str(exported))
    document = json.loads(exported.read_text())
    document["dbt_cloud_export"].update(version=2, tool="dbt-cloud 9.0.0")
    exported.write_text(json.dumps(document))
    server.api.requests.clear()
    outcome = dbt("job", "import", "-f", str(exported))
    assert outcome.exit_code == 2
    assert outcome.stderr_lines == [
        f"Error: {exported} was written by a newer dbt-cloud (dbt-cloud 9.0.0, export format version 2); "
        "this dbt-cloud 0.1.0 reads version 1 (upgrade dbt-cloud to import it)"
    ]
    assert server.api.requests == []


def test_import_reads_what_dbt_cloud_cli_exported(dbt: Cli, server: ScriptedServer) -> None:
    legacy = job(dbt, server.jobs["build"])
    legacy.pop("id")  # dbt-cloud-cli 0.9.1 wrote the job without its id, server state and all
    outcome = dbt("job", "import", "--always-create", stdin=json.dumps(legacy))
    assert outcome.exit_code == 0, outcome.stderr
    assert json.loads(outcome.stdout)["data"]["name"] == "Build"
    assert len([j for j in server.api.jobs.values() if j["name"] == "Build"]) == 2


def test_import_refuses_what_is_not_an_export(dbt: Cli) -> None:
    not_json = dbt("job", "import", stdin="name: x")
    assert not_json.exit_code == 2
    assert not_json.stderr_lines == [
        "Error: stdin is not valid JSON (Expecting value at line 1) (for YAML pass --format yaml)"
    ]
    not_a_job = dbt("job", "import", stdin='{"hello": 1}')
    assert not_a_job.exit_code == 2
    assert "neither a dbt-cloud job export nor a job definition" in not_a_job.stderr


# --- the jobs YAML of dbt-jobs-as-code ------------------------------------------------------------


def test_yaml_export_is_valid_for_dbt_jobs_as_code(dbt: Cli, server: ScriptedServer) -> None:
    server.api.jobs[server.jobs["docs"]]["name"] = "Docs [[docs_job]]"
    outcome = dbt("job", "export", "--all", "--format", "yaml")
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stdout.startswith("# yaml-language-server: $schema=")
    document = yaml.safe_load(outcome.stdout)
    jsonschema.validate(document, json.loads(JOBS_AS_CODE_SCHEMA.read_text()))
    assert set(document["jobs"]) == {"build", "failing", "docs_job", "slow"}
    docs = document["jobs"]["docs_job"]
    assert docs["name"] == "Docs"
    assert "linked_id" not in docs, "a job with an identifier is already linked"
    assert document["jobs"]["build"]["linked_id"] == server.jobs["build"]
    assert document["jobs"]["build"]["schedule"] == {"cron": "0 * * * *"}


JOBS_AS_CODE_FILE = """\
# written as the dbt-jobs-as-code docs show
jobs:
  nightly:
    account_id: 1
    project_id: {project}
    environment_id: {environment}
    name: "Nightly build"
    settings:
      threads: 6
      target_name: prod
    run_generate_sources: true
    execute_steps:
      - "dbt build"
    generate_docs: false
    schedule:
      cron: "0 2 * * *"
    triggers:
      github_webhook: false
      git_provider_webhook: false
      schedule: true
    custom_environment_variables:
      - DBT_FOO: bar
"""


def test_a_jobs_as_code_file_imports_then_stays_unchanged(dbt: Cli, server: ScriptedServer, tmp_path: Path) -> None:
    source = tmp_path / "jobs.yml"
    source.write_text(JOBS_AS_CODE_FILE.format(project=server.project_id, environment=server.environment_id))
    outcome = dbt("job", "import", "-f", str(source))
    assert outcome.exit_code == 0, outcome.stderr
    (created,) = json.loads(outcome.stdout)
    job_id = created["data"]["id"]
    stored = job(dbt, job_id)
    assert stored["name"] == "Nightly build [[nightly]]", "named as dbt-jobs-as-code finds its jobs"
    assert stored["settings"] == {"threads": 6, "target_name": "prod"}
    assert stored["schedule"]["cron"] == "0 2 * * *"
    assert stored["schedule"]["date"] == {"type": "custom_cron", "cron": "0 2 * * *"}
    assert "custom_environment_variables are not imported" in outcome.stderr

    again = dbt("job", "import", "-f", str(source), "--dry-run")
    assert json.loads(again.stdout)["plan"][0]["action"] == "unchanged"
    assert again.stderr_lines[-2] == f"= unchanged job {job_id} 'Nightly build [[nightly]]'"

    exported = dbt("job", "export", "--job-id", str(job_id), "--format", "yaml")
    assert yaml.safe_load(exported.stdout)["jobs"]["nightly"]["name"] == "Nightly build"


def test_yaml_export_then_import_adopts_the_jobs_by_linked_id(dbt: Cli, server: ScriptedServer, tmp_path: Path) -> None:
    exported = tmp_path / "jobs.yaml"
    job_id = str(server.jobs["build"])
    assert dbt("job", "export", "--job-id", job_id, "--format", "yaml", "-f", str(exported)).exit_code == 0
    plan = dbt("job", "import", "-f", str(exported), "--dry-run")
    (item,) = json.loads(plan.stdout)["plan"]
    assert item["action"] == "update"
    assert item["job_id"] == server.jobs["build"]
    assert set(item["changes"]) >= {"name", "schedule.date.type"}, "named with its identifier, cron-only schedule"


def test_templated_jobs_as_code_files_are_refused(dbt: Cli, tmp_path: Path) -> None:
    source = tmp_path / "jobs.yml"
    source.write_text("jobs:\n  x:\n    project_id: {{ project_id }}\n")
    outcome = dbt("job", "import", "-f", str(source))
    assert outcome.exit_code == 2
    assert "templating" in outcome.stderr
