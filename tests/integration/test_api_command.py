"""`dbt-cloud api METHOD PATH` and `dbt-cloud commands`, against the recorded API over a socket."""

from __future__ import annotations

import json
import re

import pytest

from dbt_cloud.cli.commands.api import fill_path, parse_value
from dbt_cloud.errors import ConfigError, UsageError
from tests.support.recorded_api import LoggedRequest, RecordedApi, Reply, envelope, sample


def echo(api: RecordedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    return Reply.json(envelope({"query": request.query, "body": request.body}))


@pytest.fixture
def echoing(api: RecordedApi) -> RecordedApi:
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        api.routes.append((method, re.compile(".*"), echo))
    return api


def test_get_fills_the_account_and_prints_the_answer(cli, api: RecordedApi) -> None:
    outcome = cli("api", "GET", "/api/v2/accounts/{account_id}/jobs/{job_id}/", env={"DBT_CLOUD_JOB_ID": "43167"})
    assert outcome.exit_code == 0, outcome.stderr
    assert json.loads(outcome.stdout) == sample("job_get_response")
    (sent,) = api.requests_to("GET", r"/jobs/43167/$")
    assert sent.path == "/api/v2/accounts/123456/jobs/43167/"


def test_fields_go_to_the_query_of_a_get_and_the_body_of_a_post(cli, echoing: RecordedApi) -> None:
    read = cli(
        "api", "get", "/api/v3/accounts/{account_id}/groups/", "-F", "state=1", "-F", "pk__in=1", "-F", "pk__in=2"
    )
    assert read.exit_code == 0, read.stderr
    assert json.loads(read.stdout)["data"]["query"] == {"state": ["1"], "pk__in": ["1", "2"]}
    write = cli(
        "api", "POST", "/api/v3/accounts/{account_id}/groups/",
        "-F", "name=analysts", "-F", "assign_by_default=false", "-F", "sso_mapping_groups=[\"bi\"]",
        "--raw-field", "description=007", "-F", "settings.threads=4", "-q", "dry_run=true",
    )  # fmt: skip
    assert write.exit_code == 0, write.stderr
    answer = json.loads(write.stdout)["data"]
    assert answer["body"] == {
        "name": "analysts",
        "assign_by_default": False,
        "sso_mapping_groups": ["bi"],
        "description": "007",
        "settings": {"threads": 4},
    }
    assert answer["query"] == {"dry_run": ["true"]}


def test_input_is_the_body_and_fields_are_laid_over_it(cli, echoing: RecordedApi, tmp_path) -> None:
    body = tmp_path / "token.json"
    body.write_text(json.dumps({"name": "ci", "permission_grants": [{"permission_set": "job_admin"}]}))
    outcome = cli(
        "api", "PUT", "/api/v3/accounts/{account_id}/service-tokens/7/", "--input", str(body), "-F", "name=deploy"
    )
    assert outcome.exit_code == 0, outcome.stderr
    assert json.loads(outcome.stdout)["data"]["body"] == {
        "name": "deploy",
        "permission_grants": [{"permission_set": "job_admin"}],
    }


def test_all_fetches_every_page(cli, api: RecordedApi) -> None:
    api.add_runs(230)
    outcome = cli("api", "GET", "/api/v2/accounts/{account_id}/runs/", "--all", "-o", "ids")
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stdout.split() == [str(n) for n in range(1, 231)]
    assert len(api.requests_to("GET", r"/runs/$")) == 3


def test_raw_writes_the_answer_as_it_comes(cli, api: RecordedApi, tmp_path) -> None:
    target = tmp_path / "run_results.json"
    outcome = cli(
        "api", "GET", "/api/v2/accounts/{account_id}/runs/1/artifacts/run_results.json", "--raw", "-f", str(target)
    )
    assert outcome.exit_code == 0, outcome.stderr
    assert target.read_bytes() == api.artifacts["run_results.json"]


def test_refusals_are_one_line_and_send_nothing(cli, api: RecordedApi) -> None:
    refused = cli("api", "GET", "/api/v2/accounts/{account_id}/no-such-thing/")
    assert refused.exit_code == 1
    (line,) = refused.stderr_lines
    assert line.startswith("Error: GET /api/v2/accounts/123456/no-such-thing/ answered 404 Not Found: The requested")
    requests_before = len(api.requests)
    for args, message in [
        (["api", "GET", "jobs/"], "PATH must start with '/'"),
        (["api", "GET", "/api/v3/accounts/{account_id}/projects/{project_id}/"], "PATH needs {project_id}"),
        (["api", "GET", "/api/v3/{thing}/"], "PATH has {thing}"),
        (["api", "POST", "/api/v2/accounts/{account_id}/runs/", "--all"], "--all pages through a list"),
        (["api", "GET", "/x/", "-F", "novalue"], "-F/--field takes KEY=VALUE"),
        (["api", "FETCH", "/x/"], "'FETCH' is not one of"),
    ]:
        outcome = cli(*args)
        assert outcome.exit_code == 2, args
        assert len(outcome.stderr_lines) == 1
        assert message in outcome.stderr
    assert len(api.requests) == requests_before


def test_read_only_mode_refuses_writes(cli, api: RecordedApi) -> None:
    outcome = cli("api", "DELETE", "/api/v2/accounts/{account_id}/jobs/1/", env={"DBT_CLOUD_READONLY": "1"})
    assert outcome.exit_code == 2
    assert "Read-only mode" in outcome.stderr
    assert not api.requests


def test_values_and_paths() -> None:
    assert parse_value("8") == 8
    assert parse_value("true") is True
    assert parse_value("null") is None
    assert parse_value('"8"') == "8"
    assert parse_value("analysts") == "analysts"
    assert fill_path("/api/v2/accounts/{account_id}/", {"account_id": 5}) == "/api/v2/accounts/5/"
    with pytest.raises(ConfigError, match="--account-id"):
        fill_path("/api/v2/accounts/{account_id}/", {"account_id": None})
    with pytest.raises(UsageError):
        fill_path("/api/{x}/", {})


# --- dbt-cloud commands ------------------------------------------------------------------------------


def test_commands_finds_the_command_of_an_api_path(cli) -> None:
    outcome = cli("commands", "/api/v2/accounts/43/runs/5/retry/")
    assert outcome.exit_code == 0, outcome.stderr
    assert [line.split()[:3] for line in outcome.stdout.splitlines()] == [
        ["run", "get-failure-details", "GET"],
        ["run", "retry", "POST"],
    ]


def test_commands_lists_every_operation_once(cli) -> None:
    outcome = cli("commands", "-o", "json")
    assert outcome.exit_code == 0, outcome.stderr
    rows = json.loads(outcome.stdout)
    operations = [(row["method"], row["path"]) for row in rows if row["path"] and row["path"] != "/graphql"]
    assert len(operations) == len(set(operations)) == 207
    assert {"command": "webhook test", "method": "GET",
            "path": "/api/v3/accounts/{account_id}/webhooks/subscription/{subscription_id}/test",
            "operation": "Test Webhooks Subscription"} in rows  # fmt: skip
    assert {"command": "api", "method": "", "path": "", "operation": ""} in rows


def test_commands_says_when_nothing_matches(cli) -> None:
    outcome = cli("commands", "no such thing")
    assert outcome.exit_code == 1
    assert "dbt-cloud api" in outcome.stderr
