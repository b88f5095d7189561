"""dbt-cloud-cli 0.9.1 compatibility: every command and option name it had, and the same JSON.

The table below was read off dbt-cloud-cli 0.9.1's own `--help` (its click tree). A script written
for that tool must find every one of these names here.
"""

from __future__ import annotations

import json

import click
import pytest

from dbt_cloud.cli import cli as root
from tests.support.recorded_api import sample

DBT_CLOUD_CLI_0_9_1 = {
    "account get": ["--account-id", "--api-token", "--dbt-cloud-host", "--timeout"],
    "account list": ["--api-token", "--dbt-cloud-host", "--timeout"],
    "audit-log get": [
        "--account-id",
        "--api-token",
        "--dbt-cloud-host",
        "--limit",
        "--logged-at-end",
        "--logged-at-start",
        "--offset",
        "--timeout",
    ],
    "connection create": [
        "--account-id",
        "--api-token",
        "--created-by-id",
        "--created-by-service-token-id",
        "--dbt-cloud-host",
        "--id",
        "--name",
        "--project-id",
        "--state",
        "--timeout",
        "--type",
    ],
    "connection delete": [
        "--account-id",
        "--api-token",
        "--connection-id",
        "--dbt-cloud-host",
        "--project-id",
        "--timeout",
    ],
    "connection get": [
        "--account-id",
        "--api-token",
        "--connection-id",
        "--dbt-cloud-host",
        "--project-id",
        "--timeout",
    ],
    "connection list": [
        "--account-id",
        "--api-token",
        "--dbt-cloud-host",
        "--limit",
        "--offset",
        "--project-id",
        "--timeout",
    ],
    "demo data-catalog": ["--file", "--title", "--title-font"],
    "environment create": [
        "--account-id",
        "--api-token",
        "--connection-id",
        "--created-by-id",
        "--credentials-id",
        "--custom-branch",
        "--custom-environment-variables",
        "--dbt-cloud-host",
        "--dbt-project-subdirectory",
        "--dbt-version",
        "--deployment-type",
        "--enable-model-query-history",
        "--id",
        "--name",
        "--primary-profile-id",
        "--project-id",
        "--raw-dbt-version",
        "--repository-id",
        "--state",
        "--supports-docs",
        "--timeout",
        "--type",
        "--use-custom-branch",
    ],
    "environment delete": [
        "--account-id",
        "--api-token",
        "--dbt-cloud-host",
        "--environment-id",
        "--project-id",
        "--timeout",
    ],
    "environment get": [
        "--account-id",
        "--api-token",
        "--dbt-cloud-host",
        "--environment-id",
        "--project-id",
        "--timeout",
    ],
    "environment list": [
        "--account-id",
        "--api-token",
        "--dbt-cloud-host",
        "--dbt-version",
        "--limit",
        "--offset",
        "--project-id",
        "--state",
        "--timeout",
    ],
    "job create": [
        "--account-id",
        "--api-token",
        "--dbt-cloud-host",
        "--dbt-version",
        "--deferring-environment-id",
        "--deferring-job-definition-id",
        "--description",
        "--environment-id",
        "--errors-on-lint-failure",
        "--execute-steps",
        "--execution-timeout-seconds",
        "--generate-docs",
        "--job-type",
        "--lifecycle-webhooks",
        "--name",
        "--project-id",
        "--run-compare-changes",
        "--run-generate-sources",
        "--run-lint",
        "--schedule-cron",
        "--schedule-date-type",
        "--schedule-time-interval",
        "--schedule-time-type",
        "--settings-target-name",
        "--settings-threads",
        "--state",
        "--timeout",
        "--triggers-custom-branch-only",
        "--triggers-git-provider-webhook",
        "--triggers-github-webhook",
        "--triggers-on-draft-pr",
        "--triggers-on-merge",
        "--triggers-schedule",
    ],
    "job delete": ["--account-id", "--api-token", "--dbt-cloud-host", "--job-id", "--timeout"],
    "job delete-all": [
        "--account-id",
        "--api-token",
        "--dbt-cloud-host",
        "--dry-run",
        "--file",
        "--keep-jobs",
        "--limit",
        "--order-by",
        "--project-id",
        "--timeout",
        "--yes",
        "-f",
        "-y",
    ],
    "job export": [
        "--account-id",
        "--api-token",
        "--dbt-cloud-host",
        "--file",
        "--include-related",
        "--job-id",
        "--timeout",
        "-f",
    ],
    "job get": ["--account-id", "--api-token", "--dbt-cloud-host", "--include-related", "--job-id", "--timeout"],
    "job import": ["--account-id", "--api-token", "--dbt-cloud-host", "--file", "--timeout", "-f"],
    "job list": [
        "--account-id",
        "--api-token",
        "--dbt-cloud-host",
        "--limit",
        "--order-by",
        "--project-id",
        "--timeout",
    ],
    "job run": [
        "--account-id",
        "--api-token",
        "--azure-pull-request-id",
        "--cause",
        "--dbt-cloud-host",
        "--dbt-version-override",
        "--file",
        "--generate-docs-override",
        "--git-branch",
        "--git-sha",
        "--github-pull-request-id",
        "--gitlab-merge-request-id",
        "--job-id",
        "--no-wait",
        "--schema-override",
        "--steps-override",
        "--target-name-override",
        "--threads-override",
        "--timeout",
        "--timeout-seconds-override",
        "--wait",
        "-f",
    ],
    "metadata query": ["--account-id", "--api-token", "--dbt-cloud-host", "--file", "--timeout", "-f"],
    "project create": [
        "--account-id",
        "--api-token",
        "--connection-id",
        "--dbt-cloud-host",
        "--dbt-project-subdirectory",
        "--description",
        "--docs-job-id",
        "--freshness-job-id",
        "--name",
        "--repository-id",
        "--semantic-layer-config-id",
        "--state",
        "--timeout",
        "--type",
    ],
    "project delete": ["--account-id", "--api-token", "--dbt-cloud-host", "--project-id", "--timeout"],
    "project get": ["--account-id", "--api-token", "--dbt-cloud-host", "--project-id", "--timeout"],
    "project list": ["--account-id", "--api-token", "--dbt-cloud-host", "--limit", "--offset", "--timeout"],
    "project update": [
        "--account-id",
        "--api-token",
        "--connection-id",
        "--dbt-cloud-host",
        "--dbt-project-subdirectory",
        "--description",
        "--docs-job-id",
        "--freshness-job-id",
        "--name",
        "--project-id",
        "--repository-id",
        "--semantic-layer-config-id",
        "--state",
        "--timeout",
        "--type",
    ],
    "run cancel": ["--account-id", "--api-token", "--dbt-cloud-host", "--run-id", "--timeout"],
    "run cancel-all": [
        "--account-id",
        "--api-token",
        "--dbt-cloud-host",
        "--dry-run",
        "--file",
        "--job-id",
        "--limit",
        "--offset",
        "--order-by",
        "--project-id",
        "--status",
        "--timeout",
        "--yes",
        "-f",
        "-y",
    ],
    "run get": ["--account-id", "--api-token", "--dbt-cloud-host", "--include-related", "--run-id", "--timeout"],
    "run get-artifact": [
        "--account-id",
        "--api-token",
        "--dbt-cloud-host",
        "--file",
        "--include-related",
        "--path",
        "--run-id",
        "--step",
        "--timeout",
        "-f",
    ],
    "run list": [
        "--account-id",
        "--api-token",
        "--dbt-cloud-host",
        "--job-id",
        "--limit",
        "--offset",
        "--order-by",
        "--paginate",
        "--project-id",
        "--status",
        "--timeout",
    ],
    "run list-artifacts": [
        "--account-id",
        "--api-token",
        "--dbt-cloud-host",
        "--include-related",
        "--run-id",
        "--timeout",
    ],
}

#: Commands of 0.9.1 that later issues of this project add, and the options that come with them.
LATER = {
    "demo data-catalog": "the catalog explorer issue",
}
LATER_OPTIONS: set[tuple[str, str]] = set()


def resolve(path: str) -> click.Command | None:
    command: click.Command | None = root
    for name in path.split():
        if not isinstance(command, click.Group):
            return None
        command = command.get_command(click.Context(command), name)
    return command


def option_names(command: click.Command) -> set[str]:
    names: set[str] = set()
    for param in command.params:
        if isinstance(param, click.Option):
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


@pytest.mark.parametrize("path", sorted(DBT_CLOUD_CLI_0_9_1))
def test_every_command_and_option_of_dbt_cloud_cli_exists(path: str) -> None:
    command = resolve(path)
    if command is None:
        assert path in LATER, f"dbt-cloud-cli's `{path}` is missing"
        return
    missing = {
        name
        for name in DBT_CLOUD_CLI_0_9_1[path]
        if name not in option_names(command) and (path, name) not in LATER_OPTIONS
    }
    assert not missing, f"`{path}` lacks dbt-cloud-cli's options {sorted(missing)}"


# command line -> the recorded answer it must print, byte for byte as dbt-cloud-cli printed it
RECORDED = [
    (["account", "list"], "account_list_response"),
    (["account", "get"], "account_get_response"),
    (["audit-log", "get"], "audit_log_get_response"),
    (["connection", "list", "--project-id", "123467"], "connection_list_response"),
    (["connection", "get", "--project-id", "123467", "--connection-id", "32544"], "connection_get_response"),
    (
        ["connection", "create", "--project-id", "274720", "--name", "pytest connection", "--type", "snowflake"],
        "connection_create_response",
    ),
    (["connection", "delete", "--project-id", "274720", "--connection-id", "152196"], "connection_delete_response"),
    (["environment", "list", "--project-id", "123457"], "environment_list_response"),
    (["environment", "get", "--project-id", "123457", "--environment-id", "1"], "environment_get_response"),
    (
        ["environment", "create", "--project-id", "123457", "--name", "pytest environment", "--type", "deployment"],
        "environment_create_response",
    ),
    (["environment", "delete", "--project-id", "123457", "--environment-id", "222601"], "environment_delete_response"),
    (["job", "list"], "job_list_response"),
    (["job", "get", "--job-id", "43167"], "job_get_response"),
    (
        ["job", "create", "--project-id", "1", "--environment-id", "2", "--name", "x", "--execute-steps", "dbt run"],
        "job_create_response",
    ),
    (["job", "delete", "--job-id", "43167"], "job_delete_response"),
    (["job", "run", "--job-id", "43167"], "job_run_response"),
    (["project", "list"], "project_list_response"),
    (["project", "get", "--project-id", "123457"], "project_get_response"),
    (["project", "create", "--name", "pytest project", "--type", "0"], "project_create_response"),
    (["project", "delete", "--project-id", "274720"], "project_delete_response"),
    (["run", "get", "--run-id", "34929305"], "run_get_response"),
    (["run", "cancel", "--run-id", "34929305"], "run_cancel_response"),
    (["run", "list-artifacts", "--run-id", "34929305"], "run_list_artifacts_response"),
]


@pytest.mark.parametrize(("args", "name"), RECORDED, ids=[" ".join(a[:2]) for a, _ in RECORDED])
def test_json_output_is_what_dbt_cloud_cli_printed(cli, args: list[str], name: str) -> None:
    outcome = cli(*args)
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stdout == json.dumps(sample(name), indent=2) + "\n"
    assert outcome.stderr == ""


def test_get_artifact_writes_the_raw_file_to_stdout(cli) -> None:
    outcome = cli("run", "get-artifact", "--run-id", "34929305", "--path", "run_results.json")
    assert outcome.exit_code == 0, outcome.stderr
    assert json.loads(outcome.stdout) == sample("run_get_artifact_response")


def test_old_boolean_spelling_with_a_value_still_works(cli, api) -> None:
    outcome = cli("job", "run", "--job-id", "43167", "--generate-docs-override", "false", "--threads-override", "4")
    assert outcome.exit_code == 0, outcome.stderr
    (request,) = api.requests_to("POST", r"/jobs/43167/run/$")
    assert request.body == {"cause": "Triggered via API", "generate_docs_override": False, "threads_override": 4}


def test_old_list_literal_for_steps_still_works(cli, api) -> None:
    outcome = cli("job", "run", "--job-id", "1", "--steps-override", "['dbt seed', 'dbt run']")
    assert outcome.exit_code == 0, outcome.stderr
    (request,) = api.requests_to("POST", r"/jobs/1/run/$")
    assert request.body["steps_override"] == ["dbt seed", "dbt run"]


def test_run_list_status_accepts_dbt_cloud_cli_names(cli, api) -> None:
    outcome = cli("run", "list", "--status", "Succeeded", "--job-id", "7")
    assert outcome.exit_code == 0, outcome.stderr
    (request,) = api.requests_to("GET", r"/runs/$")
    assert request.query["status"] == ["10"]
    assert request.query["job_definition_id"] == ["7"]


def test_connection_details_from_unknown_options_as_dbt_cloud_cli_took_them(cli, api) -> None:
    outcome = cli(
        "connection", "create", "--project-id", "9", "--name", "sf", "--type", "snowflake",
        "--account", "abc", "--allow-sso", "false", "--port", "443",
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.stderr
    (request,) = api.requests_to("POST", r"/connections/$")
    assert request.body["details"] == {"account": "abc", "allow_sso": False, "port": 443}
    assert request.body["account_id"] == 123456
    assert request.body["project_id"] == 9


def test_readonly_mode_refuses_writes_and_allows_reads(cli, api) -> None:
    refused = cli("job", "delete", "--job-id", "1", env={"DBT_CLOUD_READONLY": "true"})
    assert refused.exit_code == 2
    assert "Read-only mode" in refused.stderr
    assert api.requests_to("DELETE", ".*") == []
    allowed = cli("job", "get", "--job-id", "1", env={"DBT_CLOUD_READONLY": "true"})
    assert allowed.exit_code == 0
