"""docs/composites.md stays true: its Python example runs against the server, and every command
line of its shell examples parses (no option that does not exist)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from dbt_cloud.cli import cli as root
from dbt_cloud.cli.help_stubs import context_for
from tests.integration.composites.conftest import Server

PAGE = Path(__file__).resolve().parents[3] / "docs" / "composites.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", PAGE.read_text(), re.S)


def command_lines() -> list[str]:
    lines = []
    for block in blocks("sh"):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" | ")[0].split(" > ")[0].split("  #")[0].strip()
            if line.startswith("dbt-cloud "):
                lines.append(line)
    return lines


@pytest.mark.parametrize("line", command_lines())
def test_every_shell_example_parses(line: str) -> None:
    words = shlex.split(line)[1:]
    command: click.Command = root
    # Contexts as click makes them (with each command's settings), so that nothing click caches
    # on a command while parsing (its help option) differs from a real run.
    ctx = context_for(root, "dbt-cloud", None)
    while isinstance(command, click.Group):
        name, words = words[0], words[1:]
        found = command.get_command(ctx, name)
        assert found is not None, f"no command {name!r} in: {line}"
        parent, command = ctx, found
        ctx = context_for(command, name, parent)
    command.make_context(command.name, list(words), parent=parent)  # raises on an unknown option


def test_the_python_example_runs(
    server: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in {**server.env(), "DBT_CLOUD_JOB_ID": str(server.jobs["build"])}.items():
        monkeypatch.setenv(name, value)
    (block,) = blocks("python")
    exec(compile(block, str(PAGE), "exec"), {})
    assert capsys.readouterr().out == "True Success\n"
