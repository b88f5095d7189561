"""`job export` / `job import`: a job exported, deleted and imported comes back equal but for server
state, fields unknown to our models included; a project's jobs move in one file with their
references to each other; the jobs YAML of dbt-jobs-as-code goes both ways."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from dbt_cloud.services.transfer import SERVER_STATE
from tests.integration.composites.conftest import Cli, Server, answer, get_job

JOBS_AS_CODE_SCHEMA = Path(__file__).resolve().parents[2] / "data" / "dbt-jobs-as-code" / "load_job_schema.json"


job = get_job


def rename(dbt: Cli, job_id: int, name: str, *more: str) -> None:
    answer(dbt("job", "update", "--job-id", str(job_id), "--name", name, *more))


def without_server_state(job: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in job.items() if key not in SERVER_STATE}


def test_export_delete_import_gives_the_same_job_unknown_fields_included(
    dbt: Cli, server: Server, tmp_path: Path
) -> None:
    (job_id,) = server.seed_jobs(1, name="Round trip")
    answer(dbt("job", "update", "--job-id", str(job_id), "--settings-threads", "6", "--schedule-cron", "0 3 * * *"))
    original = job(dbt, job_id)
    exported = tmp_path / "job.json"
    outcome = dbt("job", "export", "--job-id", str(job_id), "-f", str(exported))
    assert outcome.exit_code == 0, outcome.stderr
    document = json.loads(exported.read_text())
    assert document["dbt_cloud_export"]["version"] == 1
    assert "id" not in document
    assert "created_at" not in document
    document["compare_changes_flags"] = "--select state:modified+"  # a field no model of ours declares
    exported.write_text(json.dumps(document))

    assert dbt("job", "delete", "--job-id", str(job_id)).exit_code == 0
    imported = dbt("job", "import", "-f", str(exported))
    assert imported.exit_code == 0, imported.stderr
    created = json.loads(imported.stdout)["data"]
    expected = {**without_server_state(original), "compare_changes_flags": "--select state:modified+"}
    assert without_server_state(job(dbt, created["id"])) == expected
    where = f"project {original['project_id']}, environment {original['environment_id']}"
    assert f"+ create 'Round trip' in {where}" in imported.stderr_lines


def test_a_project_moves_in_one_file_with_references_between_its_jobs(dbt: Cli, server: Server, tmp_path: Path) -> None:
    base, deferring, self_deferring = server.seed_jobs(3)
    rename(dbt, base, "Base (moving)")
    rename(dbt, deferring, "Defers (moving)", "--deferring-job-definition-id", str(base))
    rename(dbt, self_deferring, "Self (moving)", "--deferring-job-definition-id", str(self_deferring))
    bundle = tmp_path / "jobs.json"
    exported = dbt("job", "export", "--all", "--name-icontains", "(moving)", "-f", str(bundle))
    assert exported.exit_code == 0, exported.stderr
    assert len(json.loads(bundle.read_text())["jobs"]) == 3
    for job_id in (base, deferring, self_deferring):
        answer(dbt("job", "delete", "--job-id", str(job_id)))

    outcome = dbt("job", "import", "-f", str(bundle))
    assert outcome.exit_code == 0, outcome.stderr
    created = {item["data"]["name"]: item["data"] for item in json.loads(outcome.stdout)}
    assert set(created) == {"Base (moving)", "Defers (moving)", "Self (moving)"}
    assert sum(line.startswith("+ create ") for line in outcome.stderr_lines) == 3
    new_base, new_self = created["Base (moving)"]["id"], created["Self (moving)"]["id"]
    assert job(dbt, created["Defers (moving)"]["id"])["deferring_job_definition_id"] == new_base
    assert job(dbt, new_self)["deferring_job_definition_id"] == new_self


def test_import_retargets_the_project_and_environment(dbt: Cli, server: Server, tmp_path: Path) -> None:
    exported = tmp_path / "job.json"
    dbt("job", "export", "--job-id", str(server.jobs["build"]), "-f", str(exported))
    project = str(server.project_id)
    made = answer(dbt("environment", "create", "--project-id", project, "--name", "Staging", "--type", "deployment"))
    target = ["--project-id", project, "--environment-id", str(made["data"]["id"])]
    plan = dbt("job", "import", "-f", str(exported), *target, "--dry-run")
    assert json.loads(plan.stdout)["plan"][0]["action"] == "create"
    outcome = dbt("job", "import", "-f", str(exported), *target)
    assert outcome.exit_code == 0, outcome.stderr
    created = json.loads(outcome.stdout)["data"]
    assert (created["project_id"], created["environment_id"]) == (server.project_id, made["data"]["id"])
    assert job(dbt, server.jobs["build"])["environment_id"] == server.environment_id, "the original stays"


def test_dry_run_plans_an_update_with_the_fields_that_change_and_changes_nothing(
    dbt: Cli, server: Server, tmp_path: Path
) -> None:
    (job_id,) = server.seed_jobs(1, name="Planned")
    answer(dbt("job", "update", "--job-id", str(job_id), "--settings-threads", "4"))
    exported = tmp_path / "job.json"
    dbt("job", "export", "--job-id", str(job_id), "-f", str(exported))
    document = json.loads(exported.read_text())
    document["settings"]["threads"] = 8
    exported.write_text(json.dumps(document))

    plan = dbt("job", "import", "-f", str(exported), "--dry-run")
    assert plan.exit_code == 0, plan.stderr
    (item,) = json.loads(plan.stdout)["plan"]
    assert item["action"] == "update"
    assert item["job_id"] == job_id
    assert item["changes"] == {"settings.threads": {"from": 4, "to": 8}}
    assert f"~ update job {job_id} 'Planned': settings.threads: 4 -> 8" in plan.stderr_lines
    assert job(dbt, job_id)["settings"]["threads"] == 4, "a dry run changes nothing"

    applied = dbt("job", "import", "-f", str(exported))
    assert applied.exit_code == 0, applied.stderr
    assert json.loads(applied.stdout)["data"]["id"] == job_id
    assert job(dbt, job_id)["settings"]["threads"] == 8
    again = dbt("job", "import", "-f", str(exported), "--dry-run")
    assert json.loads(again.stdout)["plan"][0]["action"] == "unchanged"


def test_import_refuses_a_document_of_a_newer_version(dbt: Cli, server: Server, tmp_path: Path) -> None:
    exported = tmp_path / "job.json"
    dbt("job", "export", "--job-id", str(server.jobs["build"]), "-f", str(exported))
    document = json.loads(exported.read_text())
    document["dbt_cloud_export"].update(version=2, tool="dbt-cloud 9.0.0")
    exported.write_text(json.dumps(document))
    outcome = dbt("job", "import", "-f", str(exported))
    assert outcome.exit_code == 2
    assert outcome.stderr_lines == [
        f"Error: {exported} was written by a newer dbt-cloud (dbt-cloud 9.0.0, export format version 2); "
        "this dbt-cloud 0.1.0 reads version 1 (upgrade dbt-cloud to import it)"
    ]


def test_import_reads_what_dbt_cloud_cli_exported(dbt: Cli, server: Server) -> None:
    legacy = job(dbt, server.jobs["build"])
    legacy.pop("id")  # dbt-cloud-cli 0.9.1 wrote the job without its id, server state and all
    outcome = dbt("job", "import", "--always-create", stdin=json.dumps(legacy))
    assert outcome.exit_code == 0, outcome.stderr
    created = json.loads(outcome.stdout)["data"]
    assert created["id"] != server.jobs["build"]
    assert created["name"] == legacy["name"]
    assert created["execute_steps"] == legacy["execute_steps"]


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


def test_yaml_export_is_valid_for_dbt_jobs_as_code(dbt: Cli, server: Server) -> None:
    managed, plain = server.seed_jobs(2)
    rename(dbt, managed, "Managed (yaml) [[managed_job]]")
    rename(dbt, plain, "Plain (yaml)")
    outcome = dbt("job", "export", "--all", "--name-icontains", "(yaml)", "--format", "yaml")
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stdout.startswith("# yaml-language-server: $schema=")
    document = yaml.safe_load(outcome.stdout)
    jsonschema.validate(document, json.loads(JOBS_AS_CODE_SCHEMA.read_text()))
    assert set(document["jobs"]) == {"managed_job", "plain_yaml"}
    assert document["jobs"]["managed_job"]["name"] == "Managed (yaml)"
    assert "linked_id" not in document["jobs"]["managed_job"], "a job with an identifier is already linked"
    assert document["jobs"]["plain_yaml"]["linked_id"] == plain
    assert all(set(entry["schedule"]) == {"cron"} for entry in document["jobs"].values())


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


def test_a_jobs_as_code_file_imports_then_stays_unchanged(dbt: Cli, server: Server, tmp_path: Path) -> None:
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


def test_yaml_export_imported_back_plans_no_change(dbt: Cli, server: Server, tmp_path: Path) -> None:
    """The YAML names jobs without their identifier and keeps only the cron of a schedule: imported
    back, a linked job keeps its name and a schedule with the same cron is left as it is."""
    exported = tmp_path / "jobs.yaml"
    (adopted, scheduled) = server.seed_jobs(2)
    rename(dbt, adopted, "Adopted (yaml back)")
    rename(dbt, scheduled, "Scheduled (yaml back) [[scheduled_rt]]", "--schedule-cron", "15 4 * * 1")
    outcome = dbt("job", "export", "--all", "--name-icontains", "(yaml back)", "--format", "yaml", "-f", str(exported))
    assert outcome.exit_code == 0, outcome.stderr
    plan = dbt("job", "import", "-f", str(exported), "--dry-run")
    assert plan.exit_code == 0, plan.stderr
    items = json.loads(plan.stdout)["plan"]
    assert {item["job_id"]: (item["action"], item["changes"]) for item in items} == {
        adopted: ("unchanged", {}),
        scheduled: ("unchanged", {}),
    }
    assert f"= unchanged job {adopted} 'Adopted (yaml back)'" in plan.stderr_lines
    for key, job_id in server.jobs.items():  # the demo's jobs, as `local init` registered them
        single = tmp_path / f"{key}.yaml"
        assert dbt("job", "export", "--job-id", str(job_id), "--format", "yaml", "-f", str(single)).exit_code == 0
        plan = dbt("job", "import", "-f", str(single), "--dry-run")
        assert plan.exit_code == 0, plan.stderr
        (item,) = json.loads(plan.stdout)["plan"]
        assert (item["action"], item["changes"]) == ("unchanged", {}), f"demo job {key}"


def test_a_linked_id_adopts_a_job_by_its_id(dbt: Cli, server: Server, tmp_path: Path) -> None:
    (job_id,) = server.seed_jobs(1, name="Linked by id")
    source = tmp_path / "jobs.yml"
    text = JOBS_AS_CODE_FILE.format(project=server.project_id, environment=server.environment_id)
    source.write_text(text.replace("  nightly:\n", f"  linked_nightly:\n    linked_id: {job_id}\n"))
    plan = dbt("job", "import", "-f", str(source), "--dry-run")
    (item,) = json.loads(plan.stdout)["plan"]
    assert (item["action"], item["job_id"]) == ("update", job_id)
    assert item["changes"]["name"] == {"from": "Linked by id", "to": "Nightly build"}
    assert item["changes"]["schedule.cron"]["to"] == "0 2 * * *"
    (line,) = [line for line in plan.stderr_lines if line.startswith("~ update")]
    assert 'name: "Linked by id" -> "Nightly build"' in line, "values are written as JSON writes them"
    assert "run_generate_sources: false -> true" in line
    assert not re.search(r"\b(None|True|False)\b", line), "no Python words in the line"


def test_templated_jobs_as_code_files_are_refused(dbt: Cli, tmp_path: Path) -> None:
    source = tmp_path / "jobs.yml"
    source.write_text("jobs:\n  x:\n    project_id: {{ project_id }}\n")
    outcome = dbt("job", "import", "-f", str(source))
    assert outcome.exit_code == 2
    assert "templating" in outcome.stderr
