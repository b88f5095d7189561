"""What one finished run left behind, read from its folder: the results of the steps that ran nodes,
the manifest, the catalog and the source freshness.

A run's artifacts never change once it has finished, so each run is read once and kept (`RunArtifacts`
are small: the manifest is parsed only for the run whose manifest the applied state uses).
"""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic_core

log = logging.getLogger("dbt_cloud.local")

#: The dbt commands whose run_results.json says what happened to nodes. `docs generate` and `compile`
#: write results too, but only of compiling: they would mark a failed model "success".
EXECUTING_COMMANDS = {"build", "run", "test", "seed", "snapshot", "retry", "clone"}


@dataclass(frozen=True)
class NodeResult:
    """What one run did to one node (one entry of run_results.json)."""

    run_id: int
    job_id: int | None
    unique_id: str
    status: str
    message: str | None
    failures: int | None
    execution_time: float | None
    thread_id: str | None
    compile_started_at: str | None
    compile_completed_at: str | None
    execute_started_at: str | None
    execute_completed_at: str | None
    generated_at: str | None
    elapsed_time: float | None
    invocation_id: str | None
    compiled_code: str | None

    @property
    def succeeded(self) -> bool:
        return self.status in ("success", "pass")


@dataclass(frozen=True)
class Freshness:
    """One source's entry of sources.json, and the run that wrote it."""

    run_id: int
    job_id: int | None
    generated_at: str | None
    entry: dict[str, Any]


@dataclass(frozen=True)
class CatalogEntry:
    """One node's entry of catalog.json, and the run that wrote it."""

    run_id: int
    generated_at: str | None
    entry: dict[str, Any]


@dataclass
class RunArtifacts:
    run_id: int
    job_id: int | None
    finished_at: str | None
    manifest_path: Path | None = None
    #: Node results in the order the run's steps produced them (a later step's result wins).
    results: dict[str, NodeResult] = field(default_factory=dict)
    catalog: dict[str, CatalogEntry] = field(default_factory=dict)
    freshness: dict[str, Freshness] = field(default_factory=dict)
    dbt_version: str | None = None


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON artifact, or None (logged) when it cannot be read.

    Parsed with pydantic-core's parser, keys cached, with the cyclic garbage collector paused: a big
    manifest makes millions of containers, none in a cycle, and each few hundred of them would start a
    collection pass (the catalog explorer's loader does the same, for the same reason)."""
    try:
        data = path.read_bytes()
        enabled = gc.isenabled()
        gc.disable()
        try:
            document = pydantic_core.from_json(data, cache_strings="keys")
        finally:
            if enabled:
                gc.enable()
    except (OSError, ValueError) as error:
        log.warning("cannot read %s: %s", path, error)
        return None
    return document if isinstance(document, dict) else None


def _step_folders(run_dir: Path) -> list[Path]:
    """The kept artifacts of each step, in step order; the run's target folder when it kept none."""
    steps = run_dir / "steps"
    folders = (
        sorted(
            (path / "artifacts" for path in steps.iterdir() if path.name.isdigit() and (path / "artifacts").is_dir()),
            key=lambda path: int(path.parent.name),
        )
        if steps.is_dir()
        else []
    )
    return folders or [run_dir / "target"]


def read_run(run: dict[str, Any], run_dir: Path) -> RunArtifacts:
    artifacts = RunArtifacts(run_id=int(run["id"]), job_id=run.get("job_id"), finished_at=run.get("finished_at"))
    seen_invocations: set[str] = set()
    for folder in _step_folders(run_dir):
        _read_results(artifacts, folder / "run_results.json", seen_invocations)
    target = run_dir / "target"
    if (target / "manifest.json").is_file():
        artifacts.manifest_path = target / "manifest.json"
    catalog = read_json(target / "catalog.json") if (target / "catalog.json").is_file() else None
    if catalog is not None:
        generated = _generated_at(catalog)
        for section in ("nodes", "sources"):
            for unique_id, entry in (catalog.get(section) or {}).items():
                if isinstance(entry, dict):
                    artifacts.catalog[unique_id] = CatalogEntry(artifacts.run_id, generated, entry)
    sources = read_json(target / "sources.json") if (target / "sources.json").is_file() else None
    if sources is not None:
        generated = _generated_at(sources)
        for entry in sources.get("results") or []:
            if isinstance(entry, dict) and isinstance(entry.get("unique_id"), str):
                artifacts.freshness[entry["unique_id"]] = Freshness(
                    artifacts.run_id, artifacts.job_id, generated, entry
                )
    return artifacts


def _read_results(artifacts: RunArtifacts, path: Path, seen: set[str]) -> None:
    if not path.is_file():
        return
    document = read_json(path)
    if document is None:
        return
    metadata = document.get("metadata") or {}
    invocation = str(metadata.get("invocation_id") or path)
    # A step that writes no run_results.json keeps the previous step's copy: read each invocation once.
    if invocation in seen:
        return
    seen.add(invocation)
    which = (document.get("args") or {}).get("which")
    if which not in EXECUTING_COMMANDS:
        return
    artifacts.dbt_version = metadata.get("dbt_version") or artifacts.dbt_version
    generated = metadata.get("generated_at")
    elapsed = document.get("elapsed_time")
    for entry in document.get("results") or []:
        unique_id = entry.get("unique_id") if isinstance(entry, dict) else None
        if not isinstance(unique_id, str) or unique_id.startswith("operation."):
            continue
        timing = {part.get("name"): part for part in entry.get("timing") or [] if isinstance(part, dict)}
        compile_, execute = timing.get("compile") or {}, timing.get("execute") or {}
        artifacts.results[unique_id] = NodeResult(
            run_id=artifacts.run_id,
            job_id=artifacts.job_id,
            unique_id=unique_id,
            status=str(entry.get("status") or ""),
            message=entry.get("message"),
            failures=entry.get("failures"),
            execution_time=entry.get("execution_time"),
            thread_id=entry.get("thread_id"),
            compile_started_at=compile_.get("started_at"),
            compile_completed_at=compile_.get("completed_at"),
            execute_started_at=execute.get("started_at"),
            execute_completed_at=execute.get("completed_at"),
            generated_at=generated,
            elapsed_time=elapsed if isinstance(elapsed, int | float) else None,
            invocation_id=metadata.get("invocation_id"),
            compiled_code=entry.get("compiled_code"),
        )


def _generated_at(document: dict[str, Any]) -> str | None:
    metadata = document.get("metadata")
    value = metadata.get("generated_at") if isinstance(metadata, dict) else None
    return value if isinstance(value, str) else None
