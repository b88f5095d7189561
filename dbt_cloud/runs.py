"""Facts about runs that several composites need: what a status code means, where a run's page is,
how long it took, which run of a job is still going, and which step failed and why.

Everything here reads run objects as the API answers them (dicts) and sends requests only through
the command models, so the CLI, the waiter and Python callers share one reading of a run.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dbt_cloud.errors import InvalidResponseError

if TYPE_CHECKING:
    from dbt_cloud.client import ApiResponse, DbtCloudClient

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
        return f"{base_url}/deploy/{account}/projects/{project}/runs/{run_id}/"
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


def run_of(answer: ApiResponse) -> dict[str, Any]:
    data = answer.data
    if not isinstance(data, dict):
        raise InvalidResponseError("The run answer has no run object in 'data'")
    return data


def get_run(
    client: DbtCloudClient, account_id: int, run_id: int, *, steps: bool = False, related: Sequence[str] = ()
) -> ApiResponse:
    """The run, with its steps when asked and any other related objects (`job`, `trigger`, ...)."""
    from dbt_cloud.commands.run import RunGet

    include = [*related, *(["run_steps"] if steps else [])] or None
    return client.send(RunGet(account_id=account_id, run_id=run_id, include_related=include))


def cancel_run(client: DbtCloudClient, account_id: int, run_id: int) -> ApiResponse:
    from dbt_cloud.commands.run import RunCancel

    return client.send(RunCancel(account_id=account_id, run_id=run_id))


def active_run_of_job(client: DbtCloudClient, account_id: int, job_id: int) -> dict[str, Any] | None:
    """The newest run of the job that is queued, starting or running, if any.

    Asked once per status with the single-status filter every API version takes, newest first,
    one run each; the newest of those is the one to attach to.
    """
    from dbt_cloud.commands.run import RunList, RunStatus

    found: list[dict[str, Any]] = []
    for status in IN_PROGRESS:
        query = RunList(account_id=account_id, job_id=job_id, status=RunStatus(status), order_by="-id", limit=1)
        data = client.send(query).data
        if isinstance(data, list):
            found.extend(run for run in data if isinstance(run, dict) and run.get("status") in IN_PROGRESS)
    return max(found, key=lambda run: int(run.get("id") or 0), default=None)


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
