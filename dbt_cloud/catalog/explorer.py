"""The interactive explorer: menus over a catalog, with the manifest joined in.

The flow is a stack of screens (main menu -> schemas -> tables -> one table -> its lineage, and a
column search from anywhere); "Back" pops, "Main menu" clears to the bottom. Screens ask through a
`Prompter` and print through `write`, so tests drive the whole flow with a scripted prompter and no
terminal; `InquirerPrompter` is the real one.

inquirer's list prompt shows 13 choices at a time and cannot filter as you type. A schema with more
than FILTER_ABOVE tables therefore asks for a filter first (a part of the name, or a pattern such as
`stg_*`; Enter lists them all), then shows the matching tables as a list.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from dbt_cloud.catalog.details import node_details, search
from dbt_cloud.catalog.loading import Catalog, ColumnHit, Entry, Manifest
from dbt_cloud.catalog.render import node_text, search_summary
from dbt_cloud.errors import DbtCloudError
from dbt_cloud.terminal.prompts import InquirerPrompts

#: Above this many tables in a schema, the explorer asks for a filter before listing them.
FILTER_ABOVE = 15
BACK_LABEL = "← Back"
MAIN_LABEL = "Main menu"
QUIT_LABEL = "Quit"
SEARCH_LABEL = "Search columns by name"


class Prompter(Protocol):
    """How the explorer asks: pick one of labelled choices, or type a line."""

    def choose(self, message: str, choices: Sequence[tuple[str, Any]]) -> Any: ...

    def ask(self, message: str) -> str: ...


class Action(enum.Enum):
    BACK = "back"
    MAIN = "main"
    QUIT = "quit"
    #: Show the current screen again.
    STAY = "stay"
    #: Forget what was typed on the current screen (a filter, a search) and ask again.
    RETYPE = "retype"


Screen = Callable[[], "Step"]
Step = Screen | Action


def entry_label(entry: Entry) -> str:
    kind = entry.relation_type.lower() or entry.resource_type
    columns = f"{entry.column_count} column{'s' if entry.column_count != 1 else ''}"
    return f"{entry.name}  ({kind}, {columns})"


def hit_label(hit: ColumnHit) -> str:
    return f"{hit.entry.name}.{hit.name}  {hit.type or ''}  ({hit.entry.resource_type})"


def schema_label(key: tuple[str | None, str], count: int, *, with_database: bool) -> str:
    database, schema = key
    name = f"{database}.{schema}" if (with_database and database) else schema
    return f"{name} ({count})"


@dataclass
class Explorer:
    catalog: Catalog
    #: Gives the manifest (read on first use), or None when there is none.
    manifest: Callable[[], Manifest | None]
    prompter: Prompter
    write: Callable[[str], None]
    width: int = 100
    #: Printed once, before the first menu.
    banner: str = ""
    _stack: list[Screen] = field(default_factory=list)

    def run(self) -> None:
        if self.banner:
            self.write(self.banner)
        self._stack = [self.main_menu]
        while self._stack:
            step = self._stack[-1]()
            if not isinstance(step, Action):
                self._stack.append(step)
            elif step is Action.BACK:
                self._stack.pop()
                if not self._stack:
                    self._stack = [self.main_menu]
            elif step is Action.MAIN:
                del self._stack[1:]
            elif step is Action.QUIT:
                self._stack.clear()
            # STAY (and RETYPE, which screens turn into STAY) shows the same screen again.

    # -- screens ----------------------------------------------------------------------------------------

    def main_menu(self) -> Step:
        choices: list[tuple[str, Step]] = [
            (f"{kind} ({count})", partial(self.schema_menu, kind)) for kind, count in self.catalog.resource_types()
        ]
        choices += [(SEARCH_LABEL, self.search_screen()), (QUIT_LABEL, Action.QUIT)]
        step: Step = self.prompter.choose("What do you want to explore?", choices)
        return step

    def schema_menu(self, resource_type: str) -> Step:
        schemas = self.catalog.schemas(resource_type)
        databases = {key[0] for key, _ in schemas}
        choices: list[tuple[str, Step]] = [
            (schema_label(key, count, with_database=len(databases) > 1), self.table_menu(resource_type, key))
            for key, count in schemas
        ]
        choices.append((BACK_LABEL, Action.BACK))
        step: Step = self.prompter.choose(f"Schema of the {resource_type}s", choices)
        return step

    def table_menu(self, resource_type: str, key: tuple[str | None, str]) -> Screen:
        """The tables of one schema; with many, filtered by what the user types first."""
        state: dict[str, str | None] = {"filter": None}
        where = ".".join(part for part in key if part)

        def show() -> Step:
            total = len(self.catalog.entries_in(resource_type, key))
            if total > FILTER_ABOVE and state["filter"] is None:
                state["filter"] = self.prompter.ask(
                    f"{total} {resource_type}s in {where}: type part of a name to filter (or a pattern such as "
                    "stg_*; Enter lists all)"
                ).strip()
            pattern = state["filter"] or ""
            entries = self.catalog.entries_in(resource_type, key, pattern)
            if not entries:
                self.write(f"No {resource_type} in {where} matches {pattern!r}.\n")
                state["filter"] = None
                return Action.STAY
            choices: list[tuple[str, Step]] = [(entry_label(e), self.node_view(e.unique_id)) for e in entries]
            if total > FILTER_ABOVE:
                choices.append(("Filter again", Action.RETYPE))
            choices.append((BACK_LABEL, Action.BACK))
            shown = f" matching {pattern!r}" if pattern else ""
            step: Step = self.prompter.choose(f"{resource_type.capitalize()}s in {where}{shown}", choices)
            if step is Action.RETYPE:
                state["filter"] = None
                return Action.STAY
            return step

        return show

    def node_view(self, unique_id: str) -> Screen:
        def show() -> Step:
            try:
                details = node_details(self.catalog, self.manifest(), unique_id)
            except DbtCloudError as exc:  # one broken table must not end the session
                self.write(f"Error: {exc.one_line()}\n")
                return Action.BACK
            self.write("\n" + node_text(details, self.width))
            lineage = [uid for uid in (*details.parents, *details.children) if uid in self.catalog]
            choices: list[tuple[str, Step]] = [(BACK_LABEL, Action.BACK)]
            if lineage:
                choices.append(("Go to a parent or child", self.lineage_menu(details.parents, details.children)))
            choices += [
                (SEARCH_LABEL, self.search_screen()),
                (MAIN_LABEL, Action.MAIN),
                (QUIT_LABEL, Action.QUIT),
            ]
            step: Step = self.prompter.choose(f"{details.entry.name}: what next?", choices)
            return step

        return show

    def lineage_menu(self, parents: Sequence[str], children: Sequence[str]) -> Screen:
        def show() -> Step:
            choices: list[tuple[str, Step]] = [
                (f"parent: {uid}", self.node_view(uid)) for uid in parents if uid in self.catalog
            ]
            choices += [(f"child: {uid}", self.node_view(uid)) for uid in children if uid in self.catalog]
            choices.append((BACK_LABEL, Action.BACK))
            step: Step = self.prompter.choose("Parents and children in the catalog", choices)
            return step

        return show

    def search_screen(self) -> Screen:
        state: dict[str, str | None] = {"pattern": None}

        def show() -> Step:
            pattern = state["pattern"]
            if pattern is None:
                pattern = self.prompter.ask("Column name to search for (part of it, or a pattern such as *_id)").strip()
                if not pattern:
                    return Action.BACK
                state["pattern"] = pattern
            hits = search(self.catalog, self.manifest(), pattern)
            self.write(search_summary(pattern, hits) + "\n")
            if not hits:
                state["pattern"] = None
                return Action.STAY
            choices: list[tuple[str, Step]] = [
                (hit_label(found.hit), self.node_view(found.hit.entry.unique_id)) for found in hits
            ]
            choices += [("New search", Action.RETYPE), (BACK_LABEL, Action.BACK)]
            step: Step = self.prompter.choose("Open a table", choices)
            if step is Action.RETYPE:
                state["pattern"] = None
                return Action.STAY
            return step

        return show


# --- the real prompts --------------------------------------------------------------------------------------


class InquirerPrompter(InquirerPrompts):
    """The explorer's prompts: `dbt_cloud.terminal.prompts`' inquirer questions (one renderer for the session,
    colour as NO_COLOR and the terminal say), with `ask` for a line of text. Ctrl-C raises
    KeyboardInterrupt (exit 130)."""

    def ask(self, message: str) -> str:
        return self.text(message)
