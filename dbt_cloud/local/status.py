"""Run status codes as dbt Cloud's API answers them. The runner keeps its own copy (it imports
nothing from the command-line side), the same numbers and names."""

from __future__ import annotations

import enum

STATUS_NAMES = {1: "Queued", 2: "Starting", 3: "Running", 10: "Success", 20: "Error", 30: "Cancelled"}


class RunStatus(enum.IntEnum):
    QUEUED = 1
    STARTING = 2
    RUNNING = 3
    SUCCESS = 10
    ERROR = 20
    CANCELLED = 30

    @property
    def humanized(self) -> str:
        return STATUS_NAMES[self.value]
