"""Facts about runs that several composites need: what a status code means, where a run's page is,
how long it took, and which step failed and why.

Everything here reads run objects as the API answers them (dicts) and sends nothing (the requests
are in dbt_cloud.services.runs), so the CLI, the waiter, the local runner and Python callers share
one reading of a run.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dbt_cloud.errors import InvalidResponseError
from dbt_cloud.urls import without_userinfo

QUEUED, STARTING, RUNNING, SUCCESS, ERROR, CANCELLED = 1, 2, 3, 10, 20, 30
#: Statuses a run can still leave; the API's own order of progress.
IN_PROGRESS = (QUEUED, STARTING, RUNNING)
FINISHED = frozenset({SUCCESS, ERROR, CANCELLED})
STATUS_NAMES = {
    QUEUED: "Queued",
    STARTING: "Starting",
    RUNNING: "Running",
    SUCCESS: "Success",
    ERROR: "Error",
    CANCELLED: "Cancelled",
}


class RunStatus(enum.IntEnum):
    """A run's status code. The second names are dbt-cloud-cli's, accepted for `--status`; as
    aliases they never come out of `RunStatus(code)`."""

    QUEUED = QUEUED
    STARTING = STARTING
    RUNNING = RUNNING
    SUCCESS = SUCCESS
    ERROR = ERROR
    CANCELLED = CANCELLED
    SUCCEEDED = SUCCESS
    FAILED = ERROR
    CANCELED = CANCELLED

    @property
    def humanized(self) -> str:
        return STATUS_NAMES[self.value]


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_status(run: Mapping[str, Any]) -> int:
    """The run's status code, or an error naming what the server sent instead."""
    status = run.get("status")
    if isinstance(status, bool) or not isinstance(status, int):
        raise InvalidResponseError(f"The run answer has no numeric 'status' (got {status!r})")
    return status


def status_name(run: Mapping[str, Any]) -> str:
    """How the server names the run's status, or our name for the code."""
    humanized = run.get("status_humanized")
    if isinstance(humanized, str) and humanized:
        return humanized
    status = run.get("status")
    return STATUS_NAMES.get(status, f"status {status}") if isinstance(status, int) else "unknown"


def run_url(run: Mapping[str, Any], base_url: str) -> str | None:
    """The run's page: the `href` the server gives, else the dbt Cloud UI's address for it."""
    href = run.get("href")
    if isinstance(href, str) and href.startswith(("http://", "https://")):
        return href
    ids = [run.get(key) for key in ("account_id", "project_id", "id")]
    if all(isinstance(value, int) for value in ids):
        account, project, run_id = ids
        site = without_userinfo(base_url)  # a link for a person: never the host URL's password
        return f"{site}/deploy/{account}/projects/{project}/runs/{run_id}/"
    return None


def parse_timestamp(value: Any) -> datetime | None:
    """The API writes both ISO 8601 and `YYYY-MM-DD HH:MM:SS.ffffff+00:00`; read either."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def run_duration(run: Mapping[str, Any]) -> float | None:
    """Seconds from creation (queueing included, as dbt Cloud counts it) to the end."""
    start = parse_timestamp(run.get("created_at"))
    end = parse_timestamp(run.get("finished_at"))
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)


def format_seconds(seconds: float) -> str:
    """`1h 02m`, `3m 05s`, `12s`, `0.3s`: short enough for a status line."""
    if seconds < 10 and seconds != int(seconds):
        return f"{seconds:.1f}s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


@dataclass(frozen=True)
class StepFailure:
    """The step where a run failed, and the end of its log."""

    index: int | None
    name: str
    status: str
    log_tail: tuple[str, ...]


def step_logs(step: Mapping[str, Any]) -> str:
    """A step's log as plain text (colour codes removed)."""
    logs = step.get("logs")
    if not isinstance(logs, str):
        logs = step.get("truncated_debug_logs") if isinstance(step.get("truncated_debug_logs"), str) else ""
    return _ANSI.sub("", str(logs))


def run_steps(run: Mapping[str, Any]) -> list[dict[str, Any]]:
    steps = run.get("run_steps")
    if not isinstance(steps, list):
        return []
    ordered = [step for step in steps if isinstance(step, dict)]
    ordered.sort(key=lambda step: step["index"] if isinstance(step.get("index"), int) else 0)
    return ordered


def failed_step(run: Mapping[str, Any], *, tail_lines: int = 20) -> StepFailure | None:
    """The first step that ended in error (the run fetched with its steps), or None."""
    for step in run_steps(run):
        if step.get("status") == ERROR:
            lines = [line.rstrip() for line in step_logs(step).splitlines() if line.strip()]
            index = step.get("index")
            return StepFailure(
                index=index if isinstance(index, int) else None,
                name=str(step.get("name") or "unnamed step"),
                status=status_name(step),
                log_tail=tuple(lines[-tail_lines:]),
            )
    return None


#: dbt commands whose run_results.json describe built nodes (with `adapter_response`).
MATERIALIZING_COMMANDS = ("build", "run", "seed", "snapshot")
_BACKTICKED = re.compile(r"`\s*dbt\s+([a-z][a-z-]*)")
_BARE = re.compile(r"\bdbt\s+([a-z][a-z-]*)")


def dbt_command_of(step_name: str) -> str | None:
    """`build` for "Invoke dbt with `dbt build --select x`", None for "Clone git repository"."""
    match = _BACKTICKED.search(step_name)
    if match:
        return match.group(1)
    words = [word for word in _BARE.findall(step_name) if word not in ("with", "cloud")]
    return words[-1] if words else None


def materialization_step(run: Mapping[str, Any]) -> dict[str, Any] | None:
    """The last step that ran `dbt build`, `run`, `seed` or `snapshot`: the step whose artifacts
    describe the models, where a final `dbt docs generate` step's describe none."""
    chosen = None
    for step in run_steps(run):
        if dbt_command_of(str(step.get("name") or "")) in MATERIALIZING_COMMANDS:
            chosen = step
    return chosen


#: The steps dbt Cloud runs before a job's own commands: clone the repository, write the profile,
#: `dbt deps`.
SETUP_STEPS = 3
_QUOTED = re.compile(r"`([^`]+)`")


def running_step(run: Mapping[str, Any]) -> dict[str, Any] | None:
    """The step running now (the run fetched with its steps): the last one whose status is
    running, or None between steps and before the first."""
    current = None
    for step in run_steps(run):
        if step.get("status") == RUNNING and isinstance(step.get("index"), int):
            current = step
    return current


def expected_steps(run: Mapping[str, Any]) -> int | None:
    """How many steps the run will have, from its job and trigger (fetched with `job` and
    `trigger`): the setup steps, then source freshness, each command and docs where asked for.
    None when the run came without its job."""
    job = run.get("job")
    if not isinstance(job, Mapping):
        return None
    given = run.get("trigger")
    trigger: Mapping[str, Any] = given if isinstance(given, Mapping) else {}

    def chosen(override: str, setting: str) -> Any:
        value = trigger.get(override)
        return job.get(setting) if value is None else value

    commands = chosen("steps_override", "execute_steps")
    if not isinstance(commands, list):
        return None
    sources = bool(chosen("generate_sources_override", "run_generate_sources"))
    docs = bool(chosen("generate_docs_override", "generate_docs"))
    return SETUP_STEPS + len(commands) + int(sources) + int(docs)


def step_label(name: str) -> str:
    """What a step does, short: "`dbt build`" for "Invoke dbt with `dbt build`", else its name."""
    match = _QUOTED.search(name)
    return f"`{match.group(1).strip()}`" if match else name
