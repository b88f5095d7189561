"""`--help` and completion answered from the command index (dbt_cloud/cli/command_index.py) write
exactly what the real commands write, and the index is the one the models and the click tree give."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import click
import pytest

from dbt_cloud.cli import cli, lazy_groups
from dbt_cloud.cli.help_stubs import HelpOnlyCommand, HelpOnlyGroup, command_entry, context_for, stand_in, wants_help

ROOT = Path(__file__).resolve().parents[2]


def gen_command_index() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_command_index", ROOT / "scripts" / "gen_command_index.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_command_index_is_current() -> None:
    assert gen_command_index().is_current(), "dbt_cloud/cli/command_index.py is stale: run `make docs`"


def test_the_root_loads_every_group_of_the_index_from_where_it_says() -> None:
    from dbt_cloud.cli.command_index import GROUPS, HELP

    assert set(HELP) == set(GROUPS) == set(lazy_groups())
    assert cli.lazy == GROUPS  # type: ignore[attr-defined]


def root_context() -> click.Context:
    ctx = context_for(cli, "dbt-cloud", None)
    ctx.terminal_width = 100
    return ctx


def pairs() -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    root = root_context()
    for name in sorted(lazy_groups()):
        command = cli.get_command(root, name)
        found.append((name,))
        if isinstance(command, click.Group):
            found.extend((name, sub) for sub in command.list_commands(root))
    return found


@pytest.mark.parametrize("path", pairs(), ids=" ".join)
def test_a_stand_in_writes_the_help_of_its_command(path: tuple[str, ...]) -> None:
    root = root_context()
    name = path[0]
    real = cli.get_command(root, name)
    stub = stand_in(name, lambda: real, rest=["--help"], completing=False)  # type: ignore[arg-type,return-value]
    assert stub is not None, f"{name} has no help index"
    real_ctx = context_for(real, name, root)  # type: ignore[arg-type]
    stub_ctx = context_for(stub, name, root)
    if len(path) == 2:
        assert isinstance(real, click.Group)
        assert isinstance(stub, HelpOnlyGroup)
        real_sub, stub_sub = real.get_command(real_ctx, path[1]), stub.get_command(stub_ctx, path[1])
        assert isinstance(stub_sub, (HelpOnlyCommand, HelpOnlyGroup))
        real_ctx = context_for(real_sub, path[1], real_ctx)  # type: ignore[arg-type]
        stub_ctx = context_for(stub_sub, path[1], stub_ctx)
    assert stub_ctx.command.get_help(stub_ctx) == real_ctx.command.get_help(real_ctx)


def test_help_is_asked_for_before_a_double_dash_only() -> None:
    assert wants_help(["list", "--help"])
    assert wants_help(["-h"])
    assert not wants_help(["list", "--", "--help"])
    assert not wants_help(["list", "--name", "x"])


def test_a_command_line_that_runs_something_gets_the_real_command() -> None:
    root = root_context()
    real = cli.get_command(root, "job")
    assert isinstance(real, click.Group)
    assert stand_in("job", lambda: real, rest=["list"], completing=False) is None
    assert stand_in("configure", lambda: real, rest=[], completing=False) is None, "a command named alone runs"
    stub = stand_in("job", lambda: real, rest=["list", "--help"], completing=False)
    assert isinstance(stub, HelpOnlyGroup)
    stub_ctx = context_for(stub, "job", root)
    _, helper, _ = stub.resolve_command(stub_ctx, ["list", "--help"])
    assert isinstance(helper, HelpOnlyCommand)
    _, command, _ = stub.resolve_command(stub_ctx, ["list", "--", "--help"])
    assert command is real.get_command(root, "list"), "past `--`, the real command"


def test_a_plain_command_with_model_options_keeps_click_s_one_section() -> None:
    """A composite command (a click.Command of its own, with a model's options and an epilog)
    lists every option under "Options", as click does; its stand-in too."""
    from dbt_cloud.api.operations.run import RunGet
    from dbt_cloud.cli.options import ModelOption, option_specs

    composite = click.Command(
        "watch", params=[ModelOption(spec) for spec in option_specs(RunGet)], help="Watch.", epilog="\b\nAPI:\nGET /x"
    )
    ctx = context_for(composite, "watch", None)
    stub = HelpOnlyCommand("watch", command_entry(composite, ctx))
    text = stub.get_help(context_for(stub, "watch", None))
    assert text == composite.get_help(ctx)
    assert "Path options" not in text
