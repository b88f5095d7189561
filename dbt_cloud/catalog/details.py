"""One table as the explorer shows it: the catalog's columns and stats joined with the manifest's
descriptions, tags, owner, tests and lineage.

Pure data in, pure data out: the interactive explorer, the non-interactive printer and the JSON
output all start from `node_details()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dbt_cloud.catalog.loading import Catalog, ColumnHit, Entry, Manifest
from dbt_cloud.catalog.model import ManifestColumn, ManifestNode

#: Stat ids that mean the same thing on different adapters (Snowflake, BigQuery, Redshift,
#: Databricks/Spark), so that rows, bytes and last-modified can be shown alike.
ROW_STATS = ("row_count", "num_rows", "rows")
BYTE_STATS = ("bytes", "num_bytes")
#: Redshift reports `size` in 1 MB blocks.
MEGABYTE_STATS = ("size",)
MODIFIED_STATS = ("last_modified",)
#: Children that are shown elsewhere (tests on the columns) rather than as lineage.
NOT_LINEAGE = ("test.", "unit_test.")


@dataclass(frozen=True)
class DataTest:
    """A data test attached to a table or one of its columns."""

    unique_id: str
    #: `unique`, `not_null`, `dbt_utils.expression_is_true`, or a singular test's own name.
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    column: str | None = None
    severity: str | None = None

    @property
    def label(self) -> str:
        """`not_null`, `accepted_values(values=['a', 'b'])`, `relationships(to=ref('x'), field=id)`."""
        shown = {k: v for k, v in self.arguments.items() if k not in ("column_name", "model")}
        text = self.name
        if shown:
            text += "(" + ", ".join(f"{k}={_argument(v)}" for k, v in shown.items()) + ")"
        if self.severity and self.severity.lower() == "warn":
            text += " [warn]"
        return text


def _argument(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + ", ".join(_argument(item) for item in value) + "]"
    return repr(value)


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    #: Position in the relation (1 is the first); None for a column only the manifest documents.
    index: int | None
    type: str | None
    #: The warehouse's comment on the column.
    comment: str | None
    #: The manifest's description (from the project's YAML or docs blocks).
    description: str
    tags: tuple[str, ...]
    tests: tuple[DataTest, ...]
    in_warehouse: bool = True


@dataclass(frozen=True)
class Owner:
    #: `meta.owner` (or `config.meta.owner`) from the project: the convention dbt docs use.
    meta: str | None = None
    #: The group the node belongs to, and that group's owner.
    group: str | None = None
    group_owner: str | None = None
    #: The relation's owner in the warehouse (a role or user), as the catalog reports it.
    warehouse: str | None = None

    def parts(self) -> list[str]:
        found = []
        if self.meta:
            found.append(self.meta)
        if self.group:
            found.append(f"group {self.group}" + (f" ({self.group_owner})" if self.group_owner else ""))
        if self.warehouse:
            found.append(f"{self.warehouse} (warehouse)")
        return found


@dataclass(frozen=True)
class StatInfo:
    id: str
    label: str
    value: bool | int | float | str | None
    include: bool
    description: str | None


@dataclass(frozen=True)
class TableStats:
    """Rows, bytes and last modification, where the adapter reports them."""

    rows: int | None = None
    bytes: int | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class NodeDetails:
    entry: Entry
    comment: str | None
    description: str
    owner: Owner
    tags: tuple[str, ...]
    stats: tuple[StatInfo, ...]
    table_stats: TableStats
    columns: tuple[ColumnInfo, ...]
    #: Columns the manifest documents that the warehouse does not have (renamed or dropped).
    documented_only: tuple[ColumnInfo, ...]
    #: Tests on the table as a whole, or on an expression rather than a column.
    tests: tuple[DataTest, ...]
    parents: tuple[str, ...]
    children: tuple[str, ...]
    has_manifest: bool
    #: Where the node is defined in the project, from the manifest.
    path: str | None = None


def node_details(catalog: Catalog, manifest: Manifest | None, unique_id: str) -> NodeDetails:
    """Everything known about one table of the catalog."""
    entry = catalog.entries[unique_id]
    table = catalog.table(unique_id)
    node = manifest.resource(unique_id) if manifest else None
    tests = [_test_info(test) for test in manifest.tests_on(unique_id)] if manifest else []
    documented = _documented_columns(node)
    tests_by_column: dict[str, list[DataTest]] = {}
    table_tests: list[DataTest] = []
    warehouse_names = {column.name.lower() for column in table.columns.values()}
    documented_names = set(documented)
    for test in tests:
        key = test.column.lower() if test.column else None
        if key is not None and (key in warehouse_names or key in documented_names):
            tests_by_column.setdefault(key, []).append(test)
        else:
            table_tests.append(test)

    columns = []
    for column in sorted(table.columns.values(), key=lambda c: c.index):
        doc = documented.get(column.name.lower())
        columns.append(
            ColumnInfo(
                name=column.name,
                index=column.index,
                type=column.type,
                comment=column.comment,
                description=(doc.description or "") if doc else "",
                tags=tuple(doc.tags) if doc else (),
                tests=tuple(tests_by_column.get(column.name.lower(), ())),
            )
        )
    documented_only = tuple(
        ColumnInfo(
            name=doc.name,
            index=None,
            type=doc.data_type,
            comment=None,
            description=doc.description or "",
            tags=tuple(doc.tags),
            tests=tuple(tests_by_column.get(key, ())),
            in_warehouse=False,
        )
        for key, doc in documented.items()
        if key not in warehouse_names
    )
    stats = tuple(
        StatInfo(item.id, item.label, item.value, item.include, item.description) for item in table.stats.values()
    )
    lineage_parents = manifest.parents(unique_id) if manifest else []
    lineage_children = [c for c in manifest.children(unique_id) if not c.startswith(NOT_LINEAGE)] if manifest else []
    return NodeDetails(
        entry=entry,
        comment=table.metadata.comment,
        description=_description(node),
        owner=_owner(node, manifest, table.metadata.owner),
        tags=tuple(_tags(node)),
        stats=stats,
        table_stats=table_stats(stats),
        columns=tuple(columns),
        documented_only=documented_only,
        tests=tuple(table_tests),
        parents=tuple(lineage_parents),
        children=tuple(lineage_children),
        has_manifest=manifest is not None,
        path=node.original_file_path if node else None,
    )


def _documented_columns(node: ManifestNode | None) -> dict[str, ManifestColumn]:
    """The manifest's columns by lower-cased name: warehouses differ in case (Snowflake answers
    CUSTOMER_ID for a column the YAML calls customer_id)."""
    if node is None:
        return {}
    return {column.name.lower(): column for column in node.columns.values()}


def _description(node: ManifestNode | None) -> str:
    if node is None:
        return ""
    return (node.description or "").strip() or (node.source_description or "").strip()


def _tags(node: ManifestNode | None) -> list[str]:
    if node is None:
        return []
    tags = list(node.tags)
    extra = node.config.tags
    for tag in [extra] if isinstance(extra, str) else extra:
        if tag not in tags:
            tags.append(tag)
    return tags


def _owner(node: ManifestNode | None, manifest: Manifest | None, warehouse: str | None) -> Owner:
    meta_owner = None
    group = None
    group_owner = None
    if node is not None:
        value = node.meta.get("owner") or node.config.meta.get("owner")
        if isinstance(value, list):
            meta_owner = ", ".join(str(item) for item in value) or None
        elif value:
            meta_owner = str(value)
        group = node.group or node.config.group
        found = manifest.group(group) if (manifest and group) else None
        if found is not None:
            name, email = found.owner.name, found.owner.email
            group_owner = f"{name} <{email}>" if name and email else (name or email)
    return Owner(meta=meta_owner, group=group, group_owner=group_owner, warehouse=warehouse or None)


def _test_info(test: ManifestNode) -> DataTest:
    metadata = test.test_metadata
    column = test.column_name
    if metadata is None:  # a singular test: a SQL file of its own
        return DataTest(test.unique_id, test.name, {}, column, test.config.severity)
    name = f"{metadata.namespace}.{metadata.name}" if metadata.namespace else metadata.name
    if column is None and isinstance(metadata.arguments.get("column_name"), str):
        column = metadata.arguments["column_name"]
    return DataTest(test.unique_id, name, dict(metadata.arguments), column, test.config.severity)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return None


def table_stats(stats: tuple[StatInfo, ...]) -> TableStats:
    by_id = {stat.id: stat.value for stat in stats}
    rows = next((_number(by_id[key]) for key in ROW_STATS if key in by_id), None)
    size = next((_number(by_id[key]) for key in BYTE_STATS if key in by_id), None)
    if size is None:
        megabytes = next((_number(by_id[key]) for key in MEGABYTE_STATS if key in by_id), None)
        size = megabytes * 1024 * 1024 if megabytes is not None else None
    modified = next((by_id[key] for key in MODIFIED_STATS if by_id.get(key) is not None), None)
    return TableStats(
        rows=int(rows) if rows is not None else None,
        bytes=int(size) if size is not None else None,
        last_modified=str(modified) if modified is not None else None,
    )


@dataclass(frozen=True)
class SearchHit:
    """A matching column with its description from the manifest."""

    hit: ColumnHit
    description: str


def search(catalog: Catalog, manifest: Manifest | None, pattern: str) -> list[SearchHit]:
    found = []
    for hit in catalog.search_columns(pattern):
        description = ""
        if manifest is not None:
            node = manifest.resource(hit.entry.unique_id)
            documented = _documented_columns(node).get(hit.name.lower())
            description = (documented.description or "") if documented else ""
        found.append(SearchHit(hit, description))
    return found
