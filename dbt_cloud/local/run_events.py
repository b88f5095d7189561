"""Noticing when runs start and end, for webhooks and job-completion triggers.

A run's status is written by three parties: the API (a cancel), the scheduler (a run it could not
start, a timeout, a crashed worker) and the worker process (running, success, error). All of them
write to the store, so the store is where a run's start and end are seen: the watcher reads the runs
in progress, and the runs created since it last looked, and tells its listeners once per run that
it started and once that it ended. Nothing in the executor or the worker has to know about it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, Literal

from dbt_cloud.local.store import Store
from dbt_cloud.local.views import IN_PROGRESS

log = logging.getLogger("dbt_cloud.local")

RunEvent = Literal["started", "completed"]
Listener = Callable[[RunEvent, dict[str, Any]], None]


class RunWatcher:
    def __init__(self, store: Store, listeners: Iterable[Listener]) -> None:
        self.store = store
        self.listeners = list(listeners)
        # Runs that existed before the watcher started are history: only later ones are announced.
        self._next_id = _latest_run_id(store) + 1
        self._open: dict[int, bool] = {}  # run id -> its start was announced

    def poll(self) -> None:
        latest = _latest_run_id(self.store)
        for run_id in range(self._next_id, latest + 1):
            run = self.store.get_run(run_id)
            if run is not None:
                self._observe(run, first_sight=True)
        self._next_id = max(self._next_id, latest + 1)
        for run_id in list(self._open):
            run = self.store.get_run(run_id)
            if run is None:
                del self._open[run_id]
            else:
                self._observe(run, first_sight=False)

    def _observe(self, run: dict[str, Any], first_sight: bool) -> None:
        finished = run["status"] not in IN_PROGRESS
        if first_sight and finished and not run["dequeued_at"]:
            return  # written finished straight into the store (an import, a test's seed): never ran here
        announced = self._open.get(run["id"], False)
        if run["started_at"] and not announced:
            self._tell("started", run)
            announced = True
        if finished:
            self._open.pop(run["id"], None)
            self._tell("completed", run)
        else:
            self._open[run["id"]] = announced

    def _tell(self, event: RunEvent, run: dict[str, Any]) -> None:
        for listener in self.listeners:
            try:
                listener(event, run)
            except Exception:  # one listener's failure must not keep the others from hearing of the run
                log.exception("a listener of run %s failed on %s", run["id"], event)


def _latest_run_id(store: Store) -> int:
    runs, _ = store.list_runs({}, order_by="-id", limit=1)
    return int(runs[0]["id"]) if runs else 0
