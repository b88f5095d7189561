"""`run get-artifact` / `job get-artifact`: a file is written whole or not at all (an error or a cut
stream never leaves a partial file or overwrites one), several paths at once, `-` for stdout, and
`--step auto` finds the step that built the models."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.integration.composites.conftest import Cli, Server, answer, finished_run
from tests.support.recorded_api import Reply
from tests.support.scripted_api import ScriptedServer


def built_something(run_results: dict[str, Any]) -> bool:
    """Whether any node of a run_results.json has an adapter response (a built model)."""
    return any(result.get("adapter_response") for result in run_results.get("results", []))


def test_a_missing_artifact_leaves_the_existing_file_untouched(dbt: Cli, server: Server, tmp_path: Path) -> None:
    run_id = finished_run(dbt, server, "build")
    target = tmp_path / "catalog.json"
    target.write_text("the previous catalog")
    outcome = dbt("run", "get-artifact", "--run-id", str(run_id), "--path", "catalog.json", "-f", str(target))
    assert outcome.exit_code == 1
    (line,) = outcome.stderr_lines
    path = f"/api/v2/accounts/{server.account_id}/runs/{run_id}/artifacts/catalog.json"
    assert line.startswith(f"Error: GET {path} answered 404 Not Found: ")
    assert target.read_text() == "the previous catalog"
    assert [p.name for p in tmp_path.iterdir()] == ["catalog.json"], "no temporary file left"


def test_several_paths_go_to_the_output_dir(dbt: Cli, server: Server, tmp_path: Path) -> None:
    run_id = str(finished_run(dbt, server, "build"))
    paths = ["--path", "manifest.json", "--path", "run_results.json"]
    outcome = dbt("run", "get-artifact", "--run-id", run_id, *paths, "--output-dir", str(tmp_path / "out"))
    assert outcome.exit_code == 0, outcome.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["manifest.json", "run_results.json"]
    assert "metadata" in json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert outcome.stdout == ""
    assert len(outcome.stderr_lines) == 2


def test_with_several_paths_each_is_tried_and_the_failures_listed(dbt: Cli, server: Server, tmp_path: Path) -> None:
    run_id = str(finished_run(dbt, server, "build"))
    paths = ["--path", "catalog.json", "--path", "manifest.json"]
    outcome = dbt("run", "get-artifact", "--run-id", run_id, *paths, "--output-dir", str(tmp_path))
    assert outcome.exit_code == 1
    assert (tmp_path / "manifest.json").exists()
    assert not (tmp_path / "catalog.json").exists()
    assert outcome.stderr_lines[0].startswith("Failed catalog.json: GET ")
    assert outcome.stderr_lines[-1] == "Error: 1 of 2 artifacts could not be downloaded"


def test_several_paths_need_an_output_dir(dbt: Cli) -> None:
    outcome = dbt("run", "get-artifact", "--run-id", "1", "--path", "a.json", "--path", "b.json")
    assert outcome.exit_code == 2
    assert outcome.stderr_lines == ["Error: Several --path values need --output-dir to put them in"]


def test_dash_writes_to_stdout(dbt: Cli, server: Server) -> None:
    run_id = finished_run(dbt, server, "build")
    outcome = dbt("run", "get-artifact", "--run-id", str(run_id), "--path", "manifest.json", "-f", "-")
    assert outcome.exit_code == 0, outcome.stderr
    assert "metadata" in json.loads(outcome.stdout)


def test_step_auto_picks_the_build_step_of_a_job_ending_with_docs(dbt: Cli, server: Server) -> None:
    run_id = str(finished_run(dbt, server, "docs"))
    last_step = answer(dbt("run", "get-artifact", "--run-id", run_id, "--path", "run_results.json"))
    assert not built_something(last_step), "docs generate built nothing"
    outcome = dbt("run", "get-artifact", "--run-id", run_id, "--path", "run_results.json", "--step", "auto")
    assert outcome.exit_code == 0, outcome.stderr
    assert built_something(json.loads(outcome.stdout))
    (line,) = outcome.stderr_lines
    assert re.fullmatch(r"--step auto: using step \d+ \(.*dbt build.*\), the last step that built models", line)


def test_a_bad_step_is_a_usage_error(dbt: Cli) -> None:
    outcome = dbt("run", "get-artifact", "--run-id", "1", "--path", "x.json", "--step", "last")
    assert outcome.exit_code == 2
    assert "neither a step number" in outcome.stderr


def test_job_get_artifact_takes_the_latest_successful_run(dbt: Cli, server: Server, tmp_path: Path) -> None:
    latest = str(finished_run(dbt, server, "docs"))
    job_id = str(server.jobs["docs"])
    target = tmp_path / "manifest.json"
    outcome = dbt("job", "get-artifact", "--job-id", job_id, "--path", "manifest.json", "-f", str(target))
    assert outcome.exit_code == 0, outcome.stderr
    of_the_run = dbt("run", "get-artifact", "--run-id", latest, "--path", "manifest.json")
    assert json.loads(target.read_text()) == json.loads(of_the_run.stdout)
    auto = dbt("job", "get-artifact", "--job-id", job_id, "--path", "run_results.json", "--step", "auto")
    assert auto.exit_code == 0, auto.stderr
    assert built_something(json.loads(auto.stdout))
    assert f"Using run {latest}, the job's latest successful run" in auto.stderr_lines


# --- what only the scripted server can show ------------------------------------------------------


def test_a_download_cut_midway_leaves_no_file(dbt_scripted: Cli, scripted: ScriptedServer, tmp_path: Path) -> None:
    run_id = finished_run(dbt_scripted, scripted, "build")
    scripted.api.fail_next(Reply(200, b"x" * 200_000, cut_after=50_000), path=r"/artifacts/manifest.json$")
    target = tmp_path / "manifest.json"
    outcome = dbt_scripted("run", "get-artifact", "--run-id", str(run_id), "--path", "manifest.json", "-f", str(target))
    assert outcome.exit_code == 1
    assert outcome.stderr_lines == ["Error: The connection to 127.0.0.1 broke during the download; nothing was written"]
    assert list(tmp_path.iterdir()) == []


def test_a_cut_download_leaves_the_previous_file_as_it_was(
    dbt_scripted: Cli, scripted: ScriptedServer, tmp_path: Path
) -> None:
    run_id = finished_run(dbt_scripted, scripted, "build")
    scripted.api.fail_next(Reply(200, b"x" * 200_000, cut_after=50_000), path=r"/artifacts/manifest.json$")
    target = tmp_path / "manifest.json"
    target.write_text("yesterday's manifest")
    args = ["--path", "manifest.json", "--path", "run_results.json", "--output-dir", str(tmp_path)]
    outcome = dbt_scripted("run", "get-artifact", "--run-id", str(run_id), *args)
    assert outcome.exit_code == 1
    assert target.read_text() == "yesterday's manifest"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json", "run_results.json"]


def test_step_auto_says_which_step_it_used(dbt_scripted: Cli, scripted: ScriptedServer) -> None:
    run_id = str(finished_run(dbt_scripted, scripted, "docs"))
    outcome = dbt_scripted("run", "get-artifact", "--run-id", run_id, "--path", "run_results.json", "--step", "auto")
    assert json.loads(outcome.stdout)["step"] == "dbt build"
    assert outcome.stderr_lines == [
        "--step auto: using step 2 (Invoke dbt with `dbt build`), the last step that built models"
    ]
