"""How an operation of the specs becomes `dbt-cloud <group> <command>`.

The rules, in order:

1. The group is the operation's tag, singular and kebab-cased (`Service Tokens` -> `service-token`),
   unless a path prefix or the tag is given its own group in the override table.
2. The command is the operationId's verb (`Retrieve` -> `get`, `Destroy` -> `delete`, `Partial
   Update` -> `patch`, any other verb as it is: `Test`, `Rotate`, `Cancel`) followed by the words
   that are left once the group's own nouns, the parent resources of the path (`Projects` in
   `/projects/{project_id}/...`) and small words are taken out: `List Webhooks Events` in the group
   `webhook` is `list-events`.
3. Where v2 and v3 both have the command, the hand-written (curated) one wins, else v3; the other
   keeps its name with `-v2` (or `-v3`) after it: `environment list-v2`.
4. The override table (scripts/command_overrides.toml) names what the rules get wrong, each entry
   with the reason. Two operations that still meet on one name are an error, never a silent choice.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from spec_operations import SpecOperation, operations

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

OVERRIDES_FILE = Path(__file__).resolve().parent / "command_overrides.toml"

VERBS = {"retrieve": "get", "destroy": "delete"}
SMALL_WORDS = {"a", "an", "the", "of", "for", "from", "to", "against", "by", "with"}


@dataclass(frozen=True)
class CommandName:
    group: str
    name: str

    def __str__(self) -> str:
        return f"{self.group} {self.name}"


@dataclass(frozen=True)
class Overrides:
    tags: dict[str, str]
    path_groups: list[dict[str, Any]]
    group_help: dict[str, str]
    curated: dict[str, str]
    operations: dict[str, dict[str, Any]]
    server_owned: dict[str, str]
    summaries: dict[str, str]
    group_examples: dict[str, str]


@cache
def load_overrides() -> Overrides:
    data = tomllib.loads(OVERRIDES_FILE.read_text(encoding="utf-8"))
    return Overrides(
        tags=data.get("tags", {}),
        path_groups=data.get("path_groups", []),
        group_help=data.get("group_help", {}),
        curated=data.get("curated", {}),
        operations=data.get("operations", {}),
        server_owned=data.get("server_owned", {}),
        summaries=data.get("summaries", {}),
        group_examples=data.get("group_examples", {}),
    )


def operation_key(operation: SpecOperation) -> str:
    return f"{operation.method} {operation.path}"


def singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """`Create OAuthConfiguration` -> ['create', 'oauth', 'configuration']."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text.replace("_", " ").replace("-", " "))
    return [word.lower() for word in spaced.split()]


def kebab(text: str) -> str:
    return "-".join(singular(word) for word in words(text))


def _parent_scopes(path: str) -> set[str]:
    """Collections the path goes through to reach its resource: `projects` in
    `/accounts/{account_id}/projects/{project_id}/environments/`."""
    segments = [s for s in path.split("/") if s]
    scopes = set()
    for index, segment in enumerate(segments[:-2]):
        following = segments[index + 1]
        if following.startswith("{") and index + 2 < len(segments):
            scopes.update(singular(word) for word in words(segment))
    return scopes


def _path_group(operation: SpecOperation) -> dict[str, Any] | None:
    matches = [g for g in load_overrides().path_groups if operation.path.startswith(g["prefix"])]
    return max(matches, key=lambda g: len(g["prefix"])) if matches else None


def rule_group(operation: SpecOperation) -> str:
    path_group = _path_group(operation)
    if path_group is not None:
        return str(path_group["group"])
    tags = load_overrides().tags
    return tags.get(operation.tag) or kebab(operation.tag)


def rule_name(operation: SpecOperation, group: str) -> str:
    """The command the rules give: verb, then what the operationId says beyond the resource."""
    tokens = words(operation.operation_id)
    if tokens[:2] == ["partial", "update"]:
        verb, rest = "patch", tokens[2:]
    else:
        verb, rest = VERBS.get(tokens[0], tokens[0]), tokens[1:]
    nouns = {singular(w) for w in words(group)} | {singular(w) for w in words(operation.tag)}
    path_group = _path_group(operation)
    if path_group is not None:
        nouns |= {singular(w) for w in path_group.get("nouns", [])}
    nouns |= _parent_scopes(operation.path)
    kept = [w for w in rest if singular(w) not in nouns and w not in SMALL_WORDS and w != verb]
    return "-".join([verb, *kept])


def command_names() -> dict[tuple[str, str], CommandName]:
    """Every operation's command, by (method, path): the rules, the overrides, the v2/v3 suffixes."""
    overrides = load_overrides()
    chosen: dict[tuple[str, str], CommandName] = {}
    curated_keys = set(overrides.curated)
    for operation in operations():
        key = operation_key(operation)
        if key in overrides.curated:
            group, name = overrides.curated[key].split(" ", 1)
            chosen[operation.key] = CommandName(group, name)
            continue
        entry = overrides.operations.get(key, {})
        group = entry.get("group") or rule_group(operation)
        name = entry.get("name") or rule_name(operation, group)
        chosen[operation.key] = CommandName(group, name)
    by_name: dict[CommandName, list[SpecOperation]] = {}
    for operation in operations():
        by_name.setdefault(chosen[operation.key], []).append(operation)
    for name, holders in by_name.items():
        if len(holders) == 1:
            continue
        versions = {op.version for op in holders}
        if len(holders) != 2 or len(versions) != 2:
            listed = ", ".join(operation_key(op) for op in holders)
            raise ValueError(f"`{name}` would run several operations ({listed}): name them in the override table")
        curated = [op for op in holders if operation_key(op) in curated_keys]
        winner = curated[0] if curated else next(op for op in holders if op.version == "v3")
        for operation in holders:
            if operation is not winner:
                chosen[operation.key] = CommandName(name.group, f"{name.name}-{operation.version}")
    taken: dict[CommandName, str] = {}
    for operation in operations():
        name = chosen[operation.key]
        if name in taken:
            raise ValueError(f"`{name}` is taken twice ({taken[name]}, {operation_key(operation)})")
        taken[name] = operation_key(operation)
    return chosen


def is_curated(operation: SpecOperation) -> bool:
    return operation_key(operation) in load_overrides().curated


def curated_models() -> dict[str, str]:
    """`METHOD path` -> the hand-written command that runs it, for the drift test."""
    return dict(load_overrides().curated)
