"""What the explorer shows, as text and as JSON: pure functions of the catalog's data, shared by the
interactive explorer (which prints the text between prompts) and the non-interactive mode (which
prints the text with `-o table`, the JSON with `-o json`)."""

from __future__ import annotations

import textwrap
from typing import Any

from dbt_cloud.catalog.details import ColumnInfo, DataTest, NodeDetails, SearchHit, StatInfo, TableStats
from dbt_cloud.catalog.loading import Catalog, Entry
from dbt_cloud.terminal.output import clip

NONE = "-"
NO_MANIFEST = "no manifest.json: descriptions, tags, owners, tests and lineage are not known"
#: Stats summarised by `TableStats` (and `has_stats`, which only says whether there are any).
_SUMMARISED_STATS = {"row_count", "num_rows", "rows", "bytes", "num_bytes", "size", "last_modified", "has_stats"}


# --- numbers --------------------------------------------------------------------------------------------


def human_bytes(count: int) -> str:
    """`5.6 MiB`: binary units, one decimal from KiB up."""
    size = float(count)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{count:,} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return NONE if value is None else str(value)


def stats_line(table: TableStats, stats: tuple[StatInfo, ...]) -> str:
    parts = []
    if table.rows is not None:
        parts.append(f"{table.rows:,} rows")
    if table.bytes is not None:
        parts.append(human_bytes(table.bytes))
    if table.last_modified is not None:
        parts.append(f"last modified {table.last_modified}")
    parts += [f"{s.label}: {_value(s.value)}" for s in stats if s.include and s.id not in _SUMMARISED_STATS]
    return " · ".join(parts) if parts else "none reported by the warehouse"


# --- one table --------------------------------------------------------------------------------------------


def wrap(text: str, width: int) -> list[str]:
    """Text wrapped to `width`, keeping the writer's line breaks: descriptions are Markdown, often
    with lists and tables, which run-on wrapping would garble. Table rows and indented lines are
    left as they are."""
    lines: list[str] = []
    for line in text.strip().splitlines():
        if not line.strip():
            if lines and lines[-1]:
                lines.append("")
        elif line.lstrip().startswith("|") or line.startswith(("    ", "\t")):
            lines.append(line.rstrip())
        else:
            lines += textwrap.wrap(line, width=max(width, 20)) or [""]
    return lines


def _field(label: str, text: str, width: int, indent: int = 2) -> list[str]:
    """`  label        text`, the text wrapped under itself."""
    prefix = " " * indent + f"{label:<12} "
    wrapped = wrap(text, width - len(prefix)) or [NONE]
    return [prefix + wrapped[0]] + [(" " * len(prefix) + line).rstrip() for line in wrapped[1:]]


def node_text(details: NodeDetails, width: int = 100) -> str:
    """A table as the explorer shows it: where it lives, what the project says of it, its columns."""
    entry = details.entry
    lines = [f"{entry.unique_id}"]
    relation = entry.qualified_relation + (f" ({entry.relation_type})" if entry.relation_type else "")
    lines += _field("relation", relation, width)
    if details.path:
        lines += _field("defined in", details.path, width)
    if not details.has_manifest:
        lines += _field("manifest", NO_MANIFEST, width)
    else:
        lines += _field("description", details.description, width)
    if details.comment and details.comment != details.description:
        lines += _field("comment", details.comment, width)
    if details.has_manifest or details.owner.warehouse:
        lines += _field("owner", ", ".join(details.owner.parts()), width)
    if details.has_manifest:
        lines += _field("tags", ", ".join(details.tags), width)
    lines += _field("stats", stats_line(details.table_stats, details.stats), width)
    if details.has_manifest:
        lines += _field("tests", ", ".join(_test_label(t) for t in details.tests), width)
        lines += _field("parents", ", ".join(details.parents), width)
        lines += _field("children", ", ".join(details.children), width)
    lines.append("")
    lines.append(f"  columns ({len(details.columns)})")
    lines += _column_lines(details.columns, width)
    if details.documented_only:
        lines.append("")
        lines.append(f"  documented in the manifest, not in the warehouse ({len(details.documented_only)})")
        lines += _column_lines(details.documented_only, width)
    return "\n".join(lines) + "\n"


def _test_label(test: DataTest) -> str:
    return f"{test.label} on {test.column}" if test.column else test.label


def _column_lines(columns: tuple[ColumnInfo, ...], width: int) -> list[str]:
    if not columns:
        return ["    " + NONE]
    digits = max(len(str(c.index)) for c in columns if c.index is not None) if any(c.index for c in columns) else 1
    name_width = min(max(len(c.name) for c in columns), 40)
    type_width = min(max(len(c.type or "") for c in columns), 24)
    lines = []
    for column in columns:
        index = str(column.index) if column.index is not None else ""
        head = f"    {index:>{digits}}  {column.name:<{name_width}}  {(column.type or ''):<{type_width}}"
        tests = ", ".join(test.label for test in column.tests)
        tags = ", ".join(f"#{tag}" for tag in column.tags)
        extra = "  ".join(part for part in (tests and f"tests: {tests}", tags) if part)
        lines.append(f"{head}  {extra}".rstrip())
        indent = " " * (4 + digits + 2)
        body_width = max(width - len(indent), 20)
        if column.description:
            lines += [(indent + line).rstrip() for line in wrap(column.description, body_width)]
        if column.comment and column.comment != column.description:
            lines += [(indent + line).rstrip() for line in wrap(f"comment: {column.comment}", body_width)]
    return lines


def _test_document(test: DataTest) -> dict[str, Any]:
    return {
        "unique_id": test.unique_id,
        "name": test.name,
        "column": test.column,
        "arguments": test.arguments,
        "severity": test.severity,
    }


def _column_document(column: ColumnInfo) -> dict[str, Any]:
    document: dict[str, Any] = {"index": column.index} if column.in_warehouse else {}
    document.update(
        {
            "name": column.name,
            "type": column.type,
            "comment": column.comment,
            "description": column.description,
            "tags": list(column.tags),
            "tests": [_test_document(test) for test in column.tests],
        }
    )
    return document


def entry_document(entry: Entry) -> dict[str, Any]:
    return {
        "unique_id": entry.unique_id,
        "resource_type": entry.resource_type,
        "name": entry.name,
        "database": entry.database,
        "schema": entry.schema,
        "relation": entry.relation,
        "relation_type": entry.relation_type,
    }


def node_document(details: NodeDetails) -> dict[str, Any]:
    """The same information as `node_text`, as JSON."""
    owner = details.owner
    stats = details.table_stats
    return {
        **entry_document(details.entry),
        "path": details.path,
        "description": details.description,
        "comment": details.comment,
        "owner": {
            "meta": owner.meta,
            "group": owner.group,
            "group_owner": owner.group_owner,
            "warehouse": owner.warehouse,
        },
        "tags": list(details.tags),
        "table_stats": {"rows": stats.rows, "bytes": stats.bytes, "last_modified": stats.last_modified},
        "stats": {
            s.id: {"label": s.label, "value": s.value, "include": s.include, "description": s.description}
            for s in details.stats
        },
        "tests": [_test_document(test) for test in details.tests],
        "parents": list(details.parents),
        "children": list(details.children),
        "columns": [_column_document(column) for column in details.columns],
        "documented_only_columns": [_column_document(column) for column in details.documented_only],
        "manifest": details.has_manifest,
    }


# --- searches and the whole catalog ------------------------------------------------------------------------


def search_document(pattern: str, hits: list[SearchHit]) -> dict[str, Any]:
    return {
        "pattern": pattern,
        "count": len(hits),
        "matches": [
            {
                **entry_document(found.hit.entry),
                "column": found.hit.name,
                "type": found.hit.type,
                "index": found.hit.index,
                "description": found.description,
            }
            for found in hits
        ],
    }


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def search_summary(pattern: str, hits: list[SearchHit]) -> str:
    """`3 columns in 2 tables match 'payment'.`"""
    if not hits:
        return f"No column matches {pattern!r}."
    tables = len({found.hit.entry.unique_id for found in hits})
    verb = "matches" if len(hits) == 1 else "match"
    return f"{_plural(len(hits), 'column')} in {_plural(tables, 'table')} {verb} {pattern!r}."


def search_text(pattern: str, hits: list[SearchHit], width: int = 100) -> str:
    head = search_summary(pattern, hits)
    if not hits:
        return head + "\n"
    rows = [["TABLE", "COLUMN", "TYPE", "DESCRIPTION"]] + [
        [found.hit.entry.unique_id, found.hit.name, found.hit.type or "", found.description] for found in hits
    ]
    return head + "\n" + layout(rows, width)


def summary_document(catalog: Catalog, has_manifest: bool) -> dict[str, Any]:
    return {
        "metadata": catalog.metadata.model_dump(mode="json"),
        "manifest": has_manifest,
        "counts": dict(catalog.resource_types()),
        "nodes": [
            {**entry_document(entry), "column_count": entry.column_count}
            for entry in sorted(catalog.entries.values(), key=lambda e: e.unique_id)
        ],
        "errors": catalog.errors,
    }


def summary_text(catalog: Catalog, width: int = 100) -> str:
    counts = ", ".join(_plural(count, kind) for kind, count in catalog.resource_types())
    generated = catalog.metadata.generated_at or "an unknown time"
    version = catalog.metadata.dbt_version or "version unknown"  # the Discovery API does not say
    head = f"{catalog.origin}: {counts or 'no tables'} (dbt {version}, generated {generated})"
    rows = [["TYPE", "SCHEMA", "NAME", "RELATION TYPE", "COLUMNS"]] + [
        [
            e.resource_type,
            f"{e.database}.{e.schema}" if e.database else e.schema,
            e.name,
            e.relation_type,
            str(e.column_count),
        ]
        for e in sorted(catalog.entries.values(), key=lambda e: (e.resource_type, e.schema, e.name))
    ]
    return head + "\n" + layout(rows, width)


def layout(rows: list[list[str]], width: int) -> str:
    """Rows as aligned columns within `width`, the widest column clipped first; the last column
    (a description) takes what is left."""
    rows = [[" ".join(cell.split()) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    gap = 2 * (len(widths) - 1)
    while sum(widths) + gap > width and max(widths) > 8:
        widths[widths.index(max(widths))] -= 1
    lines = ["  ".join(clip(cell, widths[i]).ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"
