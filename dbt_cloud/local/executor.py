"""Scheduling of runs: the queue, concurrency, cancels, timeouts, and recovery after a crash.

A thread in the server process takes queued runs in order and starts each in a worker process
(`worker.execute_run`), up to `concurrency` at once. Runs of one environment run one at a time:
they share its warehouse (a DuckDB file takes a single writer), as runs of one job do on dbt
Cloud. Worker processes are forked from a forkserver that has imported dbt-core already, so a
run starts warm; a cancel or timeout kills the worker's process, whatever dbt is doing.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from dataclasses import dataclass
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from dbt_cloud.local.clock import from_api, now, to_api
from dbt_cloud.local.planning import PlanError, plan_run
from dbt_cloud.local.status import RunStatus
from dbt_cloud.local.store import Store
from dbt_cloud.local.views import IN_PROGRESS

log = logging.getLogger("dbt_cloud.local")

RESTART_MESSAGE = (
    "The local runner stopped while this run was {state}; it was marked errored when the runner started again."
)


@dataclass
class _Active:
    run_id: int
    environment_id: int | None
    process: BaseProcess
    timeout_seconds: float


def worker_context() -> ForkServerContext | SpawnContext:
    """Processes forked from a server that has dbt-core imported already (POSIX), else spawned."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["dbt_cloud.local.worker"])
        return context
    return multiprocessing.get_context("spawn")


class Executor:
    def __init__(self, store: Store, data_dir: Path, concurrency: int) -> None:
        self.store = store
        self.data_dir = data_dir
        self.concurrency = max(1, concurrency)
        self._context = worker_context()
        self._active: dict[int, _Active] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="run-scheduler", daemon=True)

    def start(self) -> None:
        self.recover()
        self._thread.start()
        # Start the forkserver (which imports dbt-core) now, not when the first run is triggered.
        threading.Thread(target=self._warm_up, name="warm-up", daemon=True).start()

    def _warm_up(self) -> None:
        if isinstance(self._context, ForkServerContext):
            from multiprocessing import forkserver

            forkserver.ensure_running()

    def stop(self) -> int:
        """Stop taking runs and cancel those in progress; how many were cancelled."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)
        cancelled = 0
        for active in list(self._active.values()):
            self._kill(active)
            cancelled += self.store.update_run(
                active.run_id,
                only_if_status=IN_PROGRESS,
                status=RunStatus.CANCELLED,
                status_message="Cancelled: the local runner was shut down.",
                finished_at=to_api(now()),
            )
        return cancelled

    def wake(self) -> None:
        """Look at the queue now (a run was triggered or cancelled)."""
        self._wake.set()

    def recover(self) -> None:
        """Runs left in progress by a server that died are errored, with a message saying why."""
        for run in self.store.runs_in_status(IN_PROGRESS):
            state = "queued" if run["status"] == RunStatus.QUEUED else "running"
            self.store.update_run(
                run["id"],
                only_if_status=IN_PROGRESS,
                status=RunStatus.ERROR,
                status_message=RESTART_MESSAGE.format(state=state),
                finished_at=to_api(now()),
            )
            self._close_open_steps(run["id"], RunStatus.ERROR)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._tick()
            except Exception:  # a bad run must not stop the scheduler; it is logged and skipped
                log.exception("scheduler tick failed")
            self._wake.wait(timeout=0.2)
            self._wake.clear()

    def _tick(self) -> None:
        self._reap()
        self._enforce_cancels_and_timeouts()
        self._start_queued()

    def _reap(self) -> None:
        for run_id, active in list(self._active.items()):
            if active.process.is_alive():
                continue
            active.process.join()
            del self._active[run_id]
            # A worker that ended without finishing its run crashed (or was killed from outside).
            self.store.update_run(
                run_id,
                only_if_status=IN_PROGRESS,
                status=RunStatus.ERROR,
                status_message=self._crash_message(run_id, active.process.exitcode),
                finished_at=to_api(now()),
            )
            self._close_open_steps(run_id, RunStatus.ERROR)

    def _crash_message(self, run_id: int, exitcode: int | None) -> str:
        """Why the run ended: how its worker died, and in which step, for whoever reads the run."""
        if exitcode is not None and exitcode < 0:
            try:
                how = f"killed by {signal.Signals(-exitcode).name}"
            except ValueError:
                how = f"killed by signal {-exitcode}"
        else:
            how = f"exit code {exitcode}"
        open_steps = [step for step in self.store.steps_of_run(run_id) if step["status"] in IN_PROGRESS]
        where = f" during step {open_steps[-1]['idx']} ({open_steps[-1]['name']})" if open_steps else ""
        return f"The run's worker process exited unexpectedly ({how}){where}; the run did not finish."

    def _enforce_cancels_and_timeouts(self) -> None:
        for run_id, active in list(self._active.items()):
            run = self.store.get_run(run_id)
            if run is None or run["status"] == RunStatus.CANCELLED:
                self._kill(active)
                self._close_open_steps(run_id, RunStatus.CANCELLED)
                continue
            if active.timeout_seconds > 0 and run["started_at"]:
                started = from_api(run["started_at"])
                if started is not None and (now() - started).total_seconds() > active.timeout_seconds:
                    self._kill(active)
                    self.store.update_run(
                        run_id,
                        only_if_status=IN_PROGRESS,
                        status=RunStatus.CANCELLED,
                        status_message=(
                            f"Cancelled: the run exceeded its timeout of {active.timeout_seconds:g} seconds."
                        ),
                        finished_at=to_api(now()),
                    )
                    self._close_open_steps(run_id, RunStatus.CANCELLED)

    def _start_queued(self) -> None:
        if len(self._active) >= self.concurrency:
            return
        busy = {active.environment_id for active in self._active.values()}
        for run in self.store.runs_in_status([RunStatus.QUEUED]):
            if len(self._active) >= self.concurrency:
                return
            if run["environment_id"] in busy:
                continue
            self._start(run)
            busy.add(run["environment_id"])

    def _start(self, run: dict[str, Any]) -> None:
        stamp = to_api(now())
        if not self.store.update_run(
            run["id"], only_if_status=[RunStatus.QUEUED], status=RunStatus.STARTING, dequeued_at=stamp
        ):
            return
        try:
            plan = plan_run(self.store, self.data_dir, run)
        except PlanError as error:
            self._fail_to_start(run["id"], str(error))
            return
        except Exception as error:  # a run the scheduler cannot plan ends errored, never stuck in Starting
            log.exception("cannot plan run %s", run["id"])
            reason = f"The local runner could not start this run: {type(error).__name__}: {error}"
            self._fail_to_start(run["id"], reason)
            return
        from dbt_cloud.local import worker_entry

        process = self._context.Process(
            target=worker_entry.main, args=(plan,), name=f"dbt-run-{run['id']}", daemon=False
        )
        try:
            process.start()
        except Exception as error:  # e.g. out of processes: the run says so
            log.exception("cannot start the worker of run %s", run["id"])
            self._fail_to_start(run["id"], f"The local runner could not start this run's worker: {error}")
            return
        # Tracked at once, before anything else can fail: a run whose process is not tracked could
        # be neither cancelled nor waited for, and its environment would look free to the next run.
        self._active[run["id"]] = _Active(
            run_id=run["id"],
            environment_id=run["environment_id"],
            process=process,
            timeout_seconds=plan.timeout_seconds,
        )
        self.store.update_run(run["id"], worker_pid=process.pid)

    def _fail_to_start(self, run_id: int, reason: str) -> None:
        self.store.update_run(
            run_id,
            only_if_status=IN_PROGRESS,
            status=RunStatus.ERROR,
            status_message=reason,
            finished_at=to_api(now()),
        )

    def _kill(self, active: _Active) -> None:
        if active.process.is_alive():
            active.process.kill()
        active.process.join(timeout=10)
        self._active.pop(active.run_id, None)

    def _close_open_steps(self, run_id: int, status: RunStatus) -> None:
        for step in self.store.steps_of_run(run_id):
            if step["status"] in IN_PROGRESS:
                self.store.update_step(step["id"], status=status, finished_at=to_api(now()))
