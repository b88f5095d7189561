"""What happens around runs while the runner serves: webhooks sent on a run's start and end, and jobs
started by their schedule or by another job's completion.

One thread watches runs and checks schedules twice a second; webhook deliveries have a thread of
their own, so a slow receiver delays neither the watching nor a run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from dbt_cloud.local.activity import RunActivity
from dbt_cloud.local.clock import now
from dbt_cloud.local.rows import list_rows
from dbt_cloud.local.run_events import RunEvent, RunWatcher
from dbt_cloud.local.store import Store
from dbt_cloud.local.triggers import JobTriggers, QueueRun
from dbt_cloud.local.webhook_delivery import WebhookDispatcher
from dbt_cloud.local.webhooks import SUBSCRIPTION_KIND, listens, payload, run_event_types

log = logging.getLogger("dbt_cloud.local")

POLL_SECONDS = 0.5


class LocalEvents:
    def __init__(
        self,
        store: Store,
        queue_run: QueueRun,
        clock: Callable[[], datetime] = now,
        dispatcher: WebhookDispatcher | None = None,
    ) -> None:
        self.store = store
        self.dispatcher = dispatcher or WebhookDispatcher(store)
        self.triggers = JobTriggers(store, queue_run, clock)
        self.watcher = RunWatcher(store, [self.publish, self.triggers.on_run_event, RunActivity(store)])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="run-events", daemon=True)

    def start(self) -> None:
        self.dispatcher.start()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self.dispatcher.stop()

    def step(self) -> None:
        """One look at runs and schedules (the thread's loop; tests call it to move at their pace)."""
        self.watcher.poll()
        self.triggers.tick()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.step()
            except Exception:  # a bad row must not stop webhooks and schedules for good
                log.exception("run events step failed")
            self._stop.wait(POLL_SECONDS)

    def publish(self, event: RunEvent, run: dict[str, Any]) -> None:
        """Queue the webhook events of a run's start or end for every subscription that listens."""
        subscriptions = list_rows(self.store, SUBSCRIPTION_KIND, run["account_id"])
        if not subscriptions:
            return
        job = self.store.get("job", run["job_id"] or 0)
        environment = self.store.get("environment", run["environment_id"] or 0)
        project = self.store.get("project", run["project_id"] or 0)
        for event_type in run_event_types(event, run):
            for subscription in subscriptions:
                if listens(subscription, event_type, run):
                    body = payload(subscription, event_type, run, job, environment, project)
                    self.dispatcher.submit(subscription, body, run["job_id"])
