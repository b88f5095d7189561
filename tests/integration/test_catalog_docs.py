"""docs/catalog.md tells the truth: its example table is what the command prints, and its Python
example runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import invoke
from tests.support.catalog_artifacts import ARTIFACTS

PAGE = Path(__file__).resolve().parents[2] / "docs" / "catalog.md"


def _blocks(kind: str) -> list[str]:
    """The page's fenced blocks whose info string is `kind` ("" for plain ones)."""
    found: list[str] = []
    info: str | None = None
    lines: list[str] = []
    for line in PAGE.read_text().splitlines(keepends=True):
        if not line.startswith("```"):
            lines.append(line)
        elif info is None:
            info, lines = line[3:].strip(), []
        else:
            if info == kind:
                found.append("".join(lines))
            info = None
    return found


def test_the_example_table_is_what_the_command_prints() -> None:
    shown = next(block for block in _blocks("") if block.startswith("model.shop.dim_customers"))
    outcome = invoke(
        ["demo", "data-catalog", "-f", str(ARTIFACTS / "warehouse"), "--node", "dim_customers", "-o", "table"],
        env={"COLUMNS": "120"},
    )
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stdout == shown


def test_the_python_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(ARTIFACTS / "warehouse", tmp_path / "target")
    monkeypatch.chdir(tmp_path)
    (block,) = _blocks("python")
    exec(compile(block, str(PAGE), "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith(
        "[('CUSTOMER_ID', 'NUMBER(38,0)', 'Primary key of a customer.', ['not_null', 'unique'])"
    )
    assert "model.shop.fct_orders" in printed[1]
