"""`dbt-cloud demo` costs nothing until the explorer runs: its help imports neither the catalog code
nor inquirer, art or httpx."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from dbt_cloud.cli import run
run({args!r})  # main() would end the process after a help text, before this probe reports
heavy = ["dbt_cloud.cli.commands.demo", "dbt_cloud.catalog", "inquirer", "art", "httpx", "pydantic_core"]
print(json.dumps({{name: name in sys.modules for name in heavy}}), file=sys.stderr)
"""


def loaded_after(args: list[str]) -> dict[str, bool]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, check=False
    )
    return json.loads(result.stderr.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_root_help_lists_demo_without_importing_it() -> None:
    result = subprocess.run([sys.executable, "-m", "dbt_cloud", "--help"], capture_output=True, text=True, check=True)
    assert "demo" in result.stdout
    assert "Demo applications: the catalog explorer." in result.stdout
    assert not any(loaded_after(["--help"]).values())


def test_data_catalog_help_imports_nothing_of_it() -> None:
    # The help comes from the help index (dbt_cloud/cli/command_index.py), not from the module.
    loaded = loaded_after(["demo", "data-catalog", "--help"])
    assert not any(loaded.values()), loaded
