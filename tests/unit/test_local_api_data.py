"""The local runner's data files are what their scripts make of the committed specs: the routes'
source (dbt_cloud/local/api_spec.json) and the docs' table of every operation."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_runners_copy_of_the_specs_is_current() -> None:
    module = script("generate_local_api")
    assert module.TARGET.read_text() == module.render(), "run python scripts/generate_local_api.py"


def test_the_docs_table_of_operations_is_current() -> None:
    module = script("gen_local_operations")
    current = module.TARGET.read_text()
    assert module.render(current) == current, "run python scripts/gen_local_operations.py"
    rows = [line for line in current.split(module.START)[1].split(module.END)[0].splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 207  # the header and one row per operation
    assert any("environment-variables/job/" in row and "behaviour" in row for row in rows)
