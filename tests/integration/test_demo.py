"""`make demo` (demo/run_demo.py) prints each command before its real output, labels the lines that
condense an answer "summary:", and ends with the catalog explorer's non-interactive view of one
model. Its parts run here against the session's local runner (the whole demo runs dbt twice more)."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.local_runner import LocalRunner

ROOT = Path(__file__).resolve().parents[2]


def load_demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_demo", ROOT / "demo" / "run_demo.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo() -> ModuleType:
    module = load_demo()
    if not Path(module.EXECUTABLE).exists():
        pytest.skip(f"no dbt-cloud console script beside {sys.executable}")
    return module


def test_the_steps_are_shown_as_the_command_prints_them_and_summaries_say_so(
    demo: ModuleType, local_runner: LocalRunner, capfd: pytest.CaptureFixture[str]
) -> None:
    env = {**os.environ, **local_runner.env(), "COLUMNS": "100"}
    run = demo.trigger_and_wait(local_runner.jobs["build"], "test", env, expect=0)
    capfd.readouterr()
    demo.show_step_logs(run["id"], env)
    lines = capfd.readouterr().out.splitlines()
    command = lines.index(f"$ dbt-cloud run get --run-id {run['id']} --include-related run_steps -o table")
    assert "run_steps (4)" in lines[command:], "the command's own table"
    told = lines.index(f"$ dbt-cloud run logs {run['id']} -o json")
    condensed = lines[told + 1 :]
    assert condensed[0].startswith("summary: step 1: ")
    assert all(line.startswith(("summary: ", "   ")) for line in condensed), "what is condensed says so"
    assert any("OK created" in line for line in condensed), "the telling lines of the build"


def test_the_demo_ends_with_the_explorers_view_of_one_model(
    demo: ModuleType, local_runner: LocalRunner, capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    env = {**os.environ, **local_runner.env(), "COLUMNS": "100"}
    run = demo.trigger_and_wait(local_runner.jobs["docs"], "test", env, expect=0)
    catalog = tmp_path / "catalog.json"
    demo.quiet("run", "get-artifact", "--run-id", str(run["id"]), "--path", "catalog.json", "-f", str(catalog), env=env)
    model = demo.first_model(json.loads(catalog.read_text()))
    capfd.readouterr()
    demo.step("view", "demo", "data-catalog", "-f", str(catalog), "--node", model, "-o", "table", env=env)
    shown = capfd.readouterr().out
    assert f"--node {model} -o table" in shown
    assert f"model.dbt_cloud_demo.{model}" in shown
    assert "columns (" in shown
    source = (ROOT / "demo" / "run_demo.py").read_text()
    main = source[source.index("def main()") :]
    assert main.rindex('"demo", "data-catalog"') > main.rindex('"run", "get", "--run-id", "999999"'), "it comes last"
