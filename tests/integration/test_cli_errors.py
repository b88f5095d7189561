"""What a user sees when something goes wrong: one line on stderr, the right exit code, nothing on
stdout, no traceback, and never the token."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import TOKEN, Outcome, invoke
from tests.support.recorded_api import RecordedApi, Reply, envelope


def assert_one_clean_line(outcome: Outcome, code: int, *fragments: str) -> None:
    assert outcome.exit_code == code, outcome.stderr
    assert outcome.stdout == ""
    assert len(outcome.stderr_lines) == 1, outcome.stderr
    line = outcome.stderr_lines[0]
    assert line.startswith("Error: ")
    assert "Traceback" not in outcome.stderr
    assert TOKEN not in outcome.stderr
    for fragment in fragments:
        assert fragment in line, line


@pytest.mark.parametrize(
    ("reply", "fragments"),
    [
        (Reply.json(envelope(None, 401, "Invalid token."), 401), ["401", "Invalid token.", "--api-token"]),
        (Reply.json(envelope(None, 403, "Access denied: Token is not scoped to account."), 403), ["403", "not scoped"]),
        (Reply.json(envelope(None, 404, "The requested resource was not found."), 404), ["404", "not found"]),
        (Reply.json(envelope(None, 500, "Oops"), 500), ["500", "Oops", "try again later"]),
        (Reply(502, b"<html><body>Bad Gateway</body></html>", {"Content-Type": "text/html"}), ["502", "text/html"]),
        (Reply(500), ["500", "no details"]),
        (Reply.json(envelope(None, 429, "Too many requests"), 429, {"Retry-After": "0"}), ["429", "rate limited"]),
    ],
    ids=["401", "403", "404", "500", "html-502", "500-empty", "429"],
)
def test_api_refusals_are_one_line_and_exit_1(cli, api: RecordedApi, reply: Reply, fragments: list[str]) -> None:
    api.fail_next(reply, times=10)
    assert_one_clean_line(cli("job", "get", "--job-id", "1"), 1, *fragments)


def test_a_real_wrong_token_is_refused_by_the_server(cli) -> None:
    outcome = cli("job", "get", "--job-id", "1", env={"DBT_CLOUD_API_TOKEN": "wrong-token-0000"})
    assert_one_clean_line(outcome, 1, "Invalid token.")
    assert "wrong-token-0000" not in outcome.stderr


def test_missing_token_is_a_usage_error_and_nothing_is_sent(api: RecordedApi) -> None:
    outcome = invoke(["job", "get", "--job-id", "1", "--account-id", "1", "--dbt-cloud-host", api.url])
    assert_one_clean_line(outcome, 2, "No API token", "DBT_CLOUD_API_TOKEN")
    assert api.requests == []


def test_missing_account_id_names_the_option_and_env_var(api: RecordedApi) -> None:
    outcome = invoke(["job", "get", "--job-id", "1", "--api-token", TOKEN, "--dbt-cloud-host", api.url])
    assert_one_clean_line(outcome, 2, "--account-id", "DBT_CLOUD_ACCOUNT_ID", "`dbt-cloud configure`")
    assert api.requests == []


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["job", "get", "--job-id", "abc"], ["'abc' is not a valid integer", "dbt-cloud job get --help"]),
        (["run", "list", "--status", "bogus"], ["'bogus' is not one of"]),
        (["run", "list", "--limit", "500"], ["--limit", "less than or equal to 100"]),
        (["job", "list", "--limit", "-1"], ["--limit", "greater than or equal to 1"]),
        (["job", "get", "--no-such-option"], ["No such option"]),
        (["job", "frobnicate"], ["No such command 'frobnicate'"]),
        (["environment", "create", "--project-id", "1", "--name", "x"], ["Missing option --type"]),
        (
            ["environment", "create", "--project-id", "1", "--name", "x", "--custom-environment-variables", "{bad"],
            ["not valid JSON"],
        ),
        (["job", "create", "--project-id", "1", "--environment-id", "2", "--name", "x"], ["--execute-steps"]),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_is_sent(cli, api: RecordedApi, args, fragments) -> None:
    assert_one_clean_line(cli(*args), 2, *fragments)
    assert api.requests == []


def test_connection_refused_and_unknown_host(cli) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcome = cli("job", "get", "--job-id", "1", env={"DBT_CLOUD_HOST": f"http://127.0.0.1:{port}"})
    assert_one_clean_line(outcome, 1, "Cannot connect to 127.0.0.1")
    outcome = cli("job", "get", "--job-id", "1", env={"DBT_CLOUD_HOST": "no-such-host.invalid"})
    assert_one_clean_line(outcome, 1, "Unknown host no-such-host.invalid")


def test_a_malformed_host_is_a_usage_error(cli) -> None:
    outcome = cli("job", "get", "--job-id", "1", env={"DBT_CLOUD_HOST": "https://cloud.getdbt.com/api/v2"})
    assert_one_clean_line(outcome, 2, "without a path")


def test_a_malformed_token_is_refused_without_echoing_it(cli, api: RecordedApi) -> None:
    outcome = cli("job", "get", "--job-id", "1", env={"DBT_CLOUD_API_TOKEN": "abc def\n"})
    assert_one_clean_line(outcome, 2, "token is malformed")
    assert "abc def" not in outcome.stderr
    assert api.requests == []


def test_debug_shows_a_traceback_and_http_log_but_never_the_token(cli, api: RecordedApi) -> None:
    api.fail_next(Reply.json(envelope(None, 404, "nope"), 404))
    outcome = cli("--debug", "job", "get", "--job-id", "1")
    assert outcome.exit_code == 1
    assert "Traceback" in outcome.stderr
    assert "http > GET" in outcome.stderr
    assert "/api/v2/accounts/123456/jobs/1/" in outcome.stderr
    assert "Token ****" in outcome.stderr, "the HTTP log shows the header, redacted"
    assert TOKEN not in outcome.stderr
    assert TOKEN not in outcome.stdout
    assert outcome.stderr_lines[-1].startswith("Error: ")


def test_debug_success_log_has_no_token(cli) -> None:
    outcome = cli("--debug", "job", "get", "--job-id", "1", env={"DBT_CLOUD_DEBUG": "1"})
    assert outcome.exit_code == 0
    assert "http < 200 GET" in outcome.stderr
    assert TOKEN not in outcome.stderr + outcome.stdout


def test_output_file_is_written_whole_or_not_at_all(cli, api: RecordedApi, tmp_path) -> None:
    target = tmp_path / "run.json"
    target.write_text("old")
    api.fail_next(Reply.json(envelope(None, 500, "boom"), 500), method="POST")
    assert cli("job", "run", "--job-id", "1", "-f", str(target)).exit_code == 1
    assert target.read_text() == "old"
    assert cli("job", "run", "--job-id", "1", "-f", str(target)).exit_code == 0
    assert '"trigger_id": 35644346' in target.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]
    missing_dir = cli("job", "run", "--job-id", "1", "-f", str(tmp_path / "no" / "run.json"))
    assert_one_clean_line(missing_dir, 2, "does not exist")


def test_get_artifact_404_keeps_the_existing_file(cli, tmp_path) -> None:
    target = tmp_path / "manifest.json"
    target.write_text("keep me")
    outcome = cli("run", "get-artifact", "--run-id", "1", "--path", "nope.json", "-f", str(target))
    assert_one_clean_line(outcome, 1, "404")
    assert target.read_text() == "keep me"


def test_get_artifact_to_a_file(cli, tmp_path) -> None:
    target = tmp_path / "run_results.json"
    outcome = cli("run", "get-artifact", "--run-id", "1", "--path", "run_results.json", "--file", str(target))
    assert outcome.exit_code == 0
    assert outcome.stdout == ""
    assert "Wrote" in outcome.stderr
    assert target.read_bytes().startswith(b'{"metadata"')


def test_run_hands_its_retry_policy_to_the_clients_of_the_call() -> None:
    """The command line's injection point for the retry policy (no global patch): its waits are
    the policy's, its number of retries the settings'."""
    from dataclasses import dataclass

    from dbt_cloud.cli import run
    from dbt_cloud.http.retry import RetryPolicy

    asked: list[tuple[int, int]] = []

    @dataclass(frozen=True)
    class Recording(RetryPolicy):
        def wait_for(self, retry_number: int, exc: BaseException | None) -> float:
            asked.append((retry_number, self.max_retries))
            return 0.0

    args = ["--max-retries", "2", "job", "list", "--api-token", "t", "--account-id", "1"]
    code = run([*args, "--dbt-cloud-host", "http://127.0.0.1:9"], retry_policy=Recording())
    assert code == 1, "nothing listens on port 9: a connection error, retried, then reported"
    assert asked, "the call's clients waited as its policy says"
    assert {retries for _, retries in asked} == {2}, "with the number of retries of the settings"
