"""action.yml and the example workflows agree with the release and the docs, and the test runner of
the action's steps refuses what it does not understand."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import dbt_cloud
from tests.support.github_actions import CompositeAction, UnsupportedExpressionError, evaluate

ROOT = Path(__file__).resolve().parents[2]
ACTION = CompositeAction(ROOT / "action.yml")
EXAMPLES = sorted((ROOT / "docs" / "examples" / "workflows").glob("*.yml"))
DOCS = (ROOT / "docs" / "github-actions.md").read_text()


def plan_install(tmp_path: Path, *, version: str = "", package: str = "") -> dict[str, str]:
    """The outputs of the step that chooses what to install, run as the runner runs it."""
    (step,) = [step for step in ACTION.definition["runs"]["steps"] if step.get("id") == "plan"]
    outputs = tmp_path / "output"
    outputs.write_text("")
    env = {
        "PATH": "/usr/bin:/bin",
        "INPUT_VERSION": version,
        "INPUT_PACKAGE": package,
        "PYTHON": sys.executable,
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_ACTION_PATH": "/home/runner/work/_actions/dbt-cloud/dbt-cloud/0123abc",
    }
    subprocess.run(["bash", "-e", "-c", step["run"]], env=env, check=True)
    return dict(line.split("=", 1) for line in outputs.read_text().splitlines())


def test_the_action_installs_its_own_checkout_by_default(tmp_path: Path) -> None:
    """No version is named by default: the action installs the dbt-cloud of the ref a workflow
    pinned, which exists before (and whether or not) a release is on PyPI."""
    assert ACTION.definition["inputs"]["version"]["default"] == ""
    default = plan_install(tmp_path)
    assert default["requirement"] == "/home/runner/work/_actions/dbt-cloud/dbt-cloud/0123abc"
    assert default["pinned"] == "false", "a checkout is installed again over a restored environment"
    pinned = plan_install(tmp_path, version=dbt_cloud.__version__)
    assert (pinned["requirement"], pinned["pinned"]) == (f"dbt-cloud=={dbt_cloud.__version__}", "true")
    assert pinned["key"] != default["key"]
    wheel = plan_install(tmp_path, version="9.9.9", package="dist/dbt_cloud-0.1.0-py3-none-any.whl")
    assert (wheel["requirement"], wheel["pinned"]) == ("dist/dbt_cloud-0.1.0-py3-none-any.whl", "false")


def test_no_run_script_holds_an_expression() -> None:
    """Inputs reach the scripts through env: an expression inside a script could inject shell code."""
    for step in ACTION.definition["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], step.get("name")


def test_every_input_and_output_is_in_the_docs_tables() -> None:
    for name in [*ACTION.definition["inputs"], *ACTION.definition["outputs"]]:
        assert re.search(rf"^\| `{re.escape(name)}` \|", DOCS, re.MULTILINE), f"{name} is not documented"


def test_the_outputs_are_those_the_cli_writes() -> None:
    outputs = ACTION.definition["outputs"]
    assert set(outputs) == {"run-id", "status", "run-url", "artifact-paths"}
    for name, spec in outputs.items():
        assert spec["value"] == f"${{{{ steps.run.outputs.{name} }}}}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_use_this_release(path: Path) -> None:
    text = path.read_text()
    for reference in re.findall(r"uses: dbt-cloud/dbt-cloud@(\S+) # (\S+)", text):
        commit, tag = reference
        assert re.fullmatch(r"[0-9a-f]{40}", commit), "pinned by a full commit"
        assert tag == f"v{dbt_cloud.__version__}"
    for pinned in re.findall(r"dbt-cloud==([0-9][^\s\"']*)", text):
        assert pinned == dbt_cloud.__version__
    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {}, "examples ask for no permissions"


def test_there_are_the_three_examples_the_docs_include() -> None:
    names = [path.name for path in EXAMPLES]
    assert names == ["nightly-artifacts.yml", "on-merge.yml", "pull-request-ci.yml"]
    for name in names:
        assert f'--8<-- "docs/examples/workflows/{name}"' not in DOCS, "GitHub does not render includes"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_docs_show_each_example_inline_and_equal_to_its_file(path: Path) -> None:
    """The page shows each workflow as it is (GitHub renders no `--8<--`), and the copy is the
    file that actionlint, zizmor and the schema check."""
    marker = f"<!-- docs/examples/workflows/{path.name} (a test keeps this copy equal to the file) -->\n```yaml\n"
    assert marker in DOCS, f"{path.name} is not shown inline"
    shown = DOCS.split(marker, 1)[1].split("```", 1)[0]
    assert shown == path.read_text(), f"the copy of {path.name} in docs/github-actions.md differs from the file"


@pytest.mark.parametrize(
    "expression",
    ["${{ github.event.pull_request.title }}", "${{ inputs.args || 'x' }}", "${{ env.HOME }}", "${{ secrets.X }}"],
)
def test_the_evaluator_refuses_forms_it_does_not_know(expression: str) -> None:
    contexts = {"inputs": {"args": "a"}, "runner_temp": "/t", "action_path": "/a", "workspace": "/w"}
    with pytest.raises(UnsupportedExpressionError):
        evaluate(f"x {expression} y", contexts, {})


def test_the_evaluator_knows_the_forms_the_action_uses() -> None:
    contexts = {"inputs": {"api-token": "t"}, "runner_temp": "/t", "action_path": "/a", "workspace": "/w"}
    given = "${{ inputs.api-token }} ${{ runner.temp }}/v ${{ github.action_path }} ${{ steps.plan.outputs.key }}"
    assert evaluate(given, contexts, {"plan": {"key": "k"}}) == "t /t/v /a k"
    assert evaluate("${{ steps.missing.outputs.key }}", contexts, {}) == ""


def fragments(text: str) -> list[str]:
    """The YAML blocks of a page, but the copies of the example files (checked as files)."""
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    examples = {path.read_text() for path in EXAMPLES}
    return [block for block in blocks if block not in examples]


@pytest.mark.parametrize("page", ["docs/github-actions.md", "README.md"])
def test_the_steps_shown_in_the_docs_pass_the_workflow_linters(page: str, tmp_path: Path) -> None:
    """The steps a page shows, put in a workflow of their own, pass actionlint and zizmor as the
    example files do."""
    blocks = fragments((ROOT / page).read_text())
    assert blocks, f"{page} shows no steps"
    files = []
    for number, block in enumerate(blocks):
        steps = yaml.safe_load(block)
        steps = steps if isinstance(steps, list) else [steps]
        workflow = {
            "name": f"{page} fragment {number}",
            "on": {"push": {"branches": ["main"]}, "pull_request": {"branches": ["main"]}},
            "permissions": {},
            "jobs": {"fragment": {"name": "Fragment", "runs-on": "ubuntu-latest", "steps": steps}},
        }
        files.append(tmp_path / f"fragment-{number}.yml")
        files[-1].write_text(yaml.safe_dump(workflow, sort_keys=False))
    tools = Path(sys.executable).parent
    for command in ([tools / "actionlint"], [tools / "zizmor", "--offline", "--no-progress"]):
        done = subprocess.run([*map(str, command), *map(str, files)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"{command[0].name} on the steps of {page}:\n{done.stdout}{done.stderr}"
