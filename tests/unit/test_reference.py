"""The committed command reference is the one the click tree generates."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_docs_commands_md_is_current() -> None:
    spec = importlib.util.spec_from_file_location("gen_reference", ROOT / "scripts" / "gen_reference.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (ROOT / "docs" / "commands.md").read_text()
    assert committed == module.render(), "docs/commands.md is stale: run `make docs`"
    assert "## dbt-cloud job run" in committed
