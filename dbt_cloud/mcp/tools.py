"""Tools from the operation registry: each verb a tool named `<group>_<verb>`, described by its
model's help, its input schema the model's own JSON Schema (the same names, types, required fields
and choices as the command line's options).

Read-only unless writes are allowed: a tool is a write when its operation is not a GET (the
Discovery API's query, a POST that reads, is the exception). Every operation of the specs is a tool,
the bulk delete of named environment variables included (a write, marked destructive); what is
never a tool are the command line's sweeping composites, `job delete-all` and `run cancel-all`,
which act on whatever a filter matches rather than on what the caller names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dbt_cloud.api.operation import Api, CommandModel, Verb, field_cli
from dbt_cloud.api.registry import group_names, verbs

#: The groups of the default tool list: what an agent asked about jobs and runs needs.
EVERYDAY_GROUPS = ("job", "run", "environment", "project", "metadata")
#: Verbs never offered, whatever the flags: the sweeping deletes and cancels (an agent's slip there
#: removes what others rely on, with no undo). None of the specs' operations is one: `delete-all`
#: and `cancel-all` are command-line composites, listed here so that no registry change makes
#: them tools.
NEVER = ("delete-all", "cancel-all")


@dataclass(frozen=True)
class OperationTool:
    """One operation as a tool: its name, the verb it sends and whether it changes anything."""

    name: str
    group: str
    verb: Verb

    @property
    def model(self) -> type[CommandModel]:
        return self.verb.model

    @property
    def writes(self) -> bool:
        operation = self.model.operation
        return operation.method != "GET" and operation.api is not Api.DISCOVERY

    @property
    def destructive(self) -> bool:
        """Removes something: what MCP clients confirm before running (`destructiveHint`)."""
        return self.model.operation.method == "DELETE"

    @property
    def description(self) -> str:
        text = (self.model.__doc__ or "").strip()
        operation = self.model.operation
        return f"{text}\n\n{operation.method} {operation.path}".strip()

    def input_schema(self) -> dict[str, Any]:
        """The model's JSON Schema, with the fields a setting fills (the account id) not required:
        the server's settings supply them, as the profile does on the command line."""
        schema = self.model.model_json_schema()
        filled = {name for name, info in self.model.model_fields.items() if field_cli(info).setting}
        required = [name for name in schema.get("required", []) if name not in filled]
        if required:
            schema["required"] = required
        else:
            schema.pop("required", None)
        schema.pop("title", None)
        return schema


def tool_name(group: str, verb: str) -> str:
    return f"{group}_{verb}".replace("-", "_")


def every_operation() -> list[OperationTool]:
    """A tool for every verb of every group of the registry."""
    return [
        OperationTool(tool_name(group, name), group, verb)
        for group in group_names()
        for name, verb in verbs(group).items()
    ]


def offered(*, all_operations: bool) -> list[OperationTool]:
    """The operation tools a server lists: the everyday groups (or all), never a sweeping composite.
    Writes are listed either way, so a read-only server can say why it refuses one (`refused`)."""
    chosen = []
    for tool in every_operation():
        if not all_operations and tool.group not in EVERYDAY_GROUPS:
            continue
        if tool.verb.name in NEVER:
            continue
        chosen.append(tool)
    return chosen


def refused(tool: OperationTool, *, allow_writes: bool) -> str | None:
    """Why the tool may not run now, or None."""
    if tool.writes and not allow_writes:
        return f"{tool.name} changes dbt Cloud and the server is read-only: start it with --allow-writes"
    return None
