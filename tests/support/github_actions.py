"""Running a composite action's steps as the GitHub Actions runner does, on this machine.

Each `run:` step's `env:` is evaluated, its script written to a file and run with
`bash --noprofile --norc -eo pipefail FILE` (what `shell: bash` means), with GITHUB_ACTIONS=true
and fresh GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_ENV and GITHUB_PATH files, as the runner
gives every step. A step's outputs are read back from its GITHUB_OUTPUT with the runner's rules,
and the action's outputs are evaluated from them. A failing step ends the action, as it does there.

`uses:` steps (setup-python, cache) cannot run here; they are skipped, named in `skipped`, and
stand-in outputs may be given for them (`python-path` of setup-python: this interpreter).

The expression evaluator knows only the forms action.yml uses; any other form fails the test, so
an action that starts using one cannot pass unnoticed with a wrong value.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
#: The expression forms the evaluator knows: the contexts action.yml reads.
KNOWN = re.compile(
    r"^(?:inputs\.(?P<input>[A-Za-z0-9_-]+)"
    r"|runner\.(?P<runner>temp|os|arch)"
    r"|github\.(?P<github>action_path|workspace)"
    r"|steps\.(?P<step>[A-Za-z0-9_-]+)\.outputs\.(?P<output>[A-Za-z0-9_-]+))$"
)


class UnsupportedExpressionError(AssertionError):
    """action.yml uses an expression form the evaluator does not know."""


def read_outputs(path: Path) -> dict[str, str]:
    """A GITHUB_OUTPUT (or GITHUB_ENV) file as the runner reads it: `name=value` lines and
    `name<<DELIMITER` ... `DELIMITER` blocks. A block without its end is an error, as there."""
    outputs: dict[str, str] = {}
    if not path.exists():
        return outputs
    lines = path.read_text(encoding="utf-8").split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip():
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value_lines = []
            while index < len(lines) and lines[index] != delimiter:
                value_lines.append(lines[index])
                index += 1
            if index >= len(lines):
                raise ValueError(f"{path}: the value of {name!r} never ends (no line {delimiter!r})")
            index += 1  # the delimiter
            outputs[name] = "\n".join(value_lines)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
        else:
            raise ValueError(f"{path}: cannot read the line {line!r}")
    return outputs


@dataclass
class StepResult:
    name: str
    exit_code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str


@dataclass
class ActionResult:
    steps: list[StepResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return next((step.exit_code for step in self.steps if step.exit_code != 0), 0)

    @property
    def summary(self) -> str:
        return "".join(step.summary for step in self.steps)

    def step(self, name: str) -> StepResult:
        return next(step for step in self.steps if step.name == name)

    def texts(self) -> dict[str, str]:
        """Every text the action produced, by where: for searching (the token must be in none)."""
        found = {f"stdout of {s.name}": s.stdout for s in self.steps}
        found.update({f"stderr of {s.name}": s.stderr for s in self.steps})
        found["summary"] = self.summary
        found.update({f"output {name}": value for name, value in self.outputs.items()})
        return found


class CompositeAction:
    """An action.yml, run step by step."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.definition: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert self.definition["runs"]["using"] == "composite"

    def defaults(self) -> dict[str, str]:
        return {name: str(spec.get("default", "")) for name, spec in self.definition["inputs"].items()}

    def run(
        self,
        inputs: Mapping[str, str],
        *,
        runner_temp: Path,
        workspace: Path,
        base_env: Mapping[str, str],
        stand_ins: Mapping[str, Mapping[str, str]] | None = None,
        timeout: float = 600,
    ) -> ActionResult:
        unknown = set(inputs) - set(self.definition["inputs"])
        assert not unknown, f"the action has no inputs {sorted(unknown)}"
        missing = [n for n, s in self.definition["inputs"].items() if s.get("required") and not inputs.get(n)]
        assert not missing, f"required inputs not given: {missing}"
        values = {**self.defaults(), **inputs}
        step_outputs: dict[str, dict[str, str]] = {key: dict(value) for key, value in (stand_ins or {}).items()}
        contexts = {"inputs": values, "runner_temp": str(runner_temp), "action_path": str(self.path.parent)}
        contexts["workspace"] = str(workspace)
        result = ActionResult()
        for number, step in enumerate(self.definition["runs"]["steps"], start=1):
            name = str(step.get("name") or step.get("id") or f"step {number}")
            if "uses" in step:
                # Not run, but its inputs are evaluated all the same: an unknown form fails here too.
                for given in (step.get("with") or {}).values():
                    evaluate(str(given), contexts, step_outputs)
                result.skipped.append(str(step["uses"]).split("@")[0])
                continue
            assert step.get("shell") == "bash", f"{name}: only `shell: bash` steps are run here"
            assert "${{" not in step["run"], f"{name}: an expression inside a run: script"
            env = {key: evaluate(str(value), contexts, step_outputs) for key, value in (step.get("env") or {}).items()}
            ran = self._run_step(number, name, step["run"], env, runner_temp, workspace, base_env, timeout)
            result.steps.append(ran)
            if "id" in step:
                step_outputs[str(step["id"])] = ran.outputs
            if ran.exit_code != 0:
                break
        result.outputs = {
            name: evaluate(str(spec["value"]), contexts, step_outputs)
            for name, spec in (self.definition.get("outputs") or {}).items()
        }
        return result

    def _run_step(
        self,
        number: int,
        name: str,
        script: str,
        env: Mapping[str, str],
        runner_temp: Path,
        workspace: Path,
        base_env: Mapping[str, str],
        timeout: float,
    ) -> StepResult:
        files = runner_temp / "_runner_file_commands" / f"step-{number}-{os.urandom(4).hex()}"
        files.mkdir(parents=True)
        script_file = files / "script.sh"
        script_file.write_text(script, encoding="utf-8")
        github = {
            "GITHUB_ACTIONS": "true",
            "CI": "true",
            "GITHUB_OUTPUT": str(files / "output"),
            "GITHUB_STEP_SUMMARY": str(files / "summary"),
            "GITHUB_ENV": str(files / "env"),
            "GITHUB_PATH": str(files / "path"),
            "GITHUB_STATE": str(files / "state"),
            "GITHUB_ACTION_PATH": str(self.path.parent),
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(runner_temp),
        }
        for created in ("output", "summary", "env", "path", "state"):
            (files / created).touch()
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
            cwd=workspace,
            env={**base_env, **github, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        summary = (files / "summary").read_text(encoding="utf-8")
        return StepResult(name, done.returncode, done.stdout, done.stderr, read_outputs(files / "output"), summary)


def evaluate(text: str, contexts: Mapping[str, Any], step_outputs: Mapping[str, Mapping[str, str]]) -> str:
    """`text` with each `${{ expression }}` replaced by its value; an unknown form fails."""

    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        known = KNOWN.match(expression)
        if known is None:
            raise UnsupportedExpressionError(f"the test's evaluator does not know ${{{{ {expression} }}}}")
        if known["input"]:
            inputs = contexts["inputs"]
            if known["input"] not in inputs:
                raise UnsupportedExpressionError(f"no input named {known['input']!r}")
            return str(inputs[known["input"]])
        if known["runner"] == "temp":
            return str(contexts["runner_temp"])
        if known["runner"] == "os":
            return "Linux"
        if known["runner"] == "arch":
            return "X64"
        if known["github"] == "action_path":
            return str(contexts["action_path"])
        if known["github"] == "workspace":
            return str(contexts["workspace"])
        # A step that did not run, or did not set the output, gives the empty string, as there.
        return str(step_outputs.get(known["step"], {}).get(known["output"], ""))

    return EXPRESSION.sub(value, text)
