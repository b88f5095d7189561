"""GitHub mode's parts: workflow commands, the step files, the summary, and the reporter fed by events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbt_cloud.cli.github import GitHubReporter
from dbt_cloud.cli.github.summary import failed_nodes, run_in, summary_markdown
from dbt_cloud.cli.github.workflow import error_annotation, escape_data, escape_property, output_entry, workflow_command
from dbt_cloud.events import FileSaved, RunStatusChanged, SectionEnded, SectionStarted
from dbt_cloud.redact import register
from tests.support.github_actions import read_outputs

REAL_RUN_RESULTS = Path(__file__).resolve().parents[1] / "data" / "artifacts" / "real" / "run_results.json"


def a_run(**fields: object) -> dict[str, object]:
    run: dict[str, object] = {
        "id": 70,
        "account_id": 1,
        "job_definition_id": 42,
        "status": 20,
        "status_humanized": "Error",
        "href": "https://cloud.getdbt.com/deploy/1/projects/2/runs/70/",
        "created_at": "2024-05-01 10:00:00.000000+00:00",
        "finished_at": "2024-05-01 10:03:05.000000+00:00",
        "git_sha": "981c5cf1ba29",
        "git_branch": "main",
    }
    run.update(fields)
    return run


def test_workflow_commands_escape_what_would_end_them() -> None:
    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    assert workflow_command("group", "Waiting for run 1") == "::group::Waiting for run 1"
    assert workflow_command("endgroup") == "::endgroup::"
    assert workflow_command("error", "x: y\nz", title="t:1,2") == "::error title=t%3A1%2C2::x: y%0Az"
    assert error_annotation("Run 5 ended") == "::error title=dbt-cloud::Run 5 ended"


def test_an_output_entry_holds_any_value_and_reads_back_as_the_runner_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "output"
    tricky = "a\nb=c\nEOF\nname<<EOF"
    path.write_text("before=1\n" + output_entry("paths", tricky) + output_entry("status", "success"))
    assert read_outputs(path) == {"before": "1", "paths": tricky, "status": "success"}
    first, second = output_entry("x", "1"), output_entry("x", "1")
    assert first != second, "each entry has a delimiter of its own"


def test_failed_nodes_of_a_run_results_document() -> None:
    document = {
        "results": [
            {"unique_id": "model.p.ok", "status": "success", "message": "OK"},
            {"unique_id": "model.p.broken", "status": "error", "message": "Database Error\n  no such table"},
            {"unique_id": "test.p.rows", "status": "fail", "message": "Got 3 results"},
            {"unique_id": "test.p.warned", "status": "warn", "message": "Got 1 result"},
            {"unique_id": "model.p.after", "status": "skipped", "message": None},
        ]
    }
    found = failed_nodes(document)
    assert [(n.unique_id, n.status) for n in found] == [("model.p.broken", "error"), ("test.p.rows", "fail")]
    assert found[0].message == "Database Error\n  no such table"
    with pytest.raises(ValueError, match="no list of results"):
        failed_nodes({"metadata": {}})


def test_a_real_run_results_file_reads() -> None:
    document = json.loads(REAL_RUN_RESULTS.read_text())
    found = failed_nodes(document)
    statuses = {str(r["status"]) for r in document["results"]}
    assert bool(found) == bool(statuses & {"error", "fail", "runtime error"})


def test_only_a_run_answer_is_a_run() -> None:
    run = a_run()
    assert run_in({"status": {"code": 200}, "data": run}) is run
    assert run_in(run) is run
    assert run_in({"data": [run]}) is None  # a list of runs
    assert run_in({"data": {"id": 42, "name": "Build", "state": 1}}) is None  # a job
    assert run_in(None) is None


def test_the_summary_of_a_failed_run() -> None:
    nodes = failed_nodes(
        {"results": [{"unique_id": "test.p.pipes", "status": "fail", "message": "a | b <script>\n" + "x" * 400}]}
    )
    text = summary_markdown(a_run(), url=a_run()["href"], job_name="Nightly *build*", failed=nodes)  # type: ignore[arg-type]
    assert "### ❌ dbt Cloud run 70: Error" in text
    assert "- **Job:** Nightly \\*build\\* (job 42)" in text
    assert "- **Run:** [70](https://cloud.getdbt.com/deploy/1/projects/2/runs/70/)" in text
    assert "- **Duration:** 3m 05s" in text
    assert "- **Git:** `981c5cf1ba29` on `main`" in text
    row = next(line for line in text.splitlines() if line.startswith("| `test.p.pipes`"))
    # Three cells however the message is made: its `|` and `<` are escaped, its newline gone.
    assert row.replace("\\|", "").count("|") == 4
    assert "\\<script\\>" in row
    assert row.endswith("… |")
    assert len(row) < 400


def test_the_summary_says_why_it_lists_no_failed_nodes() -> None:
    unknown = summary_markdown(a_run(), url=None, failed_note="run_results.json could not be read (404)")
    assert "- **Failed nodes:** run\\_results.json could not be read (404)" in unknown
    assert "- **Run:** 70" in unknown
    none = summary_markdown(a_run(), url=None, failed=[])
    assert "- **Failed nodes:** none in `run_results.json`" in none


class Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str) -> None:
        self.lines.append(line)


def test_the_reporter_masks_once_and_folds_sections(tmp_path: Path) -> None:
    written = Lines()
    reporter = GitHubReporter(written, environ={})
    reporter.mask("dbtl_secret-value-1")
    reporter.mask("dbtl_secret-value-1")
    reporter.mask(None)
    reporter(SectionStarted("Waiting for run 70"))
    reporter(SectionEnded("Waiting for run 70"))
    assert written.lines == ["::add-mask::dbtl_secret-value-1", "::group::Waiting for run 70", "::endgroup::"]


def test_the_reporter_writes_outputs_and_summary_without_the_token(tmp_path: Path) -> None:
    token = "dbtl_reporter-test-token-1"
    register(token)
    output, summary = tmp_path / "output", tmp_path / "summary"
    output.write_text("earlier=kept\n")
    written = Lines()
    reporter = GitHubReporter(written, environ={"GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)})
    reporter(FileSaved(str(tmp_path / "b.json"), 10))
    reporter(FileSaved(str(tmp_path / "a.json"), 10))
    run = a_run(status=10, status_humanized="Success", trigger={"cause": f"deploy with {token}"})
    reporter.finish({"data": run}, base_url="https://cloud.getdbt.com")
    assert read_outputs(output) == {
        "earlier": "kept",
        "run-id": "70",
        "status": "success",
        "run-url": run["href"],
        "artifact-paths": f"{tmp_path / 'a.json'}\n{tmp_path / 'b.json'}",
    }
    text = summary.read_text()
    assert "### ✅ dbt Cloud run 70: Success" in text
    assert "deploy with \\*\\*\\*\\*" in text  # the token, had it reached a field, is redacted
    assert token not in text + output.read_text()
    assert written.lines == []


def test_after_a_timeout_the_outputs_come_from_the_last_status_seen(tmp_path: Path) -> None:
    output = tmp_path / "output"
    reporter = GitHubReporter(Lines(), environ={"GITHUB_OUTPUT": str(output)})
    reporter(RunStatusChanged(71, 3, "Running", 1, "https://example.com/runs/71/"))
    reporter.finish(None, base_url="https://cloud.getdbt.com")
    assert read_outputs(output) == {"run-id": "71", "status": "running", "run-url": "https://example.com/runs/71/"}


def test_no_run_and_no_files_write_nothing(tmp_path: Path) -> None:
    output = tmp_path / "output"
    reporter = GitHubReporter(Lines(), environ={"GITHUB_OUTPUT": str(output)})
    reporter.finish({"data": [a_run()]}, base_url="https://cloud.getdbt.com")
    assert not output.exists()


def test_a_file_that_cannot_be_written_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    written = Lines()
    missing = tmp_path / "no-such-folder" / "output"
    reporter = GitHubReporter(written, environ={"GITHUB_OUTPUT": str(missing), "GITHUB_STEP_SUMMARY": str(missing)})
    reporter.finish({"data": a_run(status=10)}, base_url="https://cloud.getdbt.com")
    assert len(written.lines) == 2
    assert all(line.startswith("::warning title=dbt-cloud::Could not write to ") for line in written.lines)
