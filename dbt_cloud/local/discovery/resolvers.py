"""The executable schema: schema.graphql bound (with Ariadne) to the applied states.

Most fields need no resolver of their own: Ariadne reads each camelCase field from the snake_case
attribute of the object (nodes.py). What is here: the roots, the connections (filter, sort, page),
the interfaces' type resolution and the scalars.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ariadne import InterfaceType, ObjectType, QueryType, ScalarType, make_executable_schema
from graphql import GraphQLError, GraphQLSchema

from dbt_cloud.local.discovery.nodes import RESOURCE_TYPES, TYPE_NAMES, Node, RunNode
from dbt_cloud.local.discovery.state import AppliedState, AppliedStates

SCHEMA_PATH = Path(__file__).with_name("schema.graphql")
#: Page sizes: dbt Cloud's default and its largest.
DEFAULT_PAGE = 100
MAX_PAGE = 500


# -- connections ------------------------------------------------------------------------------------


def _cursor(index: int) -> str:
    return base64.b64encode(f"cursor:{index}".encode()).decode()


def _index(cursor: str) -> int:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        prefix, _, number = text.partition(":")
        if prefix == "cursor" and number.isdigit():
            return int(number)
    except (binascii.Error, UnicodeDecodeError):
        pass
    raise GraphQLError(f"Invalid cursor {cursor!r}: pass the endCursor of the previous page")


def connection(items: list[Any], first: int | None, after: str | None) -> dict[str, Any]:
    size = DEFAULT_PAGE if first is None else first
    if not 0 <= size <= MAX_PAGE:
        raise GraphQLError(f"first must be between 0 and {MAX_PAGE}, got {size}")
    start = _index(after) + 1 if after else 0
    chosen = items[start : start + size]
    edges = [{"cursor": _cursor(start + offset), "node": node} for offset, node in enumerate(chosen)]
    return {
        "edges": edges,
        "page_info": {
            "start_cursor": edges[0]["cursor"] if edges else None,
            "end_cursor": edges[-1]["cursor"] if edges else None,
            "has_next_page": start + len(chosen) < len(items),
            "has_previous_page": start > 0,
        },
        "total_count": len(items),
    }


def _same(value: Any, wanted: Any) -> bool:
    return value is not None and str(value).lower() == str(wanted).lower()


def matches(node: Node, wanted: dict[str, Any]) -> bool:
    """Whether a node passes a filter input (every given field must hold)."""
    for key, value in wanted.items():
        if value is None:
            continue
        if key == "unique_ids":
            ok = node.unique_id in value
        elif key == "tags":
            ok = bool(set(value) & set(node.tags))
        elif key == "groups":
            ok = node.group in value
        elif key == "source_names":
            ok = node.source_name in value
        elif key == "test_types":
            ok = (node.test_type or "").upper() in {kind.upper() for kind in value}
        elif key == "last_run_status":
            ok = _same(node.execution_info.last_run_status, value)
        elif key == "status":
            ok = _same(node.last_known_result, value)
        elif key == "freshness_checked":
            ok = node.freshness["freshness_checked"] is value
        elif key == "freshness_status":
            ok = _same(node.freshness.get("freshness_status"), value)
        else:  # database, schema, identifier, access, materialized_type, modeling_layer, ...
            ok = _same(getattr(node, key), value)
        if not ok:
            return False
    return True


def nodes_of(state: AppliedState, resource_types: Iterable[str], wanted: dict[str, Any] | None) -> list[Node]:
    found = []
    for resource_type in resource_types:
        for unique_id in state.by_type.get(resource_type, []):
            node = Node(state, unique_id)
            if not wanted or matches(node, wanted):
                found.append(node)
    return found


SORT_KEYS: dict[str, Callable[[Node], Any]] = {
    "name": lambda node: (node.name or "").lower(),
    "unique_id": lambda node: node.unique_id,
    # No query history here: every model counts 0, so the order falls back to uniqueId.
    "query_usage_count": lambda node: 0,
    "execute_completed_at": lambda node: node.execution_info.execute_completed_at or "",
    "execution_time": lambda node: node.execution_info.execution_time or 0.0,
    "row_count": lambda node: (node.catalog or {}).get("row_count_stat") or 0,
}


def sorted_nodes(nodes: list[Node], sort: dict[str, Any] | None) -> list[Node]:
    if not sort:
        return nodes
    key = SORT_KEYS[sort["field"]]
    ordered = sorted(nodes, key=lambda node: node.unique_id)  # ties keep a stable order
    return sorted(ordered, key=key, reverse=sort["direction"] == "desc")


def _resource_types(types: list[str] | None) -> list[str]:
    return [RESOURCE_TYPES[name] for name in types if name in RESOURCE_TYPES] if types else list(TYPE_NAMES)


# -- roots ------------------------------------------------------------------------------------------


class StateView:
    """environment.applied and environment.definition: the connections over one state."""

    def __init__(self, state: AppliedState) -> None:
        self.state = state

    @property
    def last_updated_at(self) -> str | None:
        return self.state.last_updated_at

    @property
    def resource_counts(self) -> dict[str, int]:
        return {kind: len(ids) for kind, ids in sorted(self.state.by_type.items()) if kind in TYPE_NAMES}

    def _page(
        self, resource_type: str, first: int | None, after: str | None, wanted: dict[str, Any] | None
    ) -> dict[str, Any]:
        return connection(nodes_of(self.state, [resource_type], wanted), first, after)

    def models(
        self,
        info: Any,
        first: int | None = None,
        after: str | None = None,
        filter: dict[str, Any] | None = None,
        sort: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return connection(sorted_nodes(nodes_of(self.state, ["model"], filter), sort), first, after)

    def sources(self, info: Any, first: int | None = None, after: str | None = None, filter: Any = None) -> Any:
        return self._page("source", first, after, filter)

    def seeds(self, info: Any, first: int | None = None, after: str | None = None, filter: Any = None) -> Any:
        return self._page("seed", first, after, filter)

    def snapshots(self, info: Any, first: int | None = None, after: str | None = None, filter: Any = None) -> Any:
        return self._page("snapshot", first, after, filter)

    def tests(self, info: Any, first: int | None = None, after: str | None = None, filter: Any = None) -> Any:
        return self._page("test", first, after, filter)

    def exposures(self, info: Any, first: int | None = None, after: str | None = None, filter: Any = None) -> Any:
        return self._page("exposure", first, after, filter)

    def macros(self, info: Any, first: int | None = None, after: str | None = None, filter: Any = None) -> Any:
        return self._page("macro", first, after, filter)

    def resources(
        self,
        info: Any,
        filter: dict[str, Any],
        first: int | None = None,
        after: str | None = None,
    ) -> dict[str, Any]:
        wanted = {key: value for key, value in filter.items() if key != "types"}
        return connection(nodes_of(self.state, _resource_types(filter.get("types")), wanted), first, after)

    def lineage(self, info: Any, filter: dict[str, Any]) -> list[Node]:
        wanted = {key: value for key, value in filter.items() if key != "types"}
        return nodes_of(self.state, _resource_types(filter.get("types")), wanted)

    def packages(self, info: Any, resource: str) -> list[str]:
        names = {
            str(node.get("package_name")) for node in self.state.nodes.values() if node.get("resource_type") == resource
        }
        return sorted(name for name in names if name and name != "None")

    def model_historical_runs(
        self,
        info: Any,
        unique_id: str | None = None,
        identifier: str | None = None,
        last_run_count: int = 1,
        with_catalog: bool = False,
    ) -> list[RunNode]:
        if unique_id is None and identifier is None:
            raise GraphQLError("modelHistoricalRuns needs uniqueId or identifier")
        if unique_id is None:
            found = [node for node in nodes_of(self.state, ["model"], None) if _same(node.identifier, identifier)]
            unique_id = found[0].unique_id if found else ""
        return [RunNode(self.state, unique_id, run) for run, _ in self.state.history(unique_id, max(last_run_count, 0))]


class JobView:
    """job(id, runId): one run of a job, with the nodes of its manifest."""

    def __init__(self, run: dict[str, Any], state: AppliedState) -> None:
        self.state = state
        self.id = run["job_id"]
        self.run_id = run["id"]
        self.artifacts = state.runs[-1]

    def _nodes(self, resource_type: str, wanted: dict[str, Any] | None = None) -> list[RunNode]:
        return [
            RunNode(self.state, node.unique_id, self.artifacts)
            for node in nodes_of(self.state, [resource_type], wanted)
        ]

    def _one(self, resource_type: str, unique_id: str) -> RunNode | None:
        if self.state.nodes.get(unique_id, {}).get("resource_type") != resource_type:
            return None
        return RunNode(self.state, unique_id, self.artifacts)

    @staticmethod
    def _where(**given: str | None) -> dict[str, Any]:
        return {key: value for key, value in given.items() if value is not None}

    def models(
        self,
        info: Any,
        database: str | None = None,
        schema: str | None = None,
        identifier: str | None = None,
    ) -> list[RunNode]:
        return self._nodes("model", self._where(database=database, schema=schema, identifier=identifier))

    def sources(
        self,
        info: Any,
        database: str | None = None,
        schema: str | None = None,
        identifier: str | None = None,
    ) -> list[RunNode]:
        return self._nodes("source", self._where(database=database, schema=schema, identifier=identifier))

    @property
    def tests(self) -> list[RunNode]:
        return self._nodes("test")

    @property
    def seeds(self) -> list[RunNode]:
        return self._nodes("seed")

    @property
    def snapshots(self) -> list[RunNode]:
        return self._nodes("snapshot")

    @property
    def exposures(self) -> list[RunNode]:
        return self._nodes("exposure")

    def model(self, info: Any, unique_id: str) -> RunNode | None:
        return self._one("model", unique_id)

    def test(self, info: Any, unique_id: str) -> RunNode | None:
        return self._one("test", unique_id)

    def source(self, info: Any, unique_id: str) -> RunNode | None:
        return self._one("source", unique_id)

    def seed(self, info: Any, unique_id: str) -> RunNode | None:
        return self._one("seed", unique_id)

    def snapshot(self, info: Any, unique_id: str) -> RunNode | None:
        return self._one("snapshot", unique_id)

    def exposure(self, info: Any, name: str) -> RunNode | None:
        found = [node for node in self._nodes("exposure") if node.name == name]
        return found[0] if found else None


def _states(info: Any) -> tuple[AppliedStates, int]:
    context = info.context
    return context["states"], context["account_id"]


def resolve_environment(_: Any, info: Any, id: int) -> dict[str, Any]:
    states, account_id = _states(info)
    _, state = states.environment(account_id, id)
    metadata = state.manifest_metadata
    return {
        "dbt_project_name": metadata.get("project_name"),
        "adapter_type": metadata.get("adapter_type"),
        "applied": StateView(state),
        "definition": StateView(state),
    }


def resolve_job(_: Any, info: Any, id: int, run_id: int | None = None) -> JobView:
    states, account_id = _states(info)
    run, state = states.job_run(account_id, id, run_id)
    return JobView(run, state)


def resolve_model_by_environment(_: Any, info: Any, environment_id: int, **arguments: Any) -> list[RunNode]:
    states, account_id = _states(info)
    _, state = states.environment(account_id, environment_id)
    return StateView(state).model_historical_runs(info, **arguments)


def _job_root(field: str) -> Callable[..., Any]:
    """A root field of the oldest API (`models(jobId, runId)`): job(id, runId)'s field of that name."""

    def resolve(_: Any, info: Any, job_id: int, run_id: int | None = None, **arguments: Any) -> Any:
        value = getattr(resolve_job(None, info, job_id, run_id), field)
        return value(info, **arguments) if callable(value) else value

    return resolve


JOB_ROOTS = (
    "models",
    "model",
    "tests",
    "test",
    "sources",
    "source",
    "seeds",
    "seed",
    "snapshots",
    "snapshot",
    "exposures",
    "exposure",
)


# -- types ------------------------------------------------------------------------------------------


def _type_resolver(suffix: str, macro: str = "MacroDefinitionNode") -> Callable[..., str]:
    """The concrete type of a node: the full type, which also implements the nested kinds' interfaces."""

    def resolve(node: Node, *_: Any) -> str:
        if node.resource_type == "macro" and suffix != "LineageNode":
            return macro
        return TYPE_NAMES[node.resource_type] + suffix

    return resolve


def _big_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"BigInt cannot represent {value!r}")
    return int(value)


def _state_of_test(node: RunNode, info: Any) -> str | None:
    return node.status


def _state_of_source(node: RunNode, info: Any) -> str | None:
    found = node.run.freshness.get(node.unique_id)
    return found.entry.get("status") if found else None


def build_schema() -> GraphQLSchema:
    query = QueryType()
    query.set_field("environment", resolve_environment)
    query.set_field("job", resolve_job)
    query.set_field("modelByEnvironment", resolve_model_by_environment)
    for field in JOB_ROOTS:
        query.set_field(field, _job_root(field))
    test_node, source_node = ObjectType("TestNode"), ObjectType("SourceNode")
    test_node.set_field("state", _state_of_test)
    source_node.set_field("state", _state_of_source)
    applied, definition = _type_resolver("AppliedStateNode"), _type_resolver("DefinitionNode")
    nested_kinds = (*TYPE_NAMES.values(),)
    interfaces = [
        InterfaceType("EnvironmentAppliedNode", applied),
        InterfaceType("EnvironmentAppliedNestedNode", applied),
        *(InterfaceType(f"{kind}AppliedStateNestedNode", applied) for kind in nested_kinds if kind != "Macro"),
        InterfaceType("MacroDefinitionNestedNode", applied),
        InterfaceType("DefinitionNode", definition),
        InterfaceType("EnvironmentDefinitionNestedNode", definition),
        *(InterfaceType(f"{kind}DefinitionNestedNode", definition) for kind in nested_kinds if kind != "Macro"),
        InterfaceType("LineageNode", _type_resolver("LineageNode")),
        InterfaceType("LineageNodeWithParents", _type_resolver("LineageNode")),
    ]
    scalars = [
        ScalarType("BigInt", serializer=int, value_parser=_big_int),
        ScalarType("DateTime", serializer=str),
        ScalarType("JSONObject"),
        ScalarType("AnyScalar"),
    ]
    return make_executable_schema(
        SCHEMA_PATH.read_text(encoding="utf-8"),
        query,
        test_node,
        source_node,
        *interfaces,
        *scalars,
        convert_names_case=True,
    )
