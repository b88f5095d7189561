"""Write docs/commands.md, the command reference, from the click tree itself.

Run `make docs` after changing a command; `tests/unit/test_reference.py` fails while the
committed file differs from what this script writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dbt_cloud.cli import cli  # noqa: E402 - after the path is set
from dbt_cloud.command import ModelCommand  # noqa: E402

TARGET = ROOT / "docs" / "commands.md"


def _commands(group: click.Group, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], click.Command]]:
    found: list[tuple[tuple[str, ...], click.Command]] = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*path, name)))
        else:
            found.append(((*path, name), command))
    return found


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _option_row(option: click.Option) -> str:
    names = ", ".join(f"`{name}`" for name in [*option.opts, *option.secondary_opts])
    kind = option.type.name if not option.is_flag else "flag"
    if isinstance(option.type, click.Choice):
        kind = " \\| ".join(str(choice) for choice in option.type.choices)
    if option.multiple:
        kind += " (repeatable)"
    value = option.default
    unset = value is None or value is False or value in ((), "") or callable(value)
    unset = unset or type(value).__name__ == "Sentinel"  # click's marker for "no default"
    default = "" if unset else f"`{value}`"
    envvar = f"`{option.envvar}`" if isinstance(option.envvar, str) else ""
    return f"| {names} | {_cell(kind)} | {default} | {envvar} | {_cell(option.help or '')} |"


def render() -> str:
    lines = [
        "# Command reference",
        "",
        "Generated from the command line itself by `scripts/gen_reference.py` (`make docs`); do not edit.",
        "Every API command also takes `--api-token`, `--dbt-cloud-host`, `--timeout` and `-o/--output`.",
        "",
    ]
    common = {"--api-token", "--dbt-cloud-host", "--timeout", "--output", "--help"}
    for path, command in _commands(cli, ()):
        lines.append(f"## dbt-cloud {' '.join(path)}")
        lines.append("")
        lines.append(_cell((command.help or "").split("\n\n")[0]))
        if isinstance(command, ModelCommand):
            operation = command.model.operation
            lines.extend(["", f"`{operation.method} {operation.path}`"])
        lines.extend(["", "| option | type | default | env var | help |", "|---|---|---|---|---|"])
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden and not common & set(param.opts):
                lines.append(_option_row(param))
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    TARGET.write_text(render())
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
