"""The hint of an error line says what to do about this error, not a generic "(check the ids and
--dbt-cloud-host)": an endpoint the local runner does not answer, a missing artifact, a refused
connection (on a local URL: start the runner), no account id or token (`dbt-cloud configure`, or in
GitHub mode the secret and variable to set). The server's messages read as sentences, never `.;`.
The library's errors carry no command-line hint; in GitHub mode the error is written once."""

from __future__ import annotations

import re
import socket

import pytest

from dbt_cloud import DbtCloud
from dbt_cloud.errors import APIConnectionError, NotFoundError
from tests.conftest import TOKEN, Outcome, invoke
from tests.support.local_runner import LocalRunner
from tests.support.recorded_api import RecordedApi, Reply, envelope

GENERIC = "check the ids and --dbt-cloud-host"


def error_line(outcome: Outcome, code: int) -> str:
    assert outcome.exit_code == code, outcome.stderr
    (line,) = outcome.stderr_lines
    assert line.startswith("Error: ")
    assert "Traceback" not in outcome.stderr
    return line


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_endpoint_the_local_runner_does_not_answer(local_cli, local_runner: LocalRunner) -> None:
    line = error_line(local_cli("api", "GET", "/api/v2/accounts/{account_id}/no-such-thing/"), 1)
    assert "The local runner does not implement GET" in line
    assert "docs/local-runner.md" in line
    assert GENERIC not in line


def test_a_missing_artifact_points_to_list_artifacts(local_cli, local_runner: LocalRunner) -> None:
    (job_id,) = local_runner.seed_jobs(1)
    (run_id,) = local_runner.seed_runs(job_id, 1, status=10)
    line = error_line(local_cli("run", "get-artifact", "--run-id", str(run_id), "--path", "nope.json"), 1)
    assert "404" in line
    assert f"`dbt-cloud run list-artifacts --run-id {run_id}`" in line
    assert GENERIC not in line


def test_a_refused_connection_names_host_and_port_and_on_a_local_url_the_runner() -> None:
    port = free_port()
    args = ["job", "list", "--account-id", "1", "--api-token", TOKEN, "--dbt-cloud-host", f"http://127.0.0.1:{port}"]
    line = error_line(invoke(["--max-retries", "0", *args]), 1)
    assert f"Cannot connect to 127.0.0.1:{port}: the connection was refused" in line
    assert "`dbt-cloud local serve`" in line
    assert "Errno" not in line


def test_no_account_id_or_token_anywhere_suggests_configure() -> None:
    no_account = error_line(invoke(["job", "list", "--api-token", TOKEN]), 2)
    assert "--account-id" in no_account
    assert "`dbt-cloud configure`" in no_account
    no_token = error_line(invoke(["job", "list", "--account-id", "1"]), 2)
    assert no_token.startswith("Error: No API token given (")
    assert "`dbt-cloud configure`" in no_token


def test_in_github_mode_the_hint_names_the_secret_and_the_error_is_written_once() -> None:
    env = {"GITHUB_ACTIONS": "true"}
    outcome = invoke(["job", "list", "--account-id", "1"], env=env)
    assert outcome.exit_code == 2
    (line,) = outcome.stderr_lines
    assert line.startswith("::error title=dbt-cloud::No API token given")
    assert "${{ secrets.DBT_CLOUD_API_TOKEN }}" in line
    assert "configure" not in line, "nobody can answer a prompt in a workflow"
    account = invoke(["job", "list", "--api-token", TOKEN], env=env)
    assert account.stderr_lines[0] == f"::add-mask::{TOKEN}"
    (line,) = account.stderr_lines[1:]
    assert line.startswith("::error title=dbt-cloud::Missing option --account-id")
    assert "set DBT_CLOUD_ACCOUNT_ID in the step's env" in line


def test_the_servers_messages_read_as_sentences(cli, api: RecordedApi) -> None:
    document = envelope({"name": ["This field is required."]}, 400, "Invalid request.")
    document["status"]["developer_message"] = "Check the body"
    api.fail_next(Reply.json(document, 400))
    line = error_line(cli("job", "get", "--job-id", "1"), 1)
    assert "Invalid request. Check the body. name: This field is required." in line
    assert ".;" not in line


def test_the_librarys_errors_carry_no_command_line_hint(local_runner: LocalRunner) -> None:
    nowhere = DbtCloud(token=TOKEN, account_id=1, host=f"http://127.0.0.1:{free_port()}", max_retries=0)
    with nowhere as cloud, pytest.raises(APIConnectionError) as refused:
        cloud.job.get(job_id=1)
    assert refused.value.hint is None
    assert (refused.value.reason, refused.value.host) == ("refused", "127.0.0.1")
    runner = DbtCloud(token=local_runner.token, account_id=local_runner.account_id, host=local_runner.base_url)
    with runner as cloud, pytest.raises(NotFoundError) as missing:
        cloud.job.get(job_id=999999)
    assert missing.value.hint is None
    assert "--" not in str(missing.value)


def test_no_library_module_writes_a_command_line_hint() -> None:
    """The hints of the library's errors (http, config, services, errors) name no option, variable
    to set or command to run: those are the command line's (dbt_cloud/cli/hints.py)."""
    from pathlib import Path

    import dbt_cloud

    package = Path(dbt_cloud.__file__).parent
    modules = [*(package / "http").glob("*.py"), *(package / "services").glob("*.py")]
    modules += [package / "config.py", package / "errors.py"]
    for module in modules:
        for hint in re.findall(r"hint=(\"[^\"]*\"|'[^']*'|[A-Z_]+)", module.read_text()):
            assert not re.search(r"--[a-z]|`dbt-cloud |DBT_CLOUD_", hint), f"{module.name}: {hint}"
