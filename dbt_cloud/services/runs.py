"""The requests about runs that several composites send: get one (with its steps), cancel one, find
the run of a job that is still going. The facts read off the answers are in dbt_cloud.api.runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dbt_cloud.api.runs import IN_PROGRESS
from dbt_cloud.errors import InvalidResponseError

if TYPE_CHECKING:
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


def active_run_of_job(client: DbtCloudClient, account_id: int, job_id: int) -> dict[str, Any] | None:
    """The newest run of the job that is queued, starting or running, if any.

    Asked once per status with the single-status filter every API version takes, newest first,
    one run each; the newest of those is the one to attach to.
    """
    from dbt_cloud.api.operations.run import RunList, RunStatus

    found: list[dict[str, Any]] = []
    for status in IN_PROGRESS:
        query = RunList(account_id=account_id, job_id=job_id, status=RunStatus(status), order_by="-id", limit=1)
        data = client.send(query).data
        if isinstance(data, list):
            found.extend(run for run in data if isinstance(run, dict) and run.get("status") in IN_PROGRESS)
    return max(found, key=lambda run: int(run.get("id") or 0), default=None)
