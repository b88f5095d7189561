"""Commands beyond dbt-cloud-cli's plain ones: updates that change only what is given, filters,
--all, other output formats, the Discovery API, and `python -m dbt_cloud`."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import TOKEN
from tests.support.recorded_api import RecordedApi, sample


def test_job_update_changes_only_what_is_given_and_keeps_unknown_fields(cli, api: RecordedApi) -> None:
    outcome = cli("job", "update", "--job-id", "43167", "--name", "Renamed", "--settings-threads", "8")
    assert outcome.exit_code == 0, outcome.stderr
    (sent,) = api.requests_to("POST", r"/jobs/43167/$")
    current = sample("job_get_response")["data"]
    assert sent.body["name"] == "Renamed"
    assert sent.body["settings"] == {**current["settings"], "threads": 8}
    untouched = {k: v for k, v in current.items() if k not in ("name", "settings")}
    assert {k: sent.body[k] for k in untouched} == untouched, "every other field, known or not, is kept"
    assert json.loads(outcome.stdout)["data"]["name"] == "Renamed"


def test_environment_update_merges_over_the_current_environment(cli, api: RecordedApi) -> None:
    outcome = cli("environment", "update", "--project-id", "1", "--environment-id", "2", "--dbt-version", "latest")
    assert outcome.exit_code == 0, outcome.stderr
    (sent,) = api.requests_to("POST", r"/environments/2/$")
    current = sample("environment_get_response")["data"]
    assert sent.body == {**current, "dbt_version": "latest"}


def test_project_update_needs_only_the_field_that_changes(cli, api: RecordedApi) -> None:
    outcome = cli("project", "update", "--project-id", "5", "--description", "new words")
    assert outcome.exit_code == 0, outcome.stderr
    (sent,) = api.requests_to("POST", r"/projects/5/$")
    assert sent.body == {**sample("project_get_response")["data"], "description": "new words"}


def test_list_filters_and_order_go_to_the_query(cli, api: RecordedApi) -> None:
    outcome = cli("job", "list", "--project-id", "3", "--environment-id", "4", "--order-by", "-id", "--limit", "5")
    assert outcome.exit_code == 0, outcome.stderr
    (sent,) = api.requests_to("GET", r"/jobs/$")
    assert sent.query == {"project_id": ["3"], "environment_id": ["4"], "order_by": ["-id"], "limit": ["5"]}


def test_run_list_all_prints_one_document_with_every_run(cli, api: RecordedApi) -> None:
    api.add_runs(230)
    outcome = cli("run", "list", "--all")
    assert outcome.exit_code == 0, outcome.stderr
    document = json.loads(outcome.stdout)
    assert [run["id"] for run in document["data"]] == list(range(230, 0, -1))  # newest first
    assert document["extra"]["pagination"] == {"count": 230, "total_count": 230}
    legacy = cli("run", "list", "--paginate")
    assert json.loads(legacy.stdout)["data"] == document["data"]


def test_table_and_ids_output(cli, api: RecordedApi) -> None:
    api.add_runs(3)
    ids = cli("run", "list", "-o", "ids")
    assert ids.stdout == "3\n2\n1\n"
    table = cli("run", "list", "-o", "table")
    lines = table.stdout.splitlines()
    assert lines[0].split()[:2] == ["ID", "STATUS"]
    assert len(lines) == 4
    assert all(len(line) <= 100 for line in lines)
    single = cli("job", "get", "--job-id", "1", "-o", "table")
    assert any(line.startswith("name") and line.endswith("Do nothing!") for line in single.stdout.splitlines())


def test_run_get_include_related_is_sent_comma_separated(cli, api: RecordedApi) -> None:
    assert (
        cli("run", "get", "--run-id", "1", "--include-related", "job", "--include-related", "run_steps").exit_code == 0
    )
    (sent,) = api.requests_to("GET", r"/runs/1/$")
    assert sent.query["include_related"] == ["job,run_steps"]


def test_metadata_query_from_option_file_and_stdin(cli, api: RecordedApi, tmp_path) -> None:
    # The admin host is unreachable: the query can only succeed through DBT_CLOUD_METADATA_URL.
    graphql = {"DBT_CLOUD_METADATA_URL": f"{api.url}/graphql", "DBT_CLOUD_HOST": "http://127.0.0.1:9"}
    inline = cli("metadata", "query", "--query", "{ job(id: 1) { id } }", env=graphql)
    assert inline.exit_code == 0, inline.stderr
    assert json.loads(inline.stdout)["data"]["job"]["id"] == 43167
    query_file = tmp_path / "q.graphql"
    query_file.write_text("{ job(id: 2) { id } }")
    assert cli("metadata", "query", "-f", str(query_file), env=graphql).exit_code == 0
    assert cli("metadata", "query", env=graphql, stdin="{ job(id: 3) { id } }").exit_code == 0
    bodies = [r.body for r in api.requests_to("POST", "/graphql$")]
    assert [b["query"] for b in bodies] == ["{ job(id: 1) { id } }", "{ job(id: 2) { id } }", "{ job(id: 3) { id } }"]
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in api.requests_to("POST", "/graphql$"))


def test_metadata_query_errors_are_one_line(cli, api: RecordedApi) -> None:
    graphql = {"DBT_CLOUD_METADATA_URL": f"{api.url}/graphql"}
    outcome = cli("metadata", "query", "--query", "syntax error", env=graphql)
    assert outcome.exit_code == 1
    assert outcome.stderr_lines == ["Error: The Discovery API refused the query: Syntax Error: Unexpected Name"]
    missing = cli("metadata", "query", "-f", "/no/such.graphql", env=graphql)
    assert missing.exit_code == 2
    assert "Cannot read the query file" in missing.stderr


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dbt_cloud", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("dbt-cloud ")


def test_console_script_prints_one_line_for_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dbt_cloud", "job", "get", "--job-id", "x"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_a_command_model_is_also_the_python_call(api: RecordedApi) -> None:
    from dbt_cloud.api.operations.job import JobRun
    from dbt_cloud.config import Settings
    from dbt_cloud.http.client import DbtCloudClient

    with DbtCloudClient(Settings(api_token=TOKEN, base_url=api.url)) as client:
        answer = JobRun(account_id=123456, job_id=43167, cause="deploy").execute(client)
    assert answer.data["job_definition_id"] == 43167
    (sent,) = api.requests_to("POST", r"/jobs/43167/run/$")
    assert sent.body == {"cause": "deploy"}


def test_log_level_debug_of_dbt_cloud_cli_turns_on_the_redacted_log(cli) -> None:
    outcome = cli("job", "get", "--job-id", "1", env={"LOG_LEVEL": "DEBUG"})
    assert outcome.exit_code == 0
    assert "http > GET" in outcome.stderr
    assert "Token ****" in outcome.stderr
    assert TOKEN not in outcome.stderr
