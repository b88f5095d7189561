"""The applied state of an environment: what its latest runs left, merged as dbt Cloud merges it.

- the nodes are those of the newest run's manifest;
- a node's last run (status, error, timing) is from the newest run that ran it, and its last success
  from the newest run where it succeeded;
- its catalog entry is the newest run's that had one (runs with `docs generate`), and a source's
  freshness the newest `dbt source freshness` that checked it.

States are cached per environment, keyed by the ids of the runs they are built from, so a paged query
over a big project parses the artifacts once, not once a page; each finished run is read once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbt_cloud.local.discovery.artifacts import CatalogEntry, Freshness, NodeResult, RunArtifacts, read_json, read_run
from dbt_cloud.local.planning import run_dir_of
from dbt_cloud.local.status import RunStatus
from dbt_cloud.local.store import Store

#: The runs an applied state is built from: the environment's latest finished ones.
RUNS_PER_STATE = 100
#: Finished runs whose artifacts are kept read, across environments.
RUNS_KEPT = 500
#: Applied states kept (environments, and single runs for the job-level API), least recently used out.
STATES_KEPT = 32
FINISHED = [RunStatus.SUCCESS, RunStatus.ERROR, RunStatus.CANCELLED]
#: The manifest sections whose entries are nodes of the applied state.
MANIFEST_SECTIONS = ("nodes", "sources", "exposures", "macros")


class NotFoundError(Exception):
    """The environment, job or run does not exist for this account (a GraphQL error, not a 404)."""


@dataclass
class AppliedState:
    account_id: int
    project_id: int
    environment_id: int
    #: The runs merged, oldest first.
    runs: list[RunArtifacts]
    manifest: dict[str, Any] = field(default_factory=dict)
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_run: dict[str, NodeResult] = field(default_factory=dict)
    last_success: dict[str, NodeResult] = field(default_factory=dict)
    catalog: dict[str, CatalogEntry] = field(default_factory=dict)
    freshness: dict[str, Freshness] = field(default_factory=dict)
    parents: dict[str, list[str]] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    #: The tests attached to each node (the tests whose parents it is among).
    tests_of: dict[str, list[str]] = field(default_factory=dict)
    #: Unique ids of each resource type, sorted, so pages are stable.
    by_type: dict[str, list[str]] = field(default_factory=dict)

    @property
    def manifest_metadata(self) -> dict[str, Any]:
        metadata = self.manifest.get("metadata")
        return metadata if isinstance(metadata, dict) else {}

    @property
    def last_updated_at(self) -> str | None:
        return self.runs[-1].finished_at if self.runs else None

    def history(self, unique_id: str, count: int) -> list[tuple[RunArtifacts, NodeResult]]:
        """The runs that ran a node, newest first, with what each did to it."""
        found = []
        for run in reversed(self.runs):
            result = run.results.get(unique_id)
            if result is not None:
                found.append((run, result))
                if len(found) >= count:
                    break
        return found


def build_state(account_id: int, project_id: int, environment_id: int, runs: list[RunArtifacts]) -> AppliedState:
    """Merge runs (oldest first) into one applied state."""
    state = AppliedState(account_id, project_id, environment_id, runs)
    for run in runs:
        for unique_id, result in run.results.items():
            state.last_run[unique_id] = result
            if result.succeeded:
                state.last_success[unique_id] = result
        state.catalog.update(run.catalog)
        state.freshness.update(run.freshness)
    newest_manifest = next((run.manifest_path for run in reversed(runs) if run.manifest_path), None)
    if newest_manifest is not None:
        state.manifest = read_json(newest_manifest) or {}
    for section in MANIFEST_SECTIONS:
        for unique_id, entry in (state.manifest.get(section) or {}).items():
            if isinstance(entry, dict):
                state.nodes[unique_id] = entry
    state.parents = {key: list(value) for key, value in (state.manifest.get("parent_map") or {}).items()}
    state.children = {key: list(value) for key, value in (state.manifest.get("child_map") or {}).items()}
    if not state.parents:  # an older manifest without the maps: from each node's depends_on
        for unique_id, entry in state.nodes.items():
            state.parents[unique_id] = list((entry.get("depends_on") or {}).get("nodes") or [])
            for parent in state.parents[unique_id]:
                state.children.setdefault(parent, []).append(unique_id)
    for unique_id, entry in state.nodes.items():
        state.by_type.setdefault(str(entry.get("resource_type")), []).append(unique_id)
        if entry.get("resource_type") == "test":
            for parent in state.parents.get(unique_id, []):
                state.tests_of.setdefault(parent, []).append(unique_id)
    for ids in state.by_type.values():
        ids.sort()
    return state


class AppliedStates:
    """Applied states of environments and of single runs, read from the store and the runs' folders.

    Safe to call from several threads: a state is built once while other callers wait for it.
    """

    def __init__(self, store: Store, data_dir: Path) -> None:
        self.store = store
        self.data_dir = data_dir
        self._lock = threading.Lock()
        self._building: dict[tuple[Any, ...], threading.Lock] = {}
        self._runs: OrderedDict[int, RunArtifacts] = OrderedDict()
        self._states: OrderedDict[tuple[str, int], tuple[tuple[int, ...], AppliedState]] = OrderedDict()

    def environment(self, account_id: int, environment_id: int) -> tuple[dict[str, Any], AppliedState]:
        environment = self.store.get("environment", environment_id)
        if environment is None or environment.get("account_id") != account_id or environment.get("state", 1) == 2:
            raise NotFoundError(f"Environment {environment_id} not found")
        runs, _ = self.store.list_runs(
            {"environment_id": environment_id, "status": FINISHED}, order_by="-id", limit=RUNS_PER_STATE
        )
        runs.reverse()
        state = self._state(("environment", environment_id), account_id, environment, runs)
        return environment, state

    def job_run(self, account_id: int, job_id: int, run_id: int | None) -> tuple[dict[str, Any], AppliedState]:
        job = self.store.get("job", job_id)
        if job is None or job.get("account_id") != account_id:
            raise NotFoundError(f"Job {job_id} not found")
        if run_id is None:
            runs, _ = self.store.list_runs({"job_id": job_id, "status": FINISHED}, order_by="-id", limit=1)
            if not runs:
                raise NotFoundError(f"Job {job_id} has no finished run")
            run = runs[0]
        else:
            found = self.store.get_run(run_id)
            if found is None or found.get("job_id") != job_id or found.get("status") not in FINISHED:
                raise NotFoundError(f"Run {run_id} of job {job_id} not found, or not finished")
            run = found
        environment = self.store.get("environment", run.get("environment_id") or 0) or {"id": 0}
        return run, self._state(("run", int(run["id"])), account_id, environment, [run])

    def _state(
        self, key: tuple[str, int], account_id: int, environment: dict[str, Any], runs: list[dict[str, Any]]
    ) -> AppliedState:
        run_ids = tuple(int(run["id"]) for run in runs)
        with self._lock:
            cached = self._states.get(key)
            if cached is not None and cached[0] == run_ids:
                self._states.move_to_end(key)
                return cached[1]
            building = self._building.setdefault(key, threading.Lock())
        with building:  # one thread builds; the others wait and take what it built
            with self._lock:
                cached = self._states.get(key)
                if cached is not None and cached[0] == run_ids:
                    return cached[1]
            artifacts = [self._artifacts(run) for run in runs]
            state = build_state(
                account_id, int(environment.get("project_id") or 0), int(environment.get("id") or 0), artifacts
            )
            with self._lock:
                self._states[key] = (run_ids, state)
                self._states.move_to_end(key)
                while len(self._states) > STATES_KEPT:
                    self._states.popitem(last=False)
            return state

    def _artifacts(self, run: dict[str, Any]) -> RunArtifacts:
        run_id = int(run["id"])
        with self._lock:
            found = self._runs.get(run_id)
            if found is not None:
                self._runs.move_to_end(run_id)
                return found
        found = read_run(run, run_dir_of(self.data_dir, run_id))
        with self._lock:
            self._runs[run_id] = found
            while len(self._runs) > RUNS_KEPT:
                self._runs.popitem(last=False)
        return found
