"""GitHub mode against the recorded API: when it is on, the token masked before anything is sent,
the error line annotated, and what a program running commands in process gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbt_cloud.runner import DbtCloudRunner
from tests.conftest import TOKEN, Outcome, invoke
from tests.support.github_actions import read_outputs
from tests.support.recorded_api import RecordedApi


def annotations(outcome: Outcome) -> list[str]:
    return [line for line in outcome.stderr_lines if line.startswith("::")]


def test_the_error_line_is_also_an_annotation_where_github_actions_runs(api: RecordedApi) -> None:
    env = {"GITHUB_ACTIONS": "true", "DBT_CLOUD_HOST": api.url, "DBT_CLOUD_ACCOUNT_ID": "1"}
    done = invoke(["job", "list"], env=env)
    assert done.exit_code == 2
    (error,) = done.stderr_lines
    assert error.startswith("::error title=dbt-cloud::No API token given"), "once: as the annotation"
    assert annotations(done) == [error]
    assert api.requests == []


def test_no_github_and_github_decide_whatever_the_environment_says(api: RecordedApi) -> None:
    off = invoke(["--no-github", "job", "list"], env={"GITHUB_ACTIONS": "true"})
    assert off.exit_code == 2
    assert annotations(off) == []
    on = invoke(["--github", "job", "list"], env={"DBT_CLOUD_HOST": api.url})
    assert on.exit_code == 2
    assert len(annotations(on)) == 1
    assert invoke(["job", "list"], env={"GITHUB_ACTIONS": "false"}).stderr.count("::") == 0


def test_an_error_before_the_root_options_are_read_is_annotated_too() -> None:
    done = invoke(["--github", "--timeout", "soon", "job", "list"])
    assert done.exit_code == 2
    (annotation,) = annotations(done)
    assert annotation.startswith("::error title=dbt-cloud::Invalid value for '--timeout'")


def test_a_server_message_cannot_inject_a_workflow_command(cli, api: RecordedApi) -> None:
    """The message of a 404 is the server's own words: a newline in them does not start a line."""
    from tests.support.recorded_api import Reply, envelope

    api.fail_next(Reply.json(envelope(None, 404, "No job\n::add-mask::x"), status=404))
    done: Outcome = cli("--github", "job", "get", "--job-id", "7")
    assert done.exit_code == 1
    (error,) = [line for line in annotations(done) if not line.startswith("::add-mask::")]
    assert error.startswith("::error title=dbt-cloud::")
    assert "No job ::add-mask::x" in error
    assert not any(line.startswith("::add-mask::x") for line in done.stderr.splitlines())


def test_the_token_is_masked_before_the_first_request(cli) -> None:
    done: Outcome = cli("--github", "--debug", "job", "get", "--job-id", "43167")
    assert done.exit_code == 0, done.stderr
    lines = done.stderr_lines
    assert lines[0] == f"::add-mask::{TOKEN}"
    assert any(line.startswith("debug: http >") for line in lines[1:])
    assert sum(TOKEN in line for line in lines) == 1
    assert "::" not in done.stdout


def test_run_get_writes_the_outputs_and_a_summary(cli, tmp_path: Path) -> None:
    output, summary = tmp_path / "output", tmp_path / "summary"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}
    done: Outcome = cli("run", "get", "--run-id", "5", env=env)
    assert done.exit_code == 0, done.stderr
    outputs = read_outputs(output)
    assert outputs["status"] == "success"
    assert outputs["run-id"].isdigit()
    assert f"dbt Cloud run {outputs['run-id']}: Success" in summary.read_text()


@pytest.mark.parametrize("asked", [None, True])
def test_a_program_gets_github_mode_only_when_it_asks(
    api: RecordedApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, asked: bool | None
) -> None:
    output = tmp_path / "output"
    for name, value in {
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(output),
        "DBT_CLOUD_API_TOKEN": TOKEN,
        "DBT_CLOUD_HOST": api.url,
        "DBT_CLOUD_ACCOUNT_ID": "123456",
    }.items():
        monkeypatch.setenv(name, value)
    with DbtCloudRunner() as runner:
        result = runner.invoke(["run", "get", "--run-id", "5"], **({"github": asked} if asked else {}))
    assert result.success
    if asked:
        assert read_outputs(output)["status"] == "success"
    else:
        assert not output.exists()
