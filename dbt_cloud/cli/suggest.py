"""A suggestion ("Did you mean ...?") for a command name the group does not have, at every level of the tree.

click suggests only among the commands a group has registered, so the root (whose groups load
lazily) suggested nothing for `dbt-cloud jobs list`. Every group of the tree uses `SuggestingGroup`,
so the root and the groups below it answer a typo the same way, with the same punctuation.
"""

from __future__ import annotations

import click

#: Names a person types for a command that has another name: (group, typed) -> the command's name.
#: The root is the group "" ("" so that a group's own name can never collide with it).
ALIASES: dict[tuple[str, str], str] = {
    ("job", "trigger"): "run",  # dbt-cloud-cli and the API call it "trigger"; here it is `job run`
    ("job", "start"): "run",
    ("run", "show"): "get",
    ("run", "log"): "logs",
}


def suggestion(group: str, typed: str, names: list[str]) -> str | None:
    """The command meant by `typed` among `names` of `group`: an alias, the singular of a plural
    (`jobs` -> `job`), else the closest name by difflib; None when nothing is close."""
    import difflib

    alias = ALIASES.get((group, typed))
    if alias in names:
        return alias
    lowered = typed.lower()
    if lowered in names:
        return lowered
    for plural, singular in (("ies", "y"), ("es", ""), ("s", "")):
        if lowered.endswith(plural) and f"{lowered[: -len(plural)]}{singular}" in names:
            return f"{lowered[: -len(plural)]}{singular}"
    near = difflib.get_close_matches(lowered, names, n=1)
    return near[0] if near else None


def no_such_command(ctx: click.Context, group: click.Group, typed: str) -> click.UsageError:
    """The error of an unknown command name, with the suggestion when there is one."""
    names = [name for name in group.list_commands(ctx) if not _hidden(group, ctx, name)]
    meant = suggestion((group.name or "") if ctx.parent is not None else "", typed, names)
    message = f"No such command {typed!r}."
    if meant is not None:
        message = f"{message} Did you mean {meant!r}?"
    return click.exceptions.NoSuchCommand(typed, message=message, ctx=ctx)


def _hidden(group: click.Group, ctx: click.Context, name: str) -> bool:
    """Whether the command is hidden, looked up without loading a lazy group (those are never hidden)."""
    command = group.commands.get(name)
    return command is not None and command.hidden


class SuggestingGroup(click.Group):
    """A click group whose unknown command names get a suggestion (see `suggestion`)."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            raise no_such_command(ctx, self, exc.command_name) from None
