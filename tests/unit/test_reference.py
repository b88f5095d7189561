"""The committed command reference is the one the click tree generates: docs/commands.md and a page
per group in docs/commands/, none stale and none left over."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def gen_reference() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_reference", ROOT / "scripts" / "gen_reference.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_reference_pages_are_current() -> None:
    module = gen_reference()
    pages = module.render_all()
    assert module.stale_pages(pages) == [], "the command reference is stale: run `make docs`"
    index = (ROOT / "docs" / "commands.md").read_text()
    assert index == module.render()
    assert "| [`webhook test`](commands/webhook.md#dbt-cloud-webhook-test) | GET |" in index
    assert "## dbt-cloud job run" in (ROOT / "docs" / "commands" / "job.md").read_text()


def test_every_command_of_the_index_has_its_section() -> None:
    module = gen_reference()
    pages = module.render_all()
    index = pages[module.TARGET]
    for line in index.splitlines():
        if line.startswith("| [`"):
            command = line.split("`")[1]
            page = ROOT / "docs" / "commands" / line.split("](commands/")[1].split("#")[0]
            assert f"## dbt-cloud {command}\n" in pages[page], f"{command} has no section in {page.name}"
