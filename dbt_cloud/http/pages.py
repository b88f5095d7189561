"""Paging, written once: where the next page of a list starts, which items are new, and the one
answer that stands for all pages. The sync and async clients (`send_all`) and the typed client's
pagers (`cloud.run.list()`) walk lists with it.

A page steps by what the server served (it may cap pages below the size asked for), the walk
stops at the total, or at a short page when there is no total, and an item that moved across a
page boundary while we paged is kept once.
"""

from __future__ import annotations

from typing import Any

from dbt_cloud.errors import InvalidResponseError
from dbt_cloud.events import PageFetched
from dbt_cloud.http.response import ApiResponse

MAX_PAGE_SIZE = 100


class PageWalk:
    """One walk over a list, from the `offset` and `limit` of its first request."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.offset = int(params.get("offset") or 0)
        self.size = min(int(params.get("limit") or MAX_PAGE_SIZE), MAX_PAGE_SIZE)
        self.total: int | None = None
        self.done = False
        self._seen: set[Any] = set()

    def params(self, params: dict[str, Any], offset: int | None = None) -> dict[str, Any]:
        """The query of the page at `offset` (the next one by default)."""
        return {**params, "limit": self.size, "offset": self.offset if offset is None else offset}

    def take(self, answer: ApiResponse, *, offset: int | None = None) -> tuple[PageFetched, list[Any]]:
        """A page's items not seen before, and the event that reports it. Without `offset` the page
        is the next one of the walk, which then moves on by what it served."""
        items = answer.data
        if not isinstance(items, list):
            raise InvalidResponseError("The list answer has no list in 'data'; it cannot be paged")
        at = self.offset if offset is None else offset
        event = PageFetched(offset=at, count=len(items), total_count=answer.total_count)
        if offset is None:
            self.total = answer.total_count
            self.offset += len(items)
            if self.total is not None:
                self.done = not items or self.offset >= self.total
            else:
                self.done = len(items) < self.size
            if self.total is not None and 0 < len(items) < self.size and not self.done:
                self.size = len(items)  # the server caps pages below what we asked: step by its size
        return event, self._fresh(items)

    def planned(self) -> range:
        """After the first page, when the total is known: the offsets of every other page, to fetch
        them at once."""
        if self.done or self.total is None:
            return range(0)
        return range(self.offset, self.total, self.size)

    def _fresh(self, items: list[Any]) -> list[Any]:
        fresh = []
        for item in items:
            key = item.get("id") if isinstance(item, dict) else None
            if key is not None:
                if key in self._seen:
                    continue
                self._seen.add(key)
            fresh.append(item)
        return fresh


def all_pages(first: ApiResponse, items: list[Any], total: int | None) -> ApiResponse:
    """One answer holding every item, shaped like a page (`extra.pagination` counts them all)."""
    document = dict(first.document)
    extra = dict(document.get("extra") or {})
    filters = dict(extra.get("filters") or {})
    filters.pop("limit", None)
    filters.pop("offset", None)
    if "filters" in extra:
        extra["filters"] = filters
    extra["pagination"] = {"count": len(items), "total_count": total if total is not None else len(items)}
    document["data"] = items
    document["extra"] = extra
    return ApiResponse(document=document, status_code=first.status_code)
