"""`--help` and shell completion of a group or command without importing it.

A group's module defines its command models, so importing it means importing pydantic, which costs
more than everything else `dbt-cloud job list --help` does. The help of every command is therefore
also kept as data (`HELP` of dbt_cloud/cli/command_index.py, the one table of the command line's
groups, written from the click tree by scripts/gen_command_index.py and checked by a test): when
the command line asks for help, or is being completed, the root group answers from that data with
the stand-ins below; any other command line loads the real group and runs it. The stand-ins render
the same help text, record for record.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import click

from dbt_cloud.cli.completing import Completion, completion_of
from dbt_cloud.cli.suggest import SuggestingGroup

HELP_FLAGS = ("--help", "-h")
SECTION_TITLES = {"path": "Path options", "query": "Query options", "body": "Body options", "": "Options"}


#: Set by the shell while it asks for completions (click's protocol, named after the program).
COMPLETE_VAR = "_DBT_CLOUD_COMPLETE"


def completing() -> bool:
    """The shell is asking for completions. (Not `ctx.resilient_parsing`: the programmatic runner
    parses leniently too, and needs the real commands.)"""
    return bool(os.environ.get(COMPLETE_VAR))


def wants_help(args: list[str]) -> bool:
    """The command line asks for help (before any `--`)."""
    for arg in args:
        if arg == "--":
            return False
        if arg in HELP_FLAGS:
            return True
    return False


def load_entry(name: str) -> dict[str, Any] | None:
    """The help of group `name` from the command index; None for a name it does not hold."""
    from dbt_cloud.cli.command_index import HELP

    text = HELP.get(name)
    return None if text is None else json.loads(text)


def _param(info: dict[str, Any]) -> click.Parameter:
    """A parameter good enough to parse a command line for completion: names, arity, choices."""
    choices = info.get("choices")
    kind: click.ParamType[Any] = click.Choice(choices, case_sensitive=False) if choices else click.STRING
    completes = Completion.from_entry(info["completes"]) if info.get("completes") else None
    if info["kind"] == "argument":
        return click.Argument(
            [info["name"]], type=kind, required=False, nargs=info.get("nargs", 1), shell_complete=completes
        )
    decls = [*info["opts"], info["name"]]
    if info.get("secondary_opts"):
        decls[0] = f"{info['opts'][0]}/{info['secondary_opts'][0]}"
    if info.get("is_flag"):
        return click.Option(decls, is_flag=True, hidden=info.get("hidden", False))
    extra: dict[str, Any] = {"is_flag": False, "flag_value": "true"} if info.get("optional_value") else {}
    return click.Option(
        decls,
        type=kind,
        multiple=info.get("multiple", False),
        hidden=info.get("hidden", False),
        shell_complete=completes,
        **extra,
    )


class HelpOnlyCommand(click.Command):
    """A command's stand-in: its help exactly as the real one writes it, and its options for
    completion. Running it runs nothing: the group resolves to the real command for that."""

    def __init__(self, name: str, entry: dict[str, Any]) -> None:
        super().__init__(
            name,
            params=[_param(p) for p in entry.get("params", [])],
            help=entry.get("help"),
            short_help=entry.get("short_help"),
            epilog=entry.get("epilog"),
            hidden=entry.get("hidden", False),
            context_settings={"help_option_names": list(HELP_FLAGS)},
        )
        self.entry = entry

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return list(self.entry.get("usage", ["[OPTIONS]"]))

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        if self.entry.get("api_line"):
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(f"\b\nAPI: {self.entry['api_line']}")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        sections: dict[str, list[tuple[str, str]]] = {}
        for section, opts, text in self.entry.get("records", []):
            sections.setdefault(section, []).append((opts, text))
        for section, title in SECTION_TITLES.items():
            if sections.get(section):
                with formatter.section(title):
                    formatter.write_dl(sections[section])

    def invoke(self, ctx: click.Context) -> Any:  # pragma: no cover - resolve_command never runs it
        raise click.UsageError("this stand-in only shows help")


class HelpOnlyGroup(SuggestingGroup):
    """A group's stand-in: its own help and its commands' stand-ins, for help and completion; a
    command line that runs something gets the real command from `load` instead."""

    def __init__(self, name: str, entry: dict[str, Any], load: Callable[[], click.Command]) -> None:
        super().__init__(
            name,
            help=entry.get("help"),
            short_help=entry.get("short_help"),
            epilog=entry.get("epilog"),
            context_settings={"help_option_names": list(HELP_FLAGS)},
        )
        self.entry = entry
        self._load = load
        for command_name, command_entry in entry.get("commands", {}).items():
            if command_entry.get("kind") == "group":
                self.add_command(HelpOnlyGroup(command_name, command_entry, self._child_loader(command_name)))
            else:
                self.add_command(HelpOnlyCommand(command_name, command_entry))

    def _child_loader(self, name: str) -> Callable[[], click.Command]:
        def load() -> click.Command:
            real = self._load()
            assert isinstance(real, click.Group)
            child = real.get_command(click.Context(real), name)
            assert child is not None
            return child

        return load

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if completing() or wants_help(args[1:]):
            return super().resolve_command(ctx, args)
        real = self._load()
        assert isinstance(real, click.Group)
        return real.resolve_command(ctx, args)


def stand_in(
    name: str, load: Callable[[], click.Command], *, rest: list[str], completing: bool
) -> click.Command | None:
    """The stand-in for `name` when the rest of the command line asks for help (a group named
    alone shows its help too) or is being completed; None when the real one must run, or when
    there is no index for it."""
    if not (completing or wants_help(rest) or not rest):
        return None
    entry = load_entry(name)
    if entry is None:
        return None
    if entry.get("kind") == "group":
        return HelpOnlyGroup(name, entry, load)
    if completing or wants_help(rest):
        return HelpOnlyCommand(name, entry)
    return None


# --- writing the index (scripts/gen_command_index.py) ------------------------------------------------


def _param_entry(param: click.Parameter) -> dict[str, Any]:
    choices = list(param.type.choices) if isinstance(param.type, click.Choice) else None
    entry: dict[str, Any] = {"kind": "argument" if isinstance(param, click.Argument) else "option", "name": param.name}
    if isinstance(param, click.Option):
        entry.update(opts=list(param.opts), multiple=param.multiple, hidden=param.hidden)
        if param.secondary_opts:
            entry["secondary_opts"] = list(param.secondary_opts)
        if param.is_flag:
            entry["is_flag"] = True
        elif getattr(param, "_flag_needs_value", False):
            entry["optional_value"] = True
    else:
        entry["nargs"] = param.nargs
    if choices:
        entry["choices"] = [str(choice) for choice in choices]
    completes = completion_of(param)
    if completes is not None:
        entry["completes"] = completes.entry()
    return entry


def context_for(command: click.Command, name: str, parent: click.Context | None) -> click.Context:
    """The context click makes to run `command`, with its context settings (help option names)."""
    return click.Context(command, info_name=name, parent=parent, **command.context_settings)


def command_entry(command: click.Command, ctx: click.Context) -> dict[str, Any]:
    """What the stand-in needs to write `command`'s help as the command does; `ctx` is made by
    `context_for`."""
    if isinstance(command, click.Group):
        commands = {}
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                commands[name] = command_entry(sub, context_for(sub, name, ctx))
        return {
            "kind": "group",
            "help": command.help,
            "short_help": command.short_help,
            "epilog": command.epilog,
            "commands": commands,
        }
    help_option = command.get_help_option(ctx)
    params = [p for p in command.get_params(ctx) if p is not help_option]
    # Sections as the command writes them: ModelCommand groups its options (path, query, body),
    # a command with click's own format_options lists them all under "Options".
    sectioned = type(command).format_options is not click.Command.format_options
    records = []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx) if isinstance(param, click.Option) else None
        if record is not None:
            section = (getattr(param, "help_section", None) or "") if sectioned else ""
            records.append([section, record[0], record[1]])
    entry: dict[str, Any] = {
        "kind": "command",
        "help": command.help,
        "short_help": command.short_help,
        "epilog": command.epilog,
        "hidden": command.hidden,
        "usage": command.collect_usage_pieces(ctx),
        "params": [_param_entry(p) for p in params],
        "records": records,
    }
    api_line = getattr(command, "api_line", None)
    if api_line:
        entry["api_line"] = api_line
    return entry
