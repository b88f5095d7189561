"""The catalog explorer: a model of dbt's catalog.json (and the parts of manifest.json it joins in),
fast loading, the joined view of one table, its text and JSON renderings, and the interactive flow.

    from pathlib import Path
    from dbt_cloud.catalog import load_catalog, load_manifest, node_details

    catalog = load_catalog(Path("target/catalog.json"))
    details = node_details(catalog, load_manifest(Path("target/manifest.json")), "model.shop.customers")
"""

from __future__ import annotations

from dbt_cloud.catalog.details import NodeDetails, node_details, search
from dbt_cloud.catalog.loading import Catalog, Entry, Manifest, load_catalog, load_manifest
from dbt_cloud.catalog.model import CatalogArtifact, CatalogTable, ManifestNode

__all__ = [
    "Catalog",
    "CatalogArtifact",
    "CatalogTable",
    "Entry",
    "Manifest",
    "ManifestNode",
    "NodeDetails",
    "load_catalog",
    "load_manifest",
    "node_details",
    "search",
]
