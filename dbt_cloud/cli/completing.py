"""What Tab offers for an option's value beyond click's choices: file and folder names, the CLI's
profile names, and a fixed set of known values (`--include-related run_steps,tr<Tab>`).

A completion is data (`Completion`), so the command index (dbt_cloud/cli/command_index.py) can
keep it and the stand-ins of dbt_cloud/cli/help_stubs.py can answer a Tab without importing the
command. Only click is imported here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # imported when a Tab asks, not by every `dbt-cloud --help`
    from click.shell_completion import CompletionItem

FILE = "file"
DIRECTORY = "dir"
PROFILE = "profile"
VALUES = "values"


class Completion:
    """A click `shell_complete` callback that says what it completes, so it can be indexed. (A
    plain class: the root imports this module, and `dataclasses` would cost `--help` a millisecond.)"""

    __slots__ = ("kind", "values")

    def __init__(self, kind: str, values: tuple[str, ...] = ()) -> None:
        self.kind = kind
        self.values = values

    def __call__(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        if self.kind in (FILE, DIRECTORY):
            # The shell lists the names itself (click's scripts run compgen -f / -d for these).
            return [CompletionItem(incomplete, type=self.kind)]
        if self.kind == PROFILE:
            return [CompletionItem(name) for name in profile_names() if name.startswith(incomplete)]
        return comma_separated(self.values, incomplete)

    def entry(self) -> dict[str, Any]:
        return {"kind": self.kind, "values": list(self.values)} if self.values else {"kind": self.kind}

    @classmethod
    def from_entry(cls, entry: dict[str, Any]) -> Completion:
        return cls(entry["kind"], tuple(entry.get("values", ())))


FILES = Completion(FILE)
DIRECTORIES = Completion(DIRECTORY)
PROFILES = Completion(PROFILE)


def known_values(values: tuple[str, ...] | list[str]) -> Completion:
    return Completion(VALUES, tuple(values))


def comma_separated(values: tuple[str, ...], incomplete: str) -> list[CompletionItem]:
    """The known values for the last of a comma-separated list, the ones already given kept
    before it and not offered again."""
    from click.shell_completion import CompletionItem

    given, _, last = incomplete.rpartition(",")
    taken = set(given.split(",")) if given else set()
    prefix = f"{given}," if given else ""
    return [CompletionItem(f"{prefix}{value}") for value in values if value.startswith(last) and value not in taken]


def profile_names() -> list[str]:
    """The names in the profile file; none when there is no file or it cannot be read (a Tab
    must never print an error)."""
    from dbt_cloud.config import read_profiles
    from dbt_cloud.errors import DbtCloudError

    try:
        return sorted(read_profiles())
    except (DbtCloudError, OSError):
        return []


#: "Available: a, b." (the specs' words) or "include (repeat the option): a, b." (ours).
_LISTED = re.compile(r"(?:Available|include[^:]*):\s*([a-z_]+(?:,\s*[a-z_]+)*)")


def listed_values(description: str) -> tuple[str, ...]:
    """The values a field's description lists, in its order; none when it lists none."""
    found = _LISTED.search(description)
    return tuple(value.strip() for value in found.group(1).split(",")) if found else ()


def completion_of(param: click.Parameter) -> Completion | None:
    """What the parameter completes, for the command index: its own `Completion`, or file and
    folder names for a `click.Path`."""
    own = getattr(param, "_custom_shell_complete", None)
    if isinstance(own, Completion):
        return own
    if isinstance(param.type, click.Path):
        return FILES if param.type.file_okay else DIRECTORIES
    return None
