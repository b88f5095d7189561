"""A checked answer of the API, as every client returns it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ApiResponse:
    """A checked answer: `document` is the whole JSON body as the server sent it (the envelope)."""

    document: Any
    status_code: int

    @property
    def data(self) -> Any:
        if isinstance(self.document, dict):
            return self.document.get("data")
        return self.document

    @property
    def total_count(self) -> int | None:
        if not isinstance(self.document, dict):
            return None
        extra = self.document.get("extra") or {}
        pagination = extra.get("pagination") if isinstance(extra, dict) else None
        total = pagination.get("total_count") if isinstance(pagination, dict) else None
        return total if isinstance(total, int) else None
