"""Write the command reference from the click tree itself: docs/commands.md (every command with
the API operation it runs) and one page per group in docs/commands/.

Run `make docs` after changing a command; `tests/unit/test_reference.py` fails while a committed
page differs from what this script writes, or a page is left over.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dbt_cloud.cli import cli  # noqa: E402 - after the path is set
from dbt_cloud.cli.commands.composite import CompositeCommand  # noqa: E402
from dbt_cloud.cli.options import ModelCommand  # noqa: E402

TARGET = ROOT / "docs" / "commands.md"
PAGES = ROOT / "docs" / "commands"
COMMON = {"--api-token", "--dbt-cloud-host", "--timeout", "--output", "--help"}
SECTIONS = {"path": "path", "query": "query", "body": "body", None: "other"}


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
    where = SECTIONS.get(getattr(option, "help_section", None), "other")
    return f"| {names} | {where} | {_cell(kind)} | {default} | {envvar} | {_cell(option.help or '')} |"


def _summary(command: click.Command) -> str:
    return _cell((command.help or "").split("\n\n")[0])


def _group_of(path: tuple[str, ...]) -> str:
    return path[0] if len(path) > 1 else "other"


def _page(group: str, entries: list[tuple[tuple[str, ...], click.Command]]) -> str:
    title = f"dbt-cloud {group}" if group != "other" else "Other commands"
    lines = [
        f"# {title}",
        "",
        "Generated from the command line itself by `scripts/gen_reference.py` (`make docs`); do not edit.",
        "Every API command also takes `--api-token`, `--dbt-cloud-host`, `--timeout` and `-o/--output`",
        "([configuration](../configuration.md)). The column *in* says where an option goes: the URL path,",
        "its query string, or the JSON body.",
        "",
    ]
    for path, command in entries:
        lines.append(f"## dbt-cloud {' '.join(path)}")
        lines.append("")
        lines.append(_summary(command))
        if isinstance(command, ModelCommand):
            operation = command.model.operation
            label = f" ({operation.operation_id})" if operation.operation_id else ""
            lines.extend(["", f"`{operation.method} {operation.path}`{label}"])
        elif isinstance(command, CompositeCommand):
            calls = ", ".join(f"`{m.operation.method} {m.operation.path}`" for m in command.calls)
            lines.extend(["", f"Chains {calls}"])
        lines.extend(["", "| option | in | type | default | env var | help |", "|---|---|---|---|---|---|"])
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden and not COMMON & set(param.opts):
                lines.append(_option_row(param))
        lines.append("")
    return "\n".join(lines)


def render_all() -> dict[Path, str]:
    """Every page of the reference, by the file it belongs in."""
    entries = _commands(cli, ())
    groups: dict[str, list[tuple[tuple[str, ...], click.Command]]] = {}
    for path, command in entries:
        groups.setdefault(_group_of(path), []).append((path, command))
    pages = {PAGES / f"{group}.md": _page(group, items) for group, items in sorted(groups.items())}
    return {TARGET: render(entries), **pages}


def render(entries: list[tuple[tuple[str, ...], click.Command]] | None = None) -> str:
    """docs/commands.md: every command with the operation it runs, linked to its group's page."""
    entries = _commands(cli, ()) if entries is None else entries
    lines = [
        "# Command reference",
        "",
        "Generated from the command line itself by `scripts/gen_reference.py` (`make docs`); do not edit.",
        "One line per command, with the API operation it runs as the API reference names it; each",
        "group's page has the options. `dbt-cloud commands SEARCH` finds the same from the terminal,",
        "and [`dbt-cloud api`](api.md) sends any request there is no command for.",
        "",
        "| command | method | path | operation |",
        "|---|---|---|---|",
    ]
    for path, command in entries:
        group = _group_of(path)
        anchor = "dbt-cloud-" + "-".join(path)
        link = f"[`{' '.join(path)}`](commands/{group}.md#{anchor})"
        if isinstance(command, ModelCommand):
            operation = command.model.operation
            lines.append(f"| {link} | {operation.method} | `{operation.path}` | {operation.operation_id or ''} |")
        else:
            lines.append(f"| {link} | | | {_summary(command)} |")
    lines.append("")
    return "\n".join(lines)


def stale_pages(pages: dict[Path, str]) -> list[str]:
    """Pages that differ from what this script writes, or that it would not write."""
    stale = [str(p.relative_to(ROOT)) for p, text in pages.items() if not p.exists() or p.read_text() != text]
    if PAGES.exists():
        stale.extend(str(p.relative_to(ROOT)) for p in PAGES.glob("*.md") if p not in pages)
    return sorted(stale)


def main() -> None:
    pages = render_all()
    PAGES.mkdir(parents=True, exist_ok=True)
    for leftover in PAGES.glob("*.md"):
        if leftover not in pages:
            leftover.unlink()
    for path, text in pages.items():
        path.write_text(text)
    print(f"wrote {TARGET.relative_to(ROOT)} and {len(pages) - 1} pages in {PAGES.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
