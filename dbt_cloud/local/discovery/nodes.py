"""The objects the GraphQL fields are read from: one node of an applied state, as the applied and
definition types and the job-level types show it.

Ariadne maps each camelCase field to the snake_case attribute of the same name; a method is called
with the field's arguments. A field's value is computed only when a query asks for it, so a page of
models that asks for names only costs no catalog or lineage work.
"""

from __future__ import annotations

from typing import Any

from dbt_cloud.local.discovery.artifacts import NodeResult, RunArtifacts
from dbt_cloud.local.discovery.state import AppliedState

#: GraphQL type names by dbt resource type, for the interfaces' type resolution.
TYPE_NAMES = {
    "model": "Model",
    "source": "Source",
    "seed": "Seed",
    "snapshot": "Snapshot",
    "test": "Test",
    "exposure": "Exposure",
    "macro": "Macro",
}
#: The enum values of ResourceNodeType / AncestorNodeType, as dbt resource types.
RESOURCE_TYPES = {name: resource for resource, name in TYPE_NAMES.items()}
#: Folder or name-prefix conventions dbt Cloud reads a model's layer from.
LAYERS = (
    ("staging", ("staging",), ("stg_",)),
    ("intermediate", ("intermediate",), ("int_",)),
    ("marts", ("marts", "mart"), ("fct_", "dim_", "mart_")),
)
FAILED = ("error", "fail", "runtime error")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class ExecutionInfo:
    """executionInfo: lastRun* from the newest attempt, the rest from the newest success."""

    def __init__(self, last: NodeResult | None, success: NodeResult | None) -> None:
        self.last = last
        self.success = success

    @property
    def last_run_id(self) -> int | None:
        return self.last.run_id if self.last else None

    @property
    def last_job_definition_id(self) -> int | None:
        return self.last.job_id if self.last else None

    @property
    def last_run_status(self) -> str | None:
        return self.last.status if self.last else None

    @property
    def last_run_error(self) -> str | None:
        return self.last.message if self.last and self.last.status in FAILED else None

    @property
    def last_run_failures(self) -> int | None:
        return self.last.failures if self.last else None

    @property
    def last_run_generated_at(self) -> str | None:
        return self.last.generated_at if self.last else None

    @property
    def last_success_run_id(self) -> int | None:
        return self.success.run_id if self.success else None

    @property
    def last_success_job_definition_id(self) -> int | None:
        return self.success.job_id if self.success else None

    @property
    def run_generated_at(self) -> str | None:
        return self.success.generated_at if self.success else None

    @property
    def run_elapsed_time(self) -> float | None:
        return self.success.elapsed_time if self.success else None

    @property
    def compile_started_at(self) -> str | None:
        return self.success.compile_started_at if self.success else None

    @property
    def compile_completed_at(self) -> str | None:
        return self.success.compile_completed_at if self.success else None

    @property
    def execute_started_at(self) -> str | None:
        return self.success.execute_started_at if self.success else None

    @property
    def execute_completed_at(self) -> str | None:
        return self.success.execute_completed_at if self.success else None

    @property
    def execution_time(self) -> float | None:
        return self.success.execution_time if self.success else None


def catalog_columns(entry: dict[str, Any], node: dict[str, Any]) -> list[dict[str, Any]]:
    """catalog.json's columns, with the description, tags and meta the manifest documents."""
    documented = {name.lower(): _dict(column) for name, column in _dict(node.get("columns")).items()}
    columns = []
    for name, column in _dict(entry.get("columns")).items():
        column = _dict(column)
        docs = documented.get(str(name).lower(), {})
        columns.append(
            {
                "name": column.get("name") or name,
                "type": column.get("type"),
                "comment": column.get("comment"),
                "index": column.get("index"),
                "description": docs.get("description") or None,
                "tags": list(docs.get("tags") or []),
                "meta": docs.get("meta") or {},
            }
        )
    columns.sort(key=lambda column: (column["index"] is None, column["index"] or 0))
    return columns


def catalog_stats(entry: dict[str, Any]) -> list[dict[str, Any]]:
    stats = []
    for key, stat in _dict(entry.get("stats")).items():
        stat = _dict(stat)
        stats.append(
            {
                "id": stat.get("id") or key,
                "label": stat.get("label"),
                "value": stat.get("value"),
                "description": stat.get("description"),
                "include": stat.get("include"),
            }
        )
    return stats


def _stat_value(entry: dict[str, Any], name: str) -> int | None:
    value = _dict(_dict(entry.get("stats")).get(name)).get("value")
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


class Node:
    """One node of the applied state. Field names are those of the GraphQL types, in snake_case."""

    def __init__(self, state: AppliedState, unique_id: str) -> None:
        self.state = state
        self.unique_id = unique_id
        self.raw = state.nodes.get(unique_id, {})

    # -- identity -----------------------------------------------------------------------------

    @property
    def account_id(self) -> int:
        return self.state.account_id

    @property
    def project_id(self) -> int:
        return self.state.project_id

    @property
    def environment_id(self) -> int:
        return self.state.environment_id

    @property
    def resource_type(self) -> str:
        return str(self.raw.get("resource_type") or self.unique_id.split(".", 1)[0])

    @property
    def name(self) -> str | None:
        return self.raw.get("name")

    @property
    def description(self) -> str | None:
        return self.raw.get("description")

    @property
    def package_name(self) -> str | None:
        return self.raw.get("package_name")

    @property
    def file_path(self) -> str | None:
        return self.raw.get("original_file_path") or self.raw.get("path")

    @property
    def patch_path(self) -> str | None:
        return self.raw.get("patch_path")

    @property
    def fqn(self) -> list[str]:
        return list(self.raw.get("fqn") or [])

    @property
    def tags(self) -> list[str]:
        return list(self.raw.get("tags") or [])

    @property
    def meta(self) -> dict[str, Any]:
        return _dict(self.raw.get("meta")) or _dict(self.config.get("meta"))

    @property
    def config(self) -> dict[str, Any]:
        return _dict(self.raw.get("config"))

    @property
    def manifest_generated_at(self) -> str | None:
        return self.state.manifest_metadata.get("generated_at")

    run_generated_at = manifest_generated_at

    # -- relation -------------------------------------------------------------------------------

    @property
    def database(self) -> str | None:
        return self.raw.get("database")

    @property
    def schema(self) -> str | None:
        return self.raw.get("schema")

    @property
    def alias(self) -> str | None:
        return self.raw.get("alias")

    @property
    def identifier(self) -> str | None:
        return self.raw.get("identifier") or self.raw.get("alias") or self.raw.get("name")

    @property
    def relation_name(self) -> str | None:
        return self.raw.get("relation_name")

    @property
    def materialized_type(self) -> str | None:
        return self.config.get("materialized")

    materialization_type = materialized_type

    @property
    def access(self) -> str | None:
        return self.raw.get("access")

    @property
    def group(self) -> str | None:
        return self.raw.get("group")

    @property
    def language(self) -> str | None:
        return self.raw.get("language")

    @property
    def version(self) -> str | None:
        version = self.raw.get("version")
        return None if version is None else str(version)

    @property
    def latest_version(self) -> str | None:
        version = self.raw.get("latest_version")
        return None if version is None else str(version)

    @property
    def deprecation_date(self) -> str | None:
        return self.raw.get("deprecation_date")

    @property
    def contract_enforced(self) -> bool:
        return bool(_dict(self.config.get("contract")).get("enforced"))

    is_description_inherited = False

    @property
    def modeling_layer(self) -> str | None:
        if self.resource_type != "model":
            return None
        folders = [part.lower() for part in self.fqn[1:-1]]
        name = (self.name or "").lower()
        for layer, folder_names, prefixes in LAYERS:
            if any(folder in folders for folder in folder_names) or name.startswith(prefixes):
                return layer
        return "other"

    @property
    def raw_code(self) -> str | None:
        return self.raw.get("raw_code") or self.raw.get("raw_sql")

    @property
    def compiled_code(self) -> str | None:
        result = self.state.last_run.get(self.unique_id)
        return (result.compiled_code if result else None) or self.raw.get("compiled_code")

    @property
    def constraints(self) -> list[dict[str, Any]]:
        found = []
        for constraint in self.raw.get("constraints") or []:
            constraint = _dict(constraint)
            found.append(
                {
                    "type": constraint.get("type"),
                    "name": constraint.get("name"),
                    "expression": constraint.get("expression"),
                    "columns": list(constraint.get("columns") or []),
                    "warn_unenforced": constraint.get("warn_unenforced"),
                    "warn_unsupported": constraint.get("warn_unsupported"),
                }
            )
        return found

    # -- what the runs left ---------------------------------------------------------------------

    @property
    def catalog(self) -> dict[str, Any] | None:
        found = self.state.catalog.get(self.unique_id)
        if found is None:
            return None
        entry, metadata = found.entry, _dict(found.entry.get("metadata"))
        return {
            "unique_id": self.unique_id,
            "environment_id": self.state.environment_id,
            "run_id": found.run_id,
            "run_generated_at": found.generated_at,
            "type": metadata.get("type"),
            "comment": metadata.get("comment"),
            "owner": metadata.get("owner"),
            "columns": catalog_columns(entry, self.raw),
            "stats": catalog_stats(entry),
            "row_count_stat": _stat_value(entry, "row_count") or _stat_value(entry, "num_rows"),
            "bytes_stat": _stat_value(entry, "bytes") or _stat_value(entry, "num_bytes"),
        }

    @property
    def execution_info(self) -> ExecutionInfo:
        return ExecutionInfo(self.state.last_run.get(self.unique_id), self.state.last_success.get(self.unique_id))

    @property
    def last_known_result(self) -> str | None:
        result = self.state.last_run.get(self.unique_id)
        return result.status if result else None

    @property
    def freshness(self) -> dict[str, Any]:
        found = self.state.freshness.get(self.unique_id)
        if found is None:
            return {"freshness_checked": False, "criteria": _criteria(_dict(self.raw.get("freshness")))}
        entry = found.entry
        return {
            "freshness_checked": True,
            "freshness_status": entry.get("status"),
            "max_loaded_at": entry.get("max_loaded_at"),
            "max_loaded_at_time_ago_in_s": entry.get("max_loaded_at_time_ago_in_s"),
            "snapshotted_at": entry.get("snapshotted_at"),
            "freshness_run_id": found.run_id,
            "freshness_job_definition_id": found.job_id,
            "freshness_run_generated_at": found.generated_at,
            "criteria": _criteria(_dict(entry.get("criteria"))),
        }

    # -- lineage --------------------------------------------------------------------------------

    def _related(self, ids: list[str]) -> list[Node]:
        # Kinds the schema has no type for (analyses, unit tests, semantic models, ...) are left out.
        return [
            Node(self.state, unique_id)
            for unique_id in ids
            if _dict(self.state.nodes.get(unique_id)).get("resource_type") in TYPE_NAMES
        ]

    @property
    def parent_ids(self) -> list[str]:
        return list(self.state.parents.get(self.unique_id, []))

    @property
    def parents(self) -> list[Node]:
        return self._related(self.parent_ids)

    @property
    def children(self) -> list[Node]:
        return self._related(self.state.children.get(self.unique_id, []))

    @property
    def tests(self) -> list[Node]:
        return self._related(self.state.tests_of.get(self.unique_id, []))

    def ancestors(self, info: Any, types: list[str]) -> list[Node]:
        wanted = {RESOURCE_TYPES.get(name, name.lower()) for name in types}
        seen: set[str] = set()
        found: list[Node] = []
        pending = list(self.parent_ids)
        while pending:
            unique_id = pending.pop(0)
            if unique_id in seen or _dict(self.state.nodes.get(unique_id)).get("resource_type") not in TYPE_NAMES:
                continue
            seen.add(unique_id)
            node = Node(self.state, unique_id)
            if node.resource_type in wanted:
                found.append(node)
            pending.extend(self.state.parents.get(unique_id, []))
        return found

    matches_method = True

    # -- sources --------------------------------------------------------------------------------

    @property
    def source_name(self) -> str | None:
        return self.raw.get("source_name")

    @property
    def source_description(self) -> str | None:
        return self.raw.get("source_description")

    @property
    def loader(self) -> str | None:
        return self.raw.get("loader") or None

    # -- tests ----------------------------------------------------------------------------------

    @property
    def column_name(self) -> str | None:
        return self.raw.get("column_name")

    @property
    def test_type(self) -> str | None:
        if self.resource_type != "test":
            return None
        return "GENERIC" if self.raw.get("test_metadata") else "SINGULAR"

    @property
    def tested_node_unique_id(self) -> str | None:
        return self.raw.get("attached_node")

    @property
    def test_metadata(self) -> dict[str, Any] | None:
        metadata = self.raw.get("test_metadata")
        if not isinstance(metadata, dict):
            return None
        kwargs = _dict(metadata.get("kwargs"))
        return {
            "name": metadata.get("name"),
            "namespace": metadata.get("namespace"),
            "column_name": kwargs.get("column_name") or self.column_name,
            "kwargs": kwargs,
        }

    # -- exposures and macros -------------------------------------------------------------------

    @property
    def exposure_type(self) -> str | None:
        return self.raw.get("type") if self.resource_type == "exposure" else None

    @property
    def maturity(self) -> str | None:
        return self.raw.get("maturity")

    @property
    def label(self) -> str | None:
        return self.raw.get("label")

    @property
    def url(self) -> str | None:
        return self.raw.get("url")

    @property
    def owner_name(self) -> str | None:
        return _dict(self.raw.get("owner")).get("name")

    @property
    def owner_email(self) -> str | None:
        return _dict(self.raw.get("owner")).get("email")

    @property
    def macro_sql(self) -> str | None:
        return self.raw.get("macro_sql")

    @property
    def arguments(self) -> list[dict[str, Any]]:
        return [
            {"name": argument.get("name"), "type": argument.get("type"), "description": argument.get("description")}
            for argument in self.raw.get("arguments") or []
            if isinstance(argument, dict)
        ]


def _criteria(criteria: dict[str, Any]) -> dict[str, Any] | None:
    if not criteria:
        return None

    def info(value: Any) -> dict[str, Any] | None:
        value = _dict(value)
        return {"count": value.get("count"), "period": value.get("period")} if value.get("count") else None

    return {"warn_after": info(criteria.get("warn_after")), "error_after": info(criteria.get("error_after"))}


class RunNode(Node):
    """A node as the job-level API shows it: what one run did to it (ModelNode, TestNode, SourceNode...)."""

    def __init__(self, state: AppliedState, unique_id: str, run: RunArtifacts) -> None:
        super().__init__(state, unique_id)
        self.run = run
        self.result = run.results.get(unique_id)

    @property
    def run_id(self) -> int:
        return self.run.run_id

    @property
    def job_id(self) -> int | None:
        return self.run.job_id

    @property
    def dbt_version(self) -> str | None:
        return self.run.dbt_version or self.state.manifest_metadata.get("dbt_version")

    @property
    def status(self) -> str | None:
        return self.result.status if self.result else None

    @property
    def error(self) -> str | None:
        return self.result.message if self.result and self.result.status in FAILED else None

    @property
    def skip(self) -> bool | None:
        return self.result.status == "skipped" if self.result else None

    @property
    def fail(self) -> bool | None:
        return self.result.status == "fail" if self.result else None

    @property
    def warn(self) -> bool | None:
        return self.result.status == "warn" if self.result else None

    @property
    def compile_started_at(self) -> str | None:
        return self.result.compile_started_at if self.result else None

    @property
    def compile_completed_at(self) -> str | None:
        return self.result.compile_completed_at if self.result else None

    @property
    def execute_started_at(self) -> str | None:
        return self.result.execute_started_at if self.result else None

    @property
    def execute_completed_at(self) -> str | None:
        return self.result.execute_completed_at if self.result else None

    @property
    def execution_time(self) -> float | None:
        return self.result.execution_time if self.result else None

    @property
    def thread_id(self) -> str | None:
        return self.result.thread_id if self.result else None

    @property
    def run_generated_at(self) -> str | None:
        return (self.result.generated_at if self.result else None) or self.state.manifest_metadata.get("generated_at")

    @property
    def run_elapsed_time(self) -> float | None:
        return self.result.elapsed_time if self.result else None

    @property
    def invocation_id(self) -> str | None:
        return self.result.invocation_id if self.result else None

    @property
    def compiled_code(self) -> str | None:
        return (self.result.compiled_code if self.result else None) or self.raw.get("compiled_code")

    compiled_sql = compiled_code

    @property
    def raw_sql(self) -> str | None:
        return self.raw_code

    @property
    def depends_on(self) -> list[str]:
        return self.parent_ids

    @property
    def children_l_1(self) -> list[str]:  # childrenL1
        return list(self.state.children.get(self.unique_id, []))

    def _catalog_entry(self) -> dict[str, Any]:
        found = self.state.catalog.get(self.unique_id)
        return found.entry if found else {}

    @property
    def columns(self) -> list[dict[str, Any]]:
        return catalog_columns(self._catalog_entry(), self.raw)

    @property
    def stats(self) -> list[dict[str, Any]]:
        return catalog_stats(self._catalog_entry())

    @property
    def type(self) -> str | None:
        return _dict(self._catalog_entry().get("metadata")).get("type")

    @property
    def owner(self) -> str | None:
        return _dict(self._catalog_entry().get("metadata")).get("owner")

    @property
    def comment(self) -> str | None:
        return _dict(self._catalog_entry().get("metadata")).get("comment")

    def _run_nodes(self, ids: list[str], resource_type: str) -> list[RunNode]:
        return [
            RunNode(self.state, unique_id, self.run)
            for unique_id in ids
            if _dict(self.state.nodes.get(unique_id)).get("resource_type") == resource_type
        ]

    @property
    def parents_models(self) -> list[RunNode]:
        return self._run_nodes(self.parent_ids, "model")

    @property
    def parents_sources(self) -> list[RunNode]:
        return self._run_nodes(self.parent_ids, "source")

    @property
    def tests(self) -> list[RunNode]:  # type: ignore[override]
        return self._run_nodes(self.state.tests_of.get(self.unique_id, []), "test")

    # SourceNode's freshness, flat as the older API has it.
    def _freshness(self) -> dict[str, Any]:
        found = self.run.freshness.get(self.unique_id)
        return found.entry if found else {}

    @property
    def freshness_checked(self) -> bool:
        return self.unique_id in self.run.freshness

    @property
    def max_loaded_at(self) -> str | None:
        return self._freshness().get("max_loaded_at")

    @property
    def max_loaded_at_time_ago_in_s(self) -> float | None:
        return self._freshness().get("max_loaded_at_time_ago_in_s")

    @property
    def snapshotted_at(self) -> str | None:
        return self._freshness().get("snapshotted_at")

    @property
    def criteria(self) -> dict[str, Any] | None:
        return _criteria(_dict(self._freshness().get("criteria")) or _dict(self.raw.get("freshness")))
