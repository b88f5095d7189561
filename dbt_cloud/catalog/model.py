"""Pydantic models of dbt's catalog.json (schema v1) and of the parts of manifest.json the explorer
joins in (descriptions, tags, owners, tests, lineage).

The catalog models follow schemas.getdbt.com/dbt/catalog/v1.json field for field. Unknown fields are
ignored rather than refused: dbt adds fields to an artifact without changing its schema version, and
an explorer that rejects next month's catalog is no use. The manifest models name only what the
explorer reads; everything else in a manifest node is left alone.

These models validate one table or one manifest node at a time (see `loading.py`): a 50 MB catalog is
parsed once into plain data, and a table becomes a model only when it is shown.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

#: The catalog schema versions this explorer reads.
KNOWN_CATALOG_VERSIONS = frozenset({1})


class ArtifactModel(BaseModel):
    """Base of the artifact models: read-only, tolerant of fields dbt adds later."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


# --- catalog.json ---------------------------------------------------------------------------------


class CatalogMetadata(ArtifactModel):
    dbt_schema_version: str
    dbt_version: str | None = None
    generated_at: str | None = None
    invocation_id: str | None = None
    invocation_started_at: str | None = None
    env: dict[str, str] = Field(default_factory=dict)


class TableMetadata(ArtifactModel):
    """Where the relation lives, as the warehouse reports it."""

    #: The relation's kind as the adapter names it: `BASE TABLE`, `VIEW`, `table`, ...
    type: str
    #: `schema` on the wire; renamed because BaseModel has a `schema` method.
    schema_name: str = Field(alias="schema")
    name: str
    database: str | None = None
    comment: str | None = None
    #: The warehouse's owner of the relation (a role or user), where the adapter reports one.
    owner: str | None = None


class ColumnMetadata(ArtifactModel):
    type: str
    index: int
    name: str
    comment: str | None = None


class StatsItem(ArtifactModel):
    """One statistic of a table (`row_count`, `bytes`, `last_modified`, ...): the adapter decides
    which it reports and says with `include` whether it is worth showing."""

    id: str
    label: str
    # int before float, so that a row count stays an integer.
    value: bool | int | float | str | None = None
    include: bool
    description: str | None = None


class CatalogTable(ArtifactModel):
    metadata: TableMetadata
    columns: dict[str, ColumnMetadata]
    stats: dict[str, StatsItem]
    unique_id: str | None = None


class CatalogArtifact(ArtifactModel):
    """The whole catalog.json, validated at once (the explorer validates lazily; see loading.py)."""

    metadata: CatalogMetadata
    nodes: dict[str, CatalogTable]
    sources: dict[str, CatalogTable]
    errors: list[str] | None = None


# --- manifest.json (the parts the explorer joins in) ----------------------------------------------


class ManifestColumn(ArtifactModel):
    name: str
    description: str | None = ""
    tags: list[str] = Field(default_factory=list)
    meta: dict[str, Any] = Field(default_factory=dict)
    data_type: str | None = None


class DataTestMetadata(ArtifactModel):
    """What a generic data test is: `unique`, `not_null`, `relationships`, `dbt_utils.expression_is_true`..."""

    name: str
    arguments: dict[str, Any] = Field(default_factory=dict, alias="kwargs")
    namespace: str | None = None


class DependsOn(ArtifactModel):
    nodes: list[str] = Field(default_factory=list)


class NodeConfig(ArtifactModel):
    meta: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] | str = Field(default_factory=list)
    severity: str | None = None
    group: str | None = None


class ManifestNode(ArtifactModel):
    """A node or a source of the manifest: a model, seed, snapshot, source table, or a test."""

    unique_id: str
    resource_type: str
    name: str
    package_name: str | None = None
    description: str | None = ""
    columns: dict[str, ManifestColumn] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    meta: dict[str, Any] = Field(default_factory=dict)
    config: NodeConfig = Field(default_factory=NodeConfig)
    group: str | None = None
    depends_on: DependsOn = Field(default_factory=DependsOn)
    original_file_path: str | None = None
    # Tests only: what they test.
    test_metadata: DataTestMetadata | None = None
    column_name: str | None = None
    attached_node: str | None = None
    # Sources only.
    source_name: str | None = None
    source_description: str | None = None


class GroupOwner(ArtifactModel):
    name: str | None = None
    email: str | None = None


class ManifestGroup(ArtifactModel):
    name: str
    owner: GroupOwner = Field(default_factory=GroupOwner)
