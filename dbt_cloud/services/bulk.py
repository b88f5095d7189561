"""One change applied to many items (`job delete-all`, `run cancel-all`): every item tried even
when some fail, each with its outcome (done, skipped, failed), reported in the order listed.

The items are listed in full (every page) before anything changes, so deleting never shifts the
pages being read.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dbt_cloud.errors import DbtCloudError

if TYPE_CHECKING:
    from dbt_cloud.http.response import ApiResponse

#: Changes sent at once: a fraction of dbt Cloud's rate limit, enough to hide the latency.
BULK_WORKERS = 4


class Outcome(str, enum.Enum):
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class BulkItem:
    id: int
    label: str
    #: Why the item is left alone (kept, already finished), or None to act on it.
    skip_reason: str | None = None


@dataclass(frozen=True)
class BulkResult:
    item: BulkItem
    outcome: Outcome
    detail: str = ""
    #: The API's answer for a done item.
    document: Any = None


def apply_to_each(
    items: Sequence[BulkItem],
    act: Callable[[BulkItem], ApiResponse],
    *,
    on_result: Callable[[BulkResult], None] | None = None,
    workers: int = BULK_WORKERS,
) -> list[BulkResult]:
    """Act on every item not skipped, a few at a time; an item that fails is reported and the
    rest go on. `on_result` hears each result in the order of `items`."""

    def one(item: BulkItem) -> BulkResult:
        if item.skip_reason is not None:
            return BulkResult(item, Outcome.SKIPPED, item.skip_reason)
        try:
            answer = act(item)
        except DbtCloudError as exc:
            return BulkResult(item, Outcome.FAILED, exc.one_line())
        return BulkResult(item, Outcome.DONE, document=answer.document)

    results: list[BulkResult] = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for result in pool.map(one, items):
            results.append(result)
            if on_result is not None:
                on_result(result)
    return results


def counts(results: Sequence[BulkResult]) -> dict[Outcome, int]:
    tally = dict.fromkeys(Outcome, 0)
    for result in results:
        tally[result.outcome] += 1
    return tally
