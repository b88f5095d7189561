"""Generated commands end to end, one or more per group: the request built from the options, sent
over a socket to a real HTTP server, answered, and the answer printed.

The server (tests/support/recorded_api.py) answers the operations it has recordings for, and here
any other request with an envelope that echoes what it received, so each test sees both sides.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.support.recorded_api import LoggedRequest, RecordedApi, Reply, envelope, sample

A2 = "/api/v2/accounts/123456"
A3 = "/api/v3/accounts/123456"


def echo(api: RecordedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
    query = {key: values if len(values) > 1 else values[0] for key, values in request.query.items()}
    return Reply.json(envelope({"method": request.method, "path": request.path, "query": query, "body": request.body}))


@pytest.fixture
def echoing(api: RecordedApi) -> RecordedApi:
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        api.routes.append((method, re.compile(".*"), echo))
    return api


# group -> (command line, method, path, query, body): one generated command of every group
CASES: list[tuple[list[str], str, str, dict[str, Any], Any]] = [
    (["account", "list-v3"], "GET", "/api/v3/accounts/", {}, None),
    (["account", "patch", "--name", "Analytics"], "PATCH", f"{A2}/", {}, {"name": "Analytics"}),
    (
        ["account-connection", "create", "--name", "wh", "--adapter-version", "snowflake_v0",
         "--config", '{"account": "xy12345", "warehouse": "transforming"}'],
        "POST", f"{A3}/connections/", {},
        {"account_id": 123456, "name": "wh", "adapter_version": "snowflake_v0",
         "config": {"account": "xy12345", "warehouse": "transforming"}},
    ),
    (["adapter", "get", "--project-id", "7", "--adapter-id", "3"], "GET", f"{A3}/projects/7/adapters/3/", {}, None),
    (["audit-log", "export-status"], "GET", f"{A3}/audit-logs/export/", {}, None),
    (
        ["credential", "create", "--project-id", "7",
         "--body", '{"type": "postgres", "username": "dbt", "threads": 4}'],
        "POST", f"{A3}/projects/7/credentials/", {}, {"type": "postgres", "username": "dbt", "threads": 4},
    ),
    (["environment", "list-v2", "--project-id", "7", "--limit", "5"], "GET", f"{A2}/environments/",
     {"project_id": "7", "limit": "5"}, None),
    (["environment", "delete-sao-cache", "--environment-id", "9"],
     "DELETE", f"{A3}/environments/9/sao-cache/", {}, None),
    (["environment-variable", "list", "--project-id", "7"],
     "GET", f"{A3}/projects/7/environment-variables/environment/", {}, None),
    (
        ["environment-variable", "create", "--project-id", "7", "--name", "DBT_TARGET_SCHEMA", "--type", "project",
         "--raw-value", "analytics"],
        "POST", f"{A3}/projects/7/environment-variables/", {},
        {"account_id": 123456, "project_id": 7, "name": "DBT_TARGET_SCHEMA", "type": "project",
         "raw_value": "analytics"},
    ),
    (["extended-attribute", "create", "--project-id", "7", "--extended-attributes", '{"type": "snowflake"}'],
     "POST", f"{A3}/projects/7/extended-attributes/", {}, {"extended_attributes": {"type": "snowflake"}}),
    (["favorite-asset", "list", "--user-id", "4"], "GET", f"{A3}/favorite-assets/", {"user_id": "4"}, None),
    (["group", "assign", "--user-id", "5", "--desired-group-ids", "7", "--desired-group-ids", "8"],
     "POST", f"{A3}/assign-groups/", {}, {"desired_group_ids": [7, 8], "user_id": 5}),
    (
        ["group", "assign-permissions", "--group-id", "7", "--body",
         '[{"group_id": 7, "account_id": 123456, "permission_set": "developer", "all_projects": true}]'],
        "POST", f"{A3}/group-permissions/7/", {},
        [{"group_id": 7, "account_id": 123456, "permission_set": "developer", "all_projects": True}],
    ),
    (["invite", "send", "--email-addresses", "a@example.com", "--license-type", "read_only"],
     "POST", f"{A3}/invites/", {}, {"email_addresses": ["a@example.com"], "license_type": "read_only"}),
    (["ip-restriction", "validate", "--rule-set-id", "2"], "GET", f"{A3}/ip-restrictions-set/2/validate/", {}, None),
    (["job", "rerun", "--job-id", "43167"], "POST", f"{A2}/jobs/43167/rerun/", {}, {}),
    (["license", "list-allocations"], "GET", f"{A2}/licenses/", {}, None),
    (["license-map", "create", "--license-type", "analyst", "--state", "1", "--sso-license-mapping-groups", "bi"],
     "POST", f"{A3}/license-maps/", {},
     {"account_id": 123456, "license_type": "analyst", "state": 1, "sso_license_mapping_groups": ["bi"]}),
    (["lineage-integration", "list-collections", "--project-id", "7", "--lineage-integration-id", "2",
      "--collection-id", "c1"], "GET", f"{A3}/projects/7/integrations/lineage/2/collections/", {"collection_id": "c1"},
     None),
    (
        ["notification", "create", "--user-id", "1", "--type", "email", "--on-failure", "43167", "--state", "1"],
        "POST", f"{A2}/notifications/", {},
        {"account_id": 123456, "user_id": 1, "type": 1, "on_cancel": [], "on_failure": [43167], "on_success": [],
         "on_warning": [], "state": 1},
    ),
    (["oauth-configuration", "get", "--oauth-configuration-id", "3"], "GET", f"{A3}/oauth-configurations/3/", {}, None),
    (["personal-access-token", "rotate", "--user-id", "2", "--personal-access-token-id", "9"],
     "POST", f"{A3}/users/2/account-apikeys/9/", {}, {}),
    (["private-endpoint", "list", "--search", "prod"], "GET", f"{A3}/private-endpoints/", {"search": "prod"}, None),
    (["profile", "list", "--project-id", "7", "--connection-id", "5"], "GET", f"{A3}/projects/7/profiles/",
     {"connection_id": "5"}, None),
    (["project", "get-v2", "--project-id", "5"], "GET", f"{A2}/projects/5/", {}, None),
    (["repository", "list", "--project-id", "7", "--state", "all"], "GET", f"{A3}/projects/7/repositories/",
     {"state": "all"}, None),
    (["run", "retry", "--run-id", "34929305"], "POST", f"{A2}/runs/34929305/retry/", {}, {}),
    (["run", "get-step", "--step-id", "11"], "GET", f"{A2}/steps/11/", {}, None),
    (["scim", "list-users"], "GET", f"{A3}/scim/v2/Users", {}, None),
    (
        ["scim", "create-user", "--schemas", "urn:ietf:params:scim:schemas:core:2.0:User",
         "--user-name", "ada@example.com", "--active", "--dbt-labs-user", '{"licenseType": "analyst"}',
         "--name", '{"givenName": "Ada", "familyName": "Lovelace"}', "--emails", '[{"value": "ada@example.com"}]'],
        "POST", f"{A3}/scim/v2/Users", {},
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ada@example.com", "active": True,
         "name": {"givenName": "Ada", "familyName": "Lovelace"}, "emails": [{"value": "ada@example.com"}],
         "urn:ietf:params:scim:schemas:extension:dbtLabs:2.0:User": {"licenseType": "analyst"}},
    ),
    (["semantic-layer-credential", "list", "--project-id", "7"], "GET", f"{A3}/semantic-layer-credentials/",
     {"project_id": "7"}, None),
    (
        ["service-token", "create", "--name", "ci", "--permission-grants",
         '[{"permission_set": "job_admin", "project_id": 7}]'],
        "POST", f"{A3}/service-tokens/", {},
        {"name": "ci", "permission_grants": [{"permission_set": "job_admin", "project_id": 7}]},
    ),
    (["ssh-tunnel", "list", "--connection-id", "3"], "GET", f"{A2}/encryptions/", {"connection_id": "3"}, None),
    (["user", "list"], "GET", f"{A3}/users/", {}, None),
    (["user", "get-v2", "--user-id", "8"], "GET", "/api/v2/users/8/", {}, None),
    (["webhook", "test", "--subscription-id", "wsub_1"], "GET", f"{A3}/webhooks/subscription/wsub_1/test", {}, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "method", "path", "query", "body"), CASES, ids=[" ".join(case[0][:2]) for case in CASES]
)
def test_generated_command_end_to_end(
    cli, echoing: RecordedApi, args: list[str], method: str, path: str, query: dict[str, Any], body: Any
) -> None:
    outcome = cli(*args)
    assert outcome.exit_code == 0, outcome.stderr
    (sent,) = [r for r in echoing.requests if r.path.startswith("/api/")]
    assert (sent.method, sent.path) == (method, path)
    assert {k: v[0] if len(v) == 1 else v for k, v in sent.query.items()} == query
    assert sent.body == body
    assert sent.headers["authorization"].startswith("Token ")
    printed = json.loads(outcome.stdout)
    assert printed["data"]["path"] == path, "the answer is printed as the server sent it"
    assert printed["data"]["body"] == body


def test_every_group_has_a_generated_command_exercised() -> None:
    from dbt_cloud.api.generated import GROUPS

    exercised = {case[0][0] for case in CASES} | {"connection"}  # connection update: the test below
    assert set(GROUPS) <= exercised


def test_an_update_changes_only_what_is_given(cli, echoing: RecordedApi) -> None:
    outcome = cli("connection", "update", "--project-id", "123467", "--connection-id", "32544", "--name", "renamed")
    assert outcome.exit_code == 0, outcome.stderr
    (read,) = echoing.requests_to("GET", r"/connections/32544/$")
    (sent,) = echoing.requests_to("POST", r"/connections/32544/$")
    assert read.path == sent.path
    assert sent.body == {**sample("connection_get_response")["data"], "name": "renamed"}


def test_options_win_over_the_same_keys_of_body(cli, echoing: RecordedApi, tmp_path) -> None:
    body = tmp_path / "group.json"
    body.write_text(json.dumps({"name": "from-file", "assign_by_default": False, "sso_mapping_groups": ["a"]}))
    outcome = cli("group", "create", "--body", f"@{body}", "--name", "from-option", "--state", "1")
    assert outcome.exit_code == 0, outcome.stderr
    (sent,) = echoing.requests_to("POST", r"/groups/$")
    assert sent.body == {
        "account_id": 123456,
        "name": "from-option",
        "state": 1,
        "assign_by_default": False,
        "sso_mapping_groups": ["a"],
    }


def test_body_keys_the_operation_does_not_take_are_named(cli, echoing: RecordedApi) -> None:
    outcome = cli("group", "create", "--name", "x", "--assign-by-default", "--body", '{"colour": "red"}')
    assert outcome.exit_code == 2
    assert len(outcome.stderr_lines) == 1
    assert "--body has fields this operation does not take: colour" in outcome.stderr
    assert not echoing.requests, "nothing was sent"


def test_a_required_body_field_may_come_from_body_only(cli, echoing: RecordedApi) -> None:
    missing = cli("group", "create", "--name", "x", "--state", "1")
    assert missing.exit_code == 2
    assert "Missing option --assign-by-default" in missing.stderr
    given = cli("group", "create", "--name", "x", "--state", "1", "--body", '{"assign_by_default": true}')
    assert given.exit_code == 0, given.stderr


def test_a_file_answer_is_saved_whole(cli, echoing: RecordedApi, tmp_path) -> None:
    csv = b"logged_at,event\n2024-01-01,login\n"
    echoing.routes.insert(
        0, ("GET", re.compile(r"^/api/v3/accounts/\d+/audit-logs/download/$"), lambda a, r, m: Reply(200, csv))
    )
    target = tmp_path / "events.csv"
    outcome = cli("audit-log", "download", "-f", str(target))
    assert outcome.exit_code == 0, outcome.stderr
    assert target.read_bytes() == csv
    assert outcome.stdout == ""
    assert f"Wrote {len(csv)} bytes to {target}" in outcome.stderr


def test_a_delete_answered_with_no_content_prints_nothing(cli, echoing: RecordedApi) -> None:
    echoing.routes.insert(
        0, ("DELETE", re.compile(r"^/api/v3/accounts/\d+/service-tokens/\d+/$"), lambda a, r, m: Reply(204))
    )
    outcome = cli("service-token", "delete", "--service-token-id", "4")
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stdout == ""
    assert "no content" in outcome.stderr


def test_an_enum_option_refuses_what_the_spec_does_not_list(cli, echoing: RecordedApi) -> None:
    outcome = cli("invite", "send", "--email-addresses", "a@example.com", "--license-type", "admin")
    assert outcome.exit_code == 2
    assert "'admin' is not one of 'developer', 'read_only', 'analyst', 'it'" in outcome.stderr
    assert not echoing.requests


def test_a_generated_list_pages_with_all(cli, echoing: RecordedApi) -> None:
    def groups(api: RecordedApi, request: LoggedRequest, match: re.Match[str]) -> Reply:
        offset, limit = int(request.query["offset"][0]), int(request.query["limit"][0])
        items = [{"id": n} for n in range(offset + 1, min(offset + limit, 250) + 1)]
        extra = {"pagination": {"count": len(items), "total_count": 250}}
        return Reply.json(envelope(items, extra=extra))

    echoing.routes.insert(0, ("GET", re.compile(r"^/api/v3/accounts/\d+/groups/$"), groups))
    outcome = cli("group", "list", "--all")
    assert outcome.exit_code == 0, outcome.stderr
    assert [item["id"] for item in json.loads(outcome.stdout)["data"]] == list(range(1, 251))
    assert len(echoing.requests_to("GET", r"/groups/$")) == 3


def test_the_python_example_of_docs_api_md_runs(capsys) -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", page, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/api.md", "exec"), {})
    assert capsys.readouterr().out.split() == [
        "GET",
        "/api/v3/accounts/123456/webhooks/subscription/wsub_2dh5rPkd/test",
    ]


def test_the_typed_client_and_the_runner_reach_generated_commands(echoing: RecordedApi) -> None:
    from dbt_cloud import DbtCloud, DbtCloudRunner
    from tests.conftest import TOKEN

    with DbtCloud(token=TOKEN, account_id=123456, host=echoing.url) as cloud:
        answer = cloud.service_token.create(name="ci", permission_grants=[{"permission_set": "job_admin"}])
    (sent,) = echoing.requests_to("POST", r"/service-tokens/$")
    assert sent.body == {"name": "ci", "permission_grants": [{"permission_set": "job_admin"}]}
    assert answer is not None
    result = DbtCloudRunner().invoke(
        ["webhook", "test", "--subscription-id", "wsub_1"],
        api_token=TOKEN,
        dbt_cloud_host=echoing.url,
        account_id=123456,
    )
    assert result.success, result.exception
    assert echoing.requests_to("GET", r"/webhooks/subscription/wsub_1/test$")
