"""The GitHub Action and GitHub mode, end to end against the local runner.

The action's steps run as the Actions runner runs them (tests/support/github_actions.py): the wheel
a release builds is installed by the action's own install step into a virtual environment under
RUNNER_TEMP, and its run step triggers real dbt runs. A plain `run:` step is the CLI called with
GITHUB_ACTIONS=true and the step's files, nothing else.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import sys
from pathlib import Path

import pytest

from tests.conftest import Outcome
from tests.support.github_actions import ActionResult, CompositeAction, read_outputs
from tests.support.local_runner import LocalRunner
from tests.support.secrets_watch import record

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
ACTION = CompositeAction(ROOT / "action.yml")
#: The only steps the runner here cannot run: GitHub's own actions.
SKIPPED = ["actions/setup-python", "actions/cache"]


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RUNNER_TEMP for the module: the second run of the action finds the environment the
    first one installed, as a cache hit would restore it."""
    return tmp_path_factory.mktemp("runner-temp")


@pytest.fixture
def run_action(local_runner: LocalRunner, built_wheel: Path, runner_temp: Path, tmp_path: Path) -> object:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("DBT_CLOUD_", "GITHUB_", "VIRTUAL_ENV"))}
    base_env["DBT_CLOUD_CONFIG"] = str(tmp_path / "no-profile.toml")
    stand_ins = {"python": {"python-path": sys.executable, "python-version": platform.python_version()}}

    def call(args: str, **inputs: str) -> ActionResult:
        given = {
            "args": args,
            "api-token": local_runner.token,
            "account-id": str(local_runner.account_id),
            "host": local_runner.base_url,
            "package": str(built_wheel),
            **inputs,
        }
        result = ACTION.run(given, runner_temp=runner_temp, workspace=workspace, base_env=base_env, stand_ins=stand_ins)
        for where, text in result.texts().items():
            record(f"{where} of the action ({args[:60]})", text)
        assert result.skipped == SKIPPED, "only GitHub's own actions may be skipped"
        return result

    return call


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def assert_token_masked_and_nowhere_else(result: ActionResult, token: str) -> None:
    first = result.steps[0]
    assert first.name == "Mask the API token"
    assert lines(first.stdout)[0] == f"::add-mask::{token}", "the mask comes before anything else"
    run_step = result.step("Run dbt-cloud")
    # The CLI masks it again (for plain `run:` steps) before it sends anything.
    assert lines(run_step.stderr)[0] == f"::add-mask::{token}"
    for where, text in result.texts().items():
        rest = [line for line in text.splitlines() if line != f"::add-mask::{token}"]
        assert token not in "\n".join(rest), f"the token is in {where}"


def test_a_successful_run_sets_the_outputs_and_the_summary(run_action, local_runner: LocalRunner) -> None:
    job_id = local_runner.jobs["build"]
    result: ActionResult = run_action(
        f"job run --job-id {job_id} --wait --poll-interval 2 --download-artifacts 'dbt artifacts'"
    )
    run_step = result.step("Run dbt-cloud")
    assert result.exit_code == 0, run_step.stderr[-3000:]
    outputs = result.outputs
    assert outputs["status"] == "success"
    run_id = int(outputs["run-id"])
    answer = json.loads(run_step.stdout)  # stdout is still the answer alone
    assert answer["data"]["id"] == run_id
    assert outputs["run-url"] == answer["data"]["href"]
    assert outputs["run-url"].startswith(local_runner.base_url)
    paths = outputs["artifact-paths"].split("\n")
    assert sorted(Path(p).name for p in paths) == ["manifest.json", "run_results.json"]
    for path in paths:
        assert Path(path).is_absolute()
        assert Path(path).parent.name == "dbt artifacts"
        assert json.loads(Path(path).read_text())["metadata"]["dbt_version"]
    summary = result.summary
    assert f"### ✅ dbt Cloud run {run_id}: Success" in summary
    assert f"- **Run:** [{run_id}]({outputs['run-url']})" in summary
    assert "- **Job:** Build (job" in summary
    assert "- **Duration:** " in summary
    assert "Failed nodes" not in summary
    # Waiting is folded in the log; a success needs no annotation.
    assert "::group::Waiting for run" in run_step.stderr
    assert "::endgroup::" in run_step.stderr
    assert "::error" not in run_step.stderr
    assert_token_masked_and_nowhere_else(result, local_runner.token)


def test_a_failed_run_fails_the_step_and_summarizes_what_failed(run_action, local_runner: LocalRunner) -> None:
    job_id = local_runner.jobs["failing"]
    result: ActionResult = run_action(f"dbt-cloud job run --job-id {job_id} --wait --poll-interval 2")
    run_step = result.step("Run dbt-cloud")
    assert result.exit_code == 1
    assert result.outputs["status"] == "error"
    run_id = result.outputs["run-id"]
    assert result.outputs["run-url"].endswith(f"/runs/{run_id}/")
    assert result.outputs["artifact-paths"] == ""
    summary = result.summary
    assert f"### ❌ dbt Cloud run {run_id}: Error" in summary
    assert "#### Failed nodes (1)" in summary
    assert "| `test.dbt_cloud_demo.assert_rentals_returned_within_a_day` | fail | Got 3 results" in summary
    stderr = lines(run_step.stderr)
    error = [line for line in stderr if line.startswith("::error")]
    assert len(error) == 1
    assert error[0].startswith(f"::error title=dbt-cloud::Run {run_id} ended with status Error at step 4")
    # The failed step's log is folded: a group opened after the step is named, closed after the log.
    start = next(i for i, line in enumerate(stderr) if line.startswith("::group::Log of the failed step 4"))
    end = stderr.index("::endgroup::", start)
    assert any("FAIL 3 assert_rentals_returned_within_a_day" in line for line in stderr[start:end])
    assert start < stderr.index(error[0]), "the error comes last"
    assert not any(line.startswith("Error: ") for line in stderr), "once: as the annotation"
    assert_token_masked_and_nowhere_else(result, local_runner.token)


def test_shell_words_of_args_reach_the_command_as_one_argument(
    run_action, local_runner: LocalRunner, tmp_path: Path
) -> None:
    """The cause holds spaces, quotes and `$(...)`: split like a shell's words, never run by one."""
    job_id = local_runner.jobs["build"]
    cause = 'deploy of "main" $(touch pwned) it\'s fine'
    result: ActionResult = run_action(f"job run --job-id {job_id} --cause {shlex.quote(cause)}")
    assert result.exit_code == 0, result.step("Run dbt-cloud").stderr[-2000:]
    assert result.outputs["status"] == "queued"  # triggered, not waited for
    run_id = int(result.outputs["run-id"])
    with local_runner.http() as client:
        run = client.get(
            f"/api/v2/accounts/{local_runner.account_id}/runs/{run_id}/", params={"include_related": '["trigger"]'}
        ).json()["data"]
    assert run["trigger"]["cause"] == cause
    assert not (tmp_path / "workspace" / "pwned").exists()
    assert '- **Cause:** deploy of "main" $(touch pwned) it\'s fine' in result.summary
    local_runner.wait_for_run(run_id)  # leave the runner idle for the next test


def test_a_restored_environment_gets_the_package_given_again(
    run_action, local_runner: LocalRunner, runner_temp: Path
) -> None:
    """A cache hit restores the environment of an earlier run; a package given by path may hold
    other code under the same version, so it is installed again, not taken from the cache."""
    (run_id,) = local_runner.seed_runs(local_runner.jobs["build"], 1)
    assert run_action(f"run get --run-id {run_id}").exit_code == 0
    venv = runner_temp / "dbt-cloud-action-venv"
    (installed,) = venv.glob("lib/python*/site-packages/dbt_cloud/cli/github/reporter.py")
    installed.write_text("raise ImportError('the stale copy of a restored cache')\n")
    again: ActionResult = run_action(f"run get --run-id {run_id}")
    assert again.exit_code == 0, again.step("Run dbt-cloud").stderr[-2000:]
    assert again.outputs["run-id"] == str(run_id)
    assert "stale copy" not in installed.read_text()


# --- a plain `run:` step -------------------------------------------------------------------------


def step_files(tmp_path: Path) -> dict[str, str]:
    files = {"GITHUB_OUTPUT": tmp_path / "output", "GITHUB_STEP_SUMMARY": tmp_path / "summary"}
    for path in files.values():
        path.touch()
    return {name: str(path) for name, path in files.items()}


def test_a_plain_run_step_gets_the_same_outputs_by_itself(local_cli, local_runner: LocalRunner, tmp_path: Path) -> None:
    files = step_files(tmp_path)
    env = {"GITHUB_ACTIONS": "true", **files}
    folder = tmp_path / "artifacts"
    job_id = local_runner.jobs["build"]
    done: Outcome = local_cli(
        "job", "run", "--job-id", str(job_id), "--wait", "--poll-interval", "2", "--download-artifacts", str(folder),
        env=env,
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    run = json.loads(done.stdout)["data"]
    outputs = read_outputs(Path(files["GITHUB_OUTPUT"]))
    assert outputs == {
        "run-id": str(run["id"]),
        "status": "success",
        "run-url": run["href"],
        "artifact-paths": f"{folder / 'manifest.json'}\n{folder / 'run_results.json'}",
    }
    summary = Path(files["GITHUB_STEP_SUMMARY"]).read_text()
    assert f"- **Run:** [{run['id']}]({run['href']})" in summary
    assert done.stderr_lines[0] == f"::add-mask::{local_runner.token}"

    # An artifact fetched with -f is an artifact path too; there is no run to report.
    Path(files["GITHUB_OUTPUT"]).write_text("")
    target = tmp_path / "results.json"
    fetched: Outcome = local_cli(
        "run", "get-artifact", "--run-id", str(run["id"]), "--path", "run_results.json", "-f", str(target), env=env
    )
    assert fetched.exit_code == 0, fetched.stderr
    assert read_outputs(Path(files["GITHUB_OUTPUT"])) == {"artifact-paths": str(target)}


def test_no_github_turns_the_mode_off_and_run_get_reports_a_run(
    local_cli, local_runner: LocalRunner, tmp_path: Path
) -> None:
    files = step_files(tmp_path)
    env = {"GITHUB_ACTIONS": "true", **files}
    (run_id,) = local_runner.seed_runs(local_runner.jobs["build"], 1, status=30)
    off: Outcome = local_cli("--no-github", "run", "get", "--run-id", str(run_id), env=env)
    assert off.exit_code == 0, off.stderr
    assert Path(files["GITHUB_OUTPUT"]).read_text() == ""
    assert Path(files["GITHUB_STEP_SUMMARY"]).read_text() == ""
    assert "::" not in off.stderr
    on: Outcome = local_cli("run", "get", "--run-id", str(run_id), env=env)
    assert on.exit_code == 0, on.stderr
    assert read_outputs(Path(files["GITHUB_OUTPUT"]))["status"] == "cancelled"
    assert f"### 🚫 dbt Cloud run {run_id}: Cancelled" in Path(files["GITHUB_STEP_SUMMARY"]).read_text()
    assert json.loads(on.stdout) == json.loads(off.stdout)
