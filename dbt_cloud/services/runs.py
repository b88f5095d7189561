"""The requests about runs that several composites send: get one (with its steps), cancel one, find
the run of a job that is still going. The facts read off the answers are in dbt_cloud.api.runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dbt_cloud.api.runs import IN_PROGRESS
from dbt_cloud.errors import InvalidResponseError

if TYPE_CHECKING:
    from dbt_cloud.api.operations.job import JobRun
    from dbt_cloud.http.client import DbtCloudClient
    from dbt_cloud.http.response import ApiResponse


def run_of(answer: ApiResponse) -> dict[str, Any]:
    data = answer.data
    if not isinstance(data, dict):
        raise InvalidResponseError("The run answer has no run object in 'data'")
    return data


def get_run(
    client: DbtCloudClient, account_id: int, run_id: int, *, steps: bool = False, related: Sequence[str] = ()
) -> ApiResponse:
    """The run, with its steps when asked and any other related objects (`job`, `trigger`, ...)."""
    from dbt_cloud.api.operations.run import RunGet

    include = [*related, *(["run_steps"] if steps else [])] or None
    return client.send(RunGet(account_id=account_id, run_id=run_id, include_related=include))


def cancel_run(client: DbtCloudClient, account_id: int, run_id: int) -> ApiResponse:
    from dbt_cloud.api.operations.run import RunCancel

    return client.send(RunCancel(account_id=account_id, run_id=run_id))


def oldest_live_run_of_job(client: DbtCloudClient, account_id: int, job_id: int) -> dict[str, Any] | None:
    """The oldest run of the job that is queued, starting or running, if any.

    The oldest, not the newest: it is the one that every concurrent `--reuse-existing` agrees on
    (runs of a job run one at a time, so it is the one doing the work, and the others are queued
    behind it). Asked once per status with the single-status filter every API version takes,
    oldest first, one run each.
    """
    from dbt_cloud.api.operations.run import RunList, RunStatus

    found: list[dict[str, Any]] = []
    for status in IN_PROGRESS:
        query = RunList(account_id=account_id, job_id=job_id, status=RunStatus(status), order_by="id", limit=1)
        data = client.send(query).data
        if isinstance(data, list):
            found.extend(run for run in data if isinstance(run, dict) and run.get("status") in IN_PROGRESS)
    return min(found, key=lambda run: int(run.get("id") or 0), default=None)


@dataclass(frozen=True)
class SharedRun:
    """The run a `--reuse-existing` trigger ends with, and how it got there."""

    #: The run to report (and wait for): the answer of the trigger, or of a get of the run adopted.
    answer: ApiResponse
    #: The live run found before triggering, attached to instead of triggering.
    attached: dict[str, Any] | None = None
    #: Our own run, triggered and then found redundant: a live run older than it existed.
    redundant: int | None = None
    #: Why cancelling the redundant run failed (then it is kept and reported instead).
    cancel_failed: str | None = None


def trigger_or_share(client: DbtCloudClient, trigger: JobRun) -> SharedRun:
    """Trigger the job unless a run of it is live already, so that invocations at once end with one run.

    Look for a live run and attach to the oldest; if there is none, trigger, then look again: when
    a live run older than ours exists, another invocation won the race, so ours is cancelled (it
    is queued behind that run, since runs of a job run one at a time) and the older one adopted.
    Every step is an ordinary API call, so this holds against dbt Cloud as against the local runner.
    """
    from dbt_cloud.errors import DbtCloudError

    account_id, job_id = trigger.account_id, trigger.job_id
    live = oldest_live_run_of_job(client, account_id, job_id)
    if live is not None:
        return SharedRun(get_run(client, account_id, int(live["id"])), attached=live)
    answer = client.send(trigger)
    ours = run_of(answer).get("id")
    if not isinstance(ours, int):
        return SharedRun(answer)
    oldest = oldest_live_run_of_job(client, account_id, job_id)
    if oldest is None or int(oldest["id"]) >= ours:
        return SharedRun(answer)
    try:
        cancel_run(client, account_id, ours)
    except DbtCloudError as error:
        return SharedRun(answer, redundant=ours, cancel_failed=str(error))
    return SharedRun(get_run(client, account_id, int(oldest["id"])), attached=oldest, redundant=ours)
