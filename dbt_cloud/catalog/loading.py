"""Reading catalog.json and manifest.json: fast on big files, and one clear error for a bad one.

Speed, measured on a generated 61 MB catalog (benchmarks/catalog.py): `json.load` takes about 0.8 s,
pydantic validating the whole file into models about 2.1 s, and pydantic-core's own JSON parser
(`from_json`, already installed with pydantic) about 0.5 s. So a file is parsed with `from_json` into
plain data, and only what the menus need (each table's id, schema and name) is read up front; a table
is validated into its model when it is shown (`Catalog.table`), or all at once by `validate_all`.
"""

from __future__ import annotations

import fnmatch
import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError

from dbt_cloud.catalog.model import (
    KNOWN_CATALOG_VERSIONS,
    CatalogArtifact,
    CatalogMetadata,
    CatalogTable,
    ManifestGroup,
    ManifestNode,
)
from dbt_cloud.errors import InputError
from dbt_cloud.files import read_bytes

CATALOG_FILE = "catalog.json"
MANIFEST_FILE = "manifest.json"

#: `https://schemas.getdbt.com/dbt/catalog/v1.json` -> kind `catalog`, version 1.
_SCHEMA_URL = re.compile(r"/dbt/(?P<kind>[a-z][a-z-]*)/v(?P<version>\d+)\.json$")
#: The file name each artifact kind is written under, for saying what a wrong file is.
_FILE_NAMES = {
    "catalog": "catalog.json",
    "manifest": "manifest.json",
    "run-results": "run_results.json",
    "sources": "sources.json",
    "semantic-manifest": "semantic_manifest.json",
}
#: Resource types in the order the menus show them; others found in a catalog follow.
RESOURCE_TYPES = ("model", "seed", "source", "snapshot")


# --- files ------------------------------------------------------------------------------------------


def read_json(path: Path) -> Any:
    """A JSON file's content, or an InputError saying in one line why it cannot be had."""
    data = read_bytes(path, str(path), "JSON file")
    import pydantic_core

    try:
        with _collector_paused():
            # Keys repeat (every column has type/index/name/comment): caching them saves time and memory.
            return pydantic_core.from_json(data, cache_strings="keys")
    except ValueError as exc:
        raise InputError(f"{path} is not JSON ({exc})") from None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Parsing a big file makes millions of containers, and each few hundred of them start a garbage
    collection pass over everything made so far: half the parse time on a 50 MB catalog. Parsed JSON
    holds no reference cycles, so the cyclic collector has nothing to find there and can wait."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def artifact_kind(document: Any) -> tuple[str, int] | None:
    """The kind and schema version an artifact declares (`("catalog", 1)`), or None."""
    if not isinstance(document, dict):
        return None
    metadata = document.get("metadata")
    url = metadata.get("dbt_schema_version") if isinstance(metadata, dict) else None
    match = _SCHEMA_URL.search(url) if isinstance(url, str) else None
    if match is None:
        return None
    return match["kind"], int(match["version"])


def _check_kind(document: Any, path: Path, expected: str) -> int:
    name = _FILE_NAMES[expected]
    if not isinstance(document, dict):
        raise InputError(f"{path} is not a dbt {name}: its JSON is not an object")
    declared = artifact_kind(document)
    if declared is None:
        raise InputError(f"{path} is not a dbt {name}: it has no metadata.dbt_schema_version")
    kind, version = declared
    if kind != expected:
        raise InputError(f"{path} is a dbt {_FILE_NAMES.get(kind, kind)} (schema {kind} v{version}), not a {name}")
    return version


def catalog_path(path: Path) -> Path:
    """A catalog path as given: a file, or a directory (dbt's target/) that holds catalog.json."""
    return path / CATALOG_FILE if path.is_dir() else path


def manifest_beside(catalog_file: Path) -> Path | None:
    """manifest.json in the catalog's directory, where dbt writes both."""
    candidate = catalog_file.parent / MANIFEST_FILE
    return candidate if candidate.is_file() else None


def load_catalog(path: Path) -> Catalog:
    """Read and check a catalog.json (or the catalog.json in a directory)."""
    path = catalog_path(path)
    document = read_json(path)
    version = _check_kind(document, path, "catalog")
    if version not in KNOWN_CATALOG_VERSIONS:
        known = ", ".join(f"v{v}" for v in sorted(KNOWN_CATALOG_VERSIONS))
        raise InputError(
            f"{path} is a catalog.json of schema version v{version}, which this version of dbt-cloud "
            f"does not know (it reads {known})",
            hint="upgrade dbt-cloud",
        )
    with _collector_paused():
        return Catalog(document, origin=str(path))


def load_manifest(path: Path) -> Manifest:
    """Read and check a manifest.json. Any schema version is read: the few fields the explorer
    uses have kept their names since manifest v5."""
    document = read_json(path)
    _check_kind(document, path, "manifest")
    return Manifest(document, origin=str(path))


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in error.get("loc", ())) or "top level"
    more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
    return f"{where}: {error.get('msg', 'invalid')}{more}"


# --- matching -----------------------------------------------------------------------------------------


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key that reads the numbers in a name as numbers, so `model_2` comes before
    `model_10` in a menu (a plain sort puts "1" before "2" whatever follows). Case is ignored."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text.lower()) if part)


def matcher(pattern: str) -> Callable[[str], bool]:
    """Case-insensitive matching of a name against what a user typed: a part of the name, or a shell
    pattern when it has wildcards (`*_id`, `stg_?rders`)."""
    wanted = pattern.strip().lower()
    if not wanted:
        return lambda name: True
    if any(ch in wanted for ch in "*?["):
        return lambda name: fnmatch.fnmatchcase(name.lower(), wanted)
    return lambda name: wanted in name.lower()


# --- the catalog ----------------------------------------------------------------------------------------


class Entry(NamedTuple):
    """What the menus need of one table, read without validating the table."""

    unique_id: str
    resource_type: str
    database: str | None
    schema: str
    #: The relation's name in the warehouse (an alias, if the model has one).
    relation: str
    #: The relation's kind as the adapter names it (`BASE TABLE`, `VIEW`, ...).
    relation_type: str
    column_count: int

    @property
    def name(self) -> str:
        """The name dbt knows it by: `customers`, `dim_orders.v2`, or `source_name.table` for a source."""
        parts = self.unique_id.split(".")
        return ".".join(parts[2:]) if len(parts) > 2 else self.relation

    @property
    def schema_key(self) -> tuple[str | None, str]:
        return (self.database, self.schema)

    @property
    def qualified_relation(self) -> str:
        return ".".join(part for part in (self.database, self.schema, self.relation) if part)


@dataclass(frozen=True)
class ColumnHit:
    """A column whose name matched a search."""

    entry: Entry
    name: str
    type: str | None
    index: int | None


class Catalog:
    """A catalog.json, parsed but validated lazily: `entries` for the menus, `table()` for a table's
    validated model."""

    def __init__(self, document: dict[str, Any], *, origin: str = "catalog.json") -> None:
        self.origin = origin
        try:
            self.metadata = CatalogMetadata.model_validate(document.get("metadata"))
        except ValidationError as exc:
            raise InputError(f"{origin} is not a valid catalog.json: metadata.{_first_error(exc)}") from None
        errors = document.get("errors")
        self.errors: list[str] = [str(e) for e in errors] if isinstance(errors, list) else []
        self._raw: dict[str, dict[str, Any]] = {}
        self._tables: dict[str, CatalogTable] = {}
        self.entries: dict[str, Entry] = {}
        for section in ("nodes", "sources"):
            tables = document.get(section)
            if not isinstance(tables, dict):
                raise InputError(f"{origin} is not a valid catalog.json: '{section}' is missing or not an object")
            for unique_id, raw in tables.items():
                self.entries[unique_id] = self._entry(unique_id, section, raw)
                self._raw[unique_id] = raw

    def _entry(self, unique_id: str, section: str, raw: Any) -> Entry:
        # The hot loop of loading: plain dict reads, no validation.
        try:
            metadata = raw["metadata"]
            schema = metadata["schema"]
            relation = metadata["name"]
            columns = raw["columns"]
            relation_type = metadata.get("type") or ""
            database = metadata.get("database")
            count = len(columns)
        except (KeyError, TypeError):
            raise InputError(
                f"{self.origin} is not a valid catalog.json: {unique_id} lacks metadata.schema, metadata.name "
                "or columns"
            ) from None
        resource_type = "source" if section == "sources" else unique_id.split(".", 1)[0]
        return Entry(unique_id, resource_type, database, schema, relation, relation_type, count)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, unique_id: object) -> bool:
        return unique_id in self.entries

    def table(self, unique_id: str) -> CatalogTable:
        """The validated model of one table."""
        table = self._tables.get(unique_id)
        if table is None:
            try:
                table = CatalogTable.model_validate(self._raw[unique_id])
            except ValidationError as exc:
                raise InputError(
                    f"{self.origin}: {unique_id} is not a valid catalog table: {_first_error(exc)}"
                ) from None
            self._tables[unique_id] = table
        return table

    def validate_all(self) -> CatalogArtifact:
        """Every table validated at once, as one model of the whole file."""
        nodes = {uid: self.table(uid) for uid, entry in self.entries.items() if entry.resource_type != "source"}
        sources = {uid: self.table(uid) for uid, entry in self.entries.items() if entry.resource_type == "source"}
        return CatalogArtifact(metadata=self.metadata, nodes=nodes, sources=sources, errors=self.errors or None)

    # -- what the menus show ---------------------------------------------------------------------------

    def resource_types(self) -> list[tuple[str, int]]:
        """Each resource type present, with its count: model, seed, source, snapshot first."""
        counts: dict[str, int] = {}
        for entry in self.entries.values():
            counts[entry.resource_type] = counts.get(entry.resource_type, 0) + 1
        order = [t for t in RESOURCE_TYPES if t in counts] + sorted(t for t in counts if t not in RESOURCE_TYPES)
        return [(t, counts[t]) for t in order]

    def schemas(self, resource_type: str) -> list[tuple[tuple[str | None, str], int]]:
        """The (database, schema) pairs that hold tables of a type, sorted, with their counts."""
        counts: dict[tuple[str | None, str], int] = {}
        for entry in self.entries.values():
            if entry.resource_type == resource_type:
                counts[entry.schema_key] = counts.get(entry.schema_key, 0) + 1
        return sorted(counts.items(), key=lambda item: (natural_key(item[0][0] or ""), natural_key(item[0][1])))

    def entries_in(self, resource_type: str, schema_key: tuple[str | None, str], pattern: str = "") -> list[Entry]:
        """The tables of a type in a schema whose name matches `pattern`, sorted by name."""
        matches = matcher(pattern)
        found = [
            entry
            for entry in self.entries.values()
            if entry.resource_type == resource_type
            and entry.schema_key == schema_key
            and (matches(entry.name) or matches(entry.relation))
        ]
        return sorted(found, key=lambda entry: natural_key(entry.name))

    def find(self, name: str) -> list[Entry]:
        """Tables a user may mean by `name`: a unique id, a name (`customers`, `src.table` for a
        source), or a relation (`relation`, `schema.relation`, `database.schema.relation`).
        Case-insensitive; an exact unique id wins."""
        if name in self.entries:
            return [self.entries[name]]
        wanted = name.strip().lower()
        found = []
        for entry in self.entries.values():
            relation = [entry.relation, f"{entry.schema}.{entry.relation}", entry.qualified_relation]
            names = {entry.unique_id, entry.name, *relation}
            if wanted in {n.lower() for n in names}:
                found.append(entry)
        return sorted(found, key=lambda entry: entry.unique_id)

    def search_columns(self, pattern: str) -> list[ColumnHit]:
        """Every column, across all tables, whose name matches `pattern` (a part of the name, or a
        shell pattern). Reads the parsed data directly: no table is validated for a search."""
        matches = matcher(pattern)
        hits: list[ColumnHit] = []
        for unique_id, raw in self._raw.items():
            for key, column in raw["columns"].items():
                column_name = column.get("name", key) if isinstance(column, dict) else key
                if matches(column_name):
                    column_type = column.get("type") if isinstance(column, dict) else None
                    index = column.get("index") if isinstance(column, dict) else None
                    hits.append(ColumnHit(self.entries[unique_id], column_name, column_type, index))
        hits.sort(key=lambda hit: (hit.entry.unique_id, hit.index if isinstance(hit.index, int) else 0))
        return hits


# --- the manifest ---------------------------------------------------------------------------------------


class Manifest:
    """The parts of a manifest.json the explorer joins to the catalog, validated node by node."""

    def __init__(self, document: dict[str, Any], *, origin: str = "manifest.json") -> None:
        self.origin = origin
        self._raw: dict[str, Any] = {}
        for section in ("nodes", "sources"):
            part = document.get(section)
            if isinstance(part, dict):
                self._raw.update(part)
        groups = document.get("groups")
        self._groups: dict[str, Any] = groups if isinstance(groups, dict) else {}
        parent_map = document.get("parent_map")
        child_map = document.get("child_map")
        self._parent_map: dict[str, list[str]] | None = parent_map if isinstance(parent_map, dict) else None
        self._child_map: dict[str, list[str]] | None = child_map if isinstance(child_map, dict) else None
        self._nodes: dict[str, ManifestNode | None] = {}
        self._tests: dict[str, list[str]] | None = None

    def resource(self, unique_id: str) -> ManifestNode | None:
        """The manifest's node or source of that id, or None when the manifest has none."""
        if unique_id not in self._nodes:
            raw = self._raw.get(unique_id)
            node = None
            if isinstance(raw, dict):
                try:
                    node = ManifestNode.model_validate(raw)
                except ValidationError as exc:
                    raise InputError(
                        f"{self.origin}: {unique_id} is not a valid manifest node: {_first_error(exc)}"
                    ) from None
            self._nodes[unique_id] = node
        return self._nodes[unique_id]

    def _test_index(self) -> dict[str, list[str]]:
        """Tested node id -> ids of its tests. dbt names the node a generic test tests in
        `attached_node` (manifest v10 and later); a singular test (a SQL file of its own), or any test
        of an older manifest, is taken to test the one node it reads, if it reads only one."""
        if self._tests is None:
            index: dict[str, list[str]] = {}
            for unique_id, raw in self._raw.items():
                if not isinstance(raw, dict) or raw.get("resource_type") != "test":
                    continue
                target = raw.get("attached_node")
                if not target:
                    depends = (raw.get("depends_on") or {}).get("nodes") or []
                    target = depends[0] if len(depends) == 1 else None
                if target:
                    index.setdefault(target, []).append(unique_id)
            self._tests = index
        return self._tests

    def tests_on(self, unique_id: str) -> list[ManifestNode]:
        """The data tests attached to a node, sorted by id."""
        found = (self.resource(test_id) for test_id in sorted(self._test_index().get(unique_id, [])))
        return [test for test in found if test is not None]

    def parents(self, unique_id: str) -> list[str]:
        if self._parent_map is not None:
            return sorted(self._parent_map.get(unique_id, []))
        node = self.resource(unique_id)
        return sorted(node.depends_on.nodes) if node else []

    def children(self, unique_id: str) -> list[str]:
        if self._child_map is not None:
            return sorted(self._child_map.get(unique_id, []))
        return sorted(uid for uid in self._raw if uid != unique_id and unique_id in self.parents(uid))

    def group(self, name: str) -> ManifestGroup | None:
        for raw in self._groups.values():
            if isinstance(raw, dict) and raw.get("name") == name:
                try:
                    return ManifestGroup.model_validate(raw)
                except ValidationError:
                    return None
        return None

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)
