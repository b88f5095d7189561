"""The operation registry: every group of operations and its verbs, read from the models' modules.

A group is the generated module of its name (dbt_cloud/api/generated/, from the specs) with the
hand-written verbs of dbt_cloud/api/operations/ laid over it: a hand-written verb of the same name
replaces the generated one. Both skins read this one table: the typed client makes its methods
from it, and the command line its groups, `--help` and completion. Modules are imported only when
a group is asked for, so listing the groups costs no pydantic.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING

from dbt_cloud.api.generated import GROUPS as GENERATED
from dbt_cloud.api.operations import MODULES as HAND_WRITTEN

if TYPE_CHECKING:
    from dbt_cloud.api.operation import CommandModel, Verb


def group_names() -> list[str]:
    """Command-line names of the groups that have operations, without importing any."""
    return sorted({*GENERATED, *HAND_WRITTEN})


def group_help(group: str) -> str:
    """The group's one line of help, without importing it."""
    entry = GENERATED.get(group)
    if entry is not None:
        return entry[1]
    module = importlib.import_module(HAND_WRITTEN[group])
    first = (module.__doc__ or "").strip().splitlines()[0]
    return first.split("`: ", 1)[-1]  # without the "`dbt-cloud <group>`: " that opens it


@functools.cache
def verbs(group: str) -> dict[str, Verb]:
    """The group's verbs by command-line name, generated ones first, hand-written ones over them;
    empty for a name that is no group of operations."""
    found: dict[str, Verb] = {}
    modules = [GENERATED[group][0]] if group in GENERATED else []
    if group in HAND_WRITTEN:
        modules.append(HAND_WRITTEN[group])
    for name in modules:
        for verb in importlib.import_module(name).VERBS:
            found[verb.name] = verb
    return found


def model_named(target: type[CommandModel] | str) -> type[CommandModel]:
    """A model given as a class or as `module:Class` (how a generated module names a hand-written
    getter without importing it)."""
    from dbt_cloud.api.operation import CommandModel

    if not isinstance(target, str):
        return target
    module_name, attribute = target.split(":")
    found = getattr(importlib.import_module(module_name), attribute)
    if not (isinstance(found, type) and issubclass(found, CommandModel)):
        raise TypeError(f"{target} is not an operation model")
    return found
