"""`run get-artifact` / `job get-artifact`: a file is written whole or not at all (an error or a cut
stream never leaves a partial file or overwrites one), several paths at once, `-` for stdout, and
`--step auto` finds the step that built the models."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.composites.conftest import Cli
from tests.support.recorded_api import Reply
from tests.support.scripted_api import ScriptedServer


def finished_run(server: ScriptedServer, job: str) -> int:
    run = server.api.add_run(server.api.jobs[server.jobs[job]])
    run.polls = 99  # as far as its script goes
    return int(run.data["id"])


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_missing_artifact_leaves_the_existing_file_untouched(
    dbt: Cli, server: ScriptedServer, tmp_path: Path
) -> None:
    run_id = finished_run(server, "build")
    target = tmp_path / "catalog.json"
    target.write_text("the previous catalog")
    outcome = dbt("run", "get-artifact", "--run-id", str(run_id), "--path", "catalog.json", "-f", str(target))
    assert outcome.exit_code == 1
    assert outcome.stderr_lines == [
        f"Error: GET /api/v2/accounts/{server.account_id}/runs/{run_id}/artifacts/catalog.json answered 404 "
        "Not Found: No artifact catalog.json for this run. (check the ids and --dbt-cloud-host)"
    ]
    assert target.read_text() == "the previous catalog"
    assert leftovers(tmp_path) == []


def test_a_download_cut_midway_leaves_no_file(dbt: Cli, scripted: ScriptedServer, tmp_path: Path) -> None:
    run_id = finished_run(scripted, "build")
    body = b"x" * 200_000
    scripted.api.fail_next(Reply(200, body, cut_after=50_000), times=1, path=r"/artifacts/manifest.json$")
    target = tmp_path / "manifest.json"
    outcome = dbt("run", "get-artifact", "--run-id", str(run_id), "--path", "manifest.json", "-f", str(target))
    assert outcome.exit_code == 1
    assert "nothing was written" in outcome.stderr or "stopped after" in outcome.stderr
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_several_paths_go_to_the_output_dir(dbt: Cli, server: ScriptedServer, tmp_path: Path) -> None:
    run_id = finished_run(server, "build")
    outcome = dbt(
        "run", "get-artifact", "--run-id", str(run_id), "--path", "manifest.json", "--path", "run_results.json",
        "--output-dir", str(tmp_path / "out"),
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["manifest.json", "run_results.json"]
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["metadata"]["run"] == run_id
    assert outcome.stdout == ""


def test_with_several_paths_each_is_tried_and_the_failures_listed(
    dbt: Cli, server: ScriptedServer, tmp_path: Path
) -> None:
    run_id = finished_run(server, "build")
    outcome = dbt(
        "run", "get-artifact", "--run-id", str(run_id), "--path", "catalog.json", "--path", "manifest.json",
        "--output-dir", str(tmp_path),
    )  # fmt: skip
    assert outcome.exit_code == 1
    assert (tmp_path / "manifest.json").exists()
    assert not (tmp_path / "catalog.json").exists()
    assert outcome.stderr_lines[0].startswith("Failed catalog.json: GET ")
    assert outcome.stderr_lines[-1] == "Error: 1 of 2 artifacts could not be downloaded"


def test_several_paths_need_an_output_dir(dbt: Cli, server: ScriptedServer) -> None:
    outcome = dbt("run", "get-artifact", "--run-id", "1", "--path", "a.json", "--path", "b.json")
    assert outcome.exit_code == 2
    assert outcome.stderr_lines == ["Error: Several --path values need --output-dir to put them in"]


def test_dash_writes_to_stdout(dbt: Cli, server: ScriptedServer) -> None:
    run_id = finished_run(server, "build")
    outcome = dbt("run", "get-artifact", "--run-id", str(run_id), "--path", "manifest.json", "-f", "-")
    assert outcome.exit_code == 0, outcome.stderr
    assert json.loads(outcome.stdout) == {"metadata": {"run": run_id}}


def test_step_auto_picks_the_build_step_of_a_job_ending_with_docs(dbt: Cli, server: ScriptedServer) -> None:
    run_id = finished_run(server, "docs")
    last_step = dbt("run", "get-artifact", "--run-id", str(run_id), "--path", "run_results.json")
    assert json.loads(last_step.stdout)["results"][0]["adapter_response"] == {}, "docs generate built nothing"
    outcome = dbt("run", "get-artifact", "--run-id", str(run_id), "--path", "run_results.json", "--step", "auto")
    assert outcome.exit_code == 0, outcome.stderr
    results = json.loads(outcome.stdout)
    assert results["step"] == "dbt build"
    assert results["results"][0]["adapter_response"] == {"rows_affected": 1}
    assert outcome.stderr_lines == [
        "--step auto: using step 2 (Invoke dbt with `dbt build`), the last step that built models"
    ]


def test_a_bad_step_is_a_usage_error(dbt: Cli) -> None:
    outcome = dbt("run", "get-artifact", "--run-id", "1", "--path", "x.json", "--step", "last")
    assert outcome.exit_code == 2
    assert "neither a step number" in outcome.stderr


def test_job_get_artifact_takes_the_latest_successful_run(dbt: Cli, server: ScriptedServer, tmp_path: Path) -> None:
    older = finished_run(server, "docs")
    newer = finished_run(server, "docs")
    target = tmp_path / "manifest.json"
    job_id = str(server.jobs["docs"])
    outcome = dbt("job", "get-artifact", "--job-id", job_id, "--path", "manifest.json", "-f", str(target))
    assert outcome.exit_code == 0, outcome.stderr
    assert json.loads(target.read_text())["metadata"]["run"] == newer != older
    auto = dbt("job", "get-artifact", "--job-id", job_id, "--path", "run_results.json", "--step", "auto")
    assert auto.exit_code == 0, auto.stderr
    assert json.loads(auto.stdout)["step"] == "dbt build"
    assert f"Using run {newer}, the job's latest successful run" in auto.stderr_lines
