"""The catalog explorer's model built from the Discovery API: an environment's applied state, paged
through `environment(id) { applied { models seeds snapshots sources tests } }`, turned into the same
`Catalog` and `Manifest` a downloaded catalog.json and manifest.json give, so the explorer, `--node`,
`--search` and `-o json` work on it unchanged.

The caller gives the function that sends a query (`post(query, variables) -> data`), so this module
does not depend on which client sends it; a GraphQL error is the caller's to raise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from dbt_cloud.catalog.loading import Catalog, Manifest
from dbt_cloud.errors import DbtCloudError

#: Sends one query with its variables and answers the response's `data`.
Post = Callable[[str, dict[str, Any]], dict[str, Any]]

CATALOG_SCHEMA = "https://schemas.getdbt.com/dbt/catalog/v1.json"
MANIFEST_SCHEMA = "https://schemas.getdbt.com/dbt/manifest/v12.json"
#: The Discovery API's largest page.
PAGE_SIZE = 500

_NODE_FIELDS = """
  uniqueId name resourceType packageName description tags meta filePath
  children { uniqueId }
  catalog {
    type comment owner runGeneratedAt
    columns { name type index comment description tags meta }
    stats { id label value include description }
  }
"""
_RELATION_FIELDS = " database schema alias "
#: Seeds and sources have no parents.
_PARENTS = " parents { uniqueId } "
#: One connection of `applied`, paged; `{connection}` and `{fields}` are filled per resource type.
_PAGE_QUERY = """
query CatalogPage($environmentId: BigInt!, $first: Int, $after: String) {
  environment(id: $environmentId) {
    dbtProjectName
    applied {
      %(connection)s(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        edges { node { ... on %(type)s { %(fields)s } } }
      }
    }
  }
}
"""
_TEST_FIELDS = """
  uniqueId name resourceType packageName description tags meta filePath columnName testedNodeUniqueId config
  testMetadata { name namespace kwargs }
  parents { uniqueId }
"""
#: (connection of applied, its node type, the fields asked).
CONNECTIONS = (
    ("models", "ModelAppliedStateNode", _NODE_FIELDS + _RELATION_FIELDS + _PARENTS),
    ("seeds", "SeedAppliedStateNode", _NODE_FIELDS + _RELATION_FIELDS),
    ("snapshots", "SnapshotAppliedStateNode", _NODE_FIELDS + _RELATION_FIELDS + _PARENTS),
    ("sources", "SourceAppliedStateNode", _NODE_FIELDS + " database schema identifier sourceName sourceDescription"),
    ("tests", "TestAppliedStateNode", _TEST_FIELDS),
)


def _pages(post: Post, environment_id: int, connection: str, node_type: str, fields: str) -> Iterator[dict[str, Any]]:
    query = _PAGE_QUERY % {"connection": connection, "type": node_type, "fields": fields}
    after: str | None = None
    while True:
        data = post(query, {"environmentId": environment_id, "first": PAGE_SIZE, "after": after})
        environment = data.get("environment") if isinstance(data, dict) else None
        if not isinstance(environment, dict):
            raise DbtCloudError(f"The Discovery API answered no environment {environment_id}")
        page = environment["applied"][connection]
        for edge in page["edges"]:
            yield edge["node"]
        info = page["pageInfo"]
        if not info.get("hasNextPage") or not info.get("endCursor"):
            return
        after = info["endCursor"]


def _table(node: dict[str, Any], catalog: dict[str, Any]) -> dict[str, Any]:
    """A catalog.json table from a node and its `catalog`."""
    columns = {}
    for position, column in enumerate(catalog.get("columns") or [], start=1):
        columns[column["name"]] = {
            "type": column.get("type") or "",
            "index": column.get("index") if isinstance(column.get("index"), int) else position,
            "name": column["name"],
            "comment": column.get("comment"),
        }
    stats = {}
    for stat in catalog.get("stats") or []:
        stat_id = stat.get("id") or stat.get("label")
        if stat_id:
            stats[stat_id] = {
                "id": stat_id,
                "label": stat.get("label") or stat_id,
                "value": stat.get("value"),
                "include": stat.get("include") is not False,
                "description": stat.get("description"),
            }
    return {
        "metadata": {
            "type": catalog.get("type") or "",
            "schema": node.get("schema") or "",
            "name": node.get("alias") or node.get("identifier") or node["name"],
            "database": node.get("database"),
            "comment": catalog.get("comment"),
            "owner": catalog.get("owner"),
        },
        "columns": columns,
        "stats": stats,
        "unique_id": node["uniqueId"],
    }


def _manifest_node(node: dict[str, Any]) -> dict[str, Any]:
    """A manifest.json node with the fields the explorer reads."""
    config: dict[str, Any] = node["config"] if isinstance(node.get("config"), dict) else {}
    catalog = node.get("catalog") or {}
    columns = {
        column["name"]: {
            "name": column["name"],
            "description": column.get("description") or "",
            "tags": column.get("tags") or [],
            "meta": column.get("meta") or {},
        }
        for column in catalog.get("columns") or []
    }
    document: dict[str, Any] = {
        "unique_id": node["uniqueId"],
        "resource_type": node.get("resourceType") or node["uniqueId"].split(".", 1)[0],
        "name": node["name"],
        "package_name": node.get("packageName"),
        "description": node.get("description") or "",
        "columns": columns,
        "tags": node.get("tags") or [],
        "meta": node.get("meta") or {},
        "config": {"meta": config.get("meta") or {}, "severity": config.get("severity"), "group": config.get("group")},
        "original_file_path": node.get("filePath"),
        "depends_on": {"nodes": [parent["uniqueId"] for parent in node.get("parents") or []]},
        "source_name": node.get("sourceName"),
        "source_description": node.get("sourceDescription"),
        "column_name": node.get("columnName"),
        "attached_node": node.get("testedNodeUniqueId"),
    }
    metadata = node.get("testMetadata")
    if isinstance(metadata, dict) and metadata.get("name"):
        document["test_metadata"] = {
            "name": metadata["name"],
            "namespace": metadata.get("namespace"),
            "kwargs": metadata.get("kwargs") or {},
        }
    return document


def load_environment(post: Post, environment_id: int) -> tuple[Catalog, Manifest]:
    """The catalog and manifest of an environment's applied state. Nodes without a catalog entry
    (never documented by `dbt docs generate`) are in the manifest, not in the catalog, as in the files."""
    tables: dict[str, dict[str, Any]] = {"nodes": {}, "sources": {}}
    manifest: dict[str, Any] = {"nodes": {}, "sources": {}, "parent_map": {}, "child_map": {}}
    generated: list[str] = []
    for connection, node_type, fields in CONNECTIONS:
        for node in _pages(post, environment_id, connection, node_type, fields):
            unique_id = node["uniqueId"]
            section = "sources" if connection == "sources" else "nodes"
            manifest[section][unique_id] = _manifest_node(node)
            manifest["parent_map"][unique_id] = [parent["uniqueId"] for parent in node.get("parents") or []]
            if "children" in node:
                manifest["child_map"][unique_id] = [child["uniqueId"] for child in node.get("children") or []]
            catalog = node.get("catalog")
            if isinstance(catalog, dict):
                tables[section][unique_id] = _table(node, catalog)
                if catalog.get("runGeneratedAt"):
                    generated.append(str(catalog["runGeneratedAt"]))
    if not tables["nodes"] and not tables["sources"]:
        raise DbtCloudError(
            f"Environment {environment_id} has no catalog in its applied state",
            hint="run a job of that environment with `dbt docs generate` (generate docs), or give --file",
        )
    origin = f"environment {environment_id} (Discovery API)"
    document = {
        "metadata": {"dbt_schema_version": CATALOG_SCHEMA, "generated_at": max(generated) if generated else None},
        **tables,
        "errors": None,
    }
    return Catalog(document, origin=origin), Manifest(manifest, origin=origin)
