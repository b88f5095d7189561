"""`dbt-cloud --help` stays fast because it imports only what it needs: the root help needs click
alone, a command's help needs its group (and pydantic), and httpx waits for a request."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import click
import pytest
from click.shell_completion import ShellComplete

from dbt_cloud.cli import cli, lazy_groups

PROBE = """
import json, sys
from dbt_cloud.cli import run
run({args!r})  # main() would end the process after a help text, before this probe reports
heavy = ["pydantic", "httpx", "tenacity", "dbt_cloud.http.client"]
heavy += ["dbt_cloud.api.operations.job", "dbt_cloud.api.operations.run"]
heavy += ["mcp", "dbt_cloud.mcp"]  # the MCP SDK loads only when `mcp serve` runs
loaded = {{name: name in sys.modules for name in heavy}}
loaded["groups"] = sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("dbt_cloud.api.generated."))
print(json.dumps(loaded), file=sys.stderr)
"""


def loaded_after(args: list[str]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, check=False
    )
    return json.loads(result.stderr.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_root_help_imports_no_group_pydantic_or_httpx() -> None:
    loaded = loaded_after(["--help"])
    assert not any(loaded.values())


@pytest.mark.parametrize(
    "args",
    [
        ["job", "list", "--help"],
        ["webhook", "test", "--help"],
        ["job", "--help"],
        ["api", "--help"],
        ["mcp", "serve", "--help"],
    ],
)
def test_a_command_help_comes_from_the_help_index_without_pydantic(args: list[str]) -> None:
    loaded = loaded_after(args)
    assert not any(loaded.values()), f"{' '.join(args)} loaded {loaded}"


def test_running_a_command_imports_its_group_alone_and_httpx_only_to_send() -> None:
    loaded = loaded_after(
        ["job", "list", "--api-token", "t", "--account-id", "1", "--dbt-cloud-host", "http://127.0.0.1:9"]
    )
    assert loaded["dbt_cloud.api.operations.job"]
    assert loaded["pydantic"]
    assert loaded["groups"] == ["job"], "the generated part of the job group, no other"
    assert not loaded["dbt_cloud.api.operations.run"], "only the group asked for"
    assert loaded["httpx"], "a request was sent (and refused)"
    invalid = loaded_after(["job", "list", "--account-id", "x"])
    assert invalid["pydantic"]
    assert not invalid["httpx"], "nothing is sent when the input is refused"


@pytest.mark.parametrize("name", sorted(lazy_groups()))
def test_the_lazy_table_agrees_with_each_group(name: str) -> None:
    _, short_help = lazy_groups()[name]
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    assert command.name == name
    assert command.get_short_help_str(limit=200) == short_help


IMPORT_PROBE = """
import json, sys
{statement}
heavy = ["click", "pydantic", "httpx", "tenacity", "asyncio", "dbt_cloud.http.client"]
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


# --- shell completion (click's): groups, commands and enum values ---------------------------------


def completions(args: list[str], incomplete: str) -> list[str]:
    from dbt_cloud.cli import cli

    complete = ShellComplete(cli, {}, "dbt-cloud", "_DBT_CLOUD_COMPLETE")
    return [item.value for item in complete.get_completions(args, incomplete)]


def test_completion_of_groups_commands_and_enum_values() -> None:
    assert completions([], "environment") == ["environment", "environment-variable"]
    assert completions(["webhook"], "get") == ["get", "get-event", "get-event-receipt", "get-receipt"]
    assert completions(["invite", "send", "--license-type"], "") == ["developer", "read_only", "analyst", "it"]
    assert completions(["notification", "create", "--type"], "sl") == ["slack", "slack_v2"]


def test_completion_through_the_console_script_is_lazy() -> None:
    probe = (
        "import os, sys\n"
        "os.environ.update(_DBT_CLOUD_COMPLETE='bash_complete', COMP_WORDS='dbt-cloud servi', COMP_CWORD='1')\n"
        "from dbt_cloud.cli import main\n"
        "try:\n    main([])\nexcept SystemExit:\n    pass\n"
        "groups = ('dbt_cloud.cli.commands.', 'dbt_cloud.api.generated.', 'dbt_cloud.api.operations.')\n"
        "print(sorted(m for m in sys.modules if m.startswith(groups)), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert result.stdout.split() == ["plain,service-token"]
    assert result.stderr.strip() == "[]", "no group imported to complete a group"


@pytest.mark.parametrize("width", [50, 78, 98, 120])
def test_the_root_command_list_is_what_click_writes(width: int) -> None:
    import click

    from dbt_cloud.cli import _write_dl

    rows = [(name, help) for name, (_, help) in sorted(lazy_groups().items())]
    rows += [("a-very-long-command-name-beyond-the-column", "x"), ("empty", ""), ("spaced", "two  spaces\nand lines")]
    ours, clicks = click.HelpFormatter(width=width), click.HelpFormatter(width=width)
    with ours.section("Commands"):
        _write_dl(ours, rows)
    with clicks.section("Commands"):
        clicks.write_dl(rows)
    assert ours.getvalue() == clicks.getvalue()


FAST_EXIT_PROBE = """
import atexit, sys
atexit.register(lambda: print("teardown", file=sys.stderr))
from dbt_cloud.cli import main
main({args!r})
"""


@pytest.mark.parametrize(
    ("args", "code", "teardown"),
    [
        (["--help"], 0, False),
        (["job", "list", "--help"], 0, False),
        (["--version"], 0, False),
        (["job"], 2, False),
        (["job", "list", "--account-id", "x"], 2, True),
        (["job", "list", "--nosuch"], 2, True),
    ],
)
def test_only_a_help_text_skips_the_interpreter_teardown(args: list[str], code: int, teardown: bool) -> None:
    result = subprocess.run(
        [sys.executable, "-c", FAST_EXIT_PROBE.format(args=args)], capture_output=True, text=True, check=False
    )
    assert result.returncode == code, result.stderr
    assert ("teardown" in result.stderr) == teardown
    if code == 0:
        assert result.stdout.rstrip().splitlines()[-1].strip(), "the help (or version) was written whole"
