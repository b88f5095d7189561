"""`dbt-cloud --help` stays fast because it imports only what it needs: the root help needs click
alone, a command's help needs its group (and pydantic), and httpx waits for a request."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

from dbt_cloud.cli import LAZY_GROUPS

PROBE = """
import json, sys
from dbt_cloud.cli import main
try:
    main({args!r})
except SystemExit:
    pass
heavy = ["pydantic", "httpx", "tenacity", "dbt_cloud.client", "dbt_cloud.commands.job", "dbt_cloud.commands.run"]
print(json.dumps({{name: name in sys.modules for name in heavy}}), file=sys.stderr)
"""


def loaded_after(args: list[str]) -> dict[str, bool]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, check=False
    )
    return json.loads(result.stderr.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_root_help_imports_no_group_pydantic_or_httpx() -> None:
    assert not any(loaded_after(["--help"]).values())


def test_a_command_help_imports_its_group_but_not_httpx() -> None:
    loaded = loaded_after(["job", "list", "--help"])
    assert loaded["dbt_cloud.commands.job"]
    assert loaded["pydantic"]
    assert not loaded["httpx"]
    assert not loaded["tenacity"]
    assert not loaded["dbt_cloud.client"]
    assert not loaded["dbt_cloud.commands.run"], "only the group asked for"


@pytest.mark.parametrize("name", sorted(LAZY_GROUPS))
def test_the_lazy_table_agrees_with_each_group(name: str) -> None:
    target, short_help = LAZY_GROUPS[name]
    module_name, attribute = target.split(":")
    command = getattr(importlib.import_module(module_name), attribute)
    assert command.name == name
    assert command.get_short_help_str(limit=200) == short_help


IMPORT_PROBE = """
import json, sys
{statement}
heavy = ["click", "pydantic", "httpx", "tenacity", "asyncio", "dbt_cloud.client"]
print(json.dumps({{name: name in sys.modules for name in heavy}}))
"""


def loaded_by(statement: str) -> dict[str, bool]:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE.format(statement=statement)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_importing_the_package_imports_nothing_heavy() -> None:
    assert not any(loaded_by("import dbt_cloud").values())


@pytest.mark.parametrize("name", ["DbtCloudRunner", "DbtCloud", "AsyncDbtCloud"])
def test_the_python_api_waits_for_a_request_before_importing_httpx(name: str) -> None:
    loaded = loaded_by(f"from dbt_cloud import {name}")
    assert not loaded["httpx"]
    assert not loaded["tenacity"]
    assert not loaded["asyncio"], "only the async client needs asyncio"
