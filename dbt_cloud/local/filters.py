"""Query parameters of list endpoints: paging, ordering, related objects, and field filters in the
API's Django style (`project_id=1`, `project_id__in=[1,2]`, `name__icontains=nightly`, `pk__gt=10`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

#: The most items a page holds; a larger `limit` is capped, as the service does.
MAX_LIMIT = 100
#: Fields the list endpoints filter on. Unknown parameters are ignored, as the service ignores them.
FILTERABLE = {
    "pk",
    "id",
    "name",
    "state",
    "project_id",
    "environment_id",
    "job_definition_id",
    "dbt_version",
    "type",
    "job_type",
    "deployment_type",
    "email",
}
RESERVED = {"limit", "offset", "order_by", "include_related"}


class FilterError(ValueError):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass
class ListQuery:
    limit: int = MAX_LIMIT
    offset: int = 0
    order_by: str = "id"
    include_related: set[str] = field(default_factory=set)
    filters: dict[str, str] = field(default_factory=dict)


def list_values(value: str) -> list[str]:
    """`a,b`, `["a","b"]` or `['a', 'b']`: the API takes list parameters in each of these forms."""
    parts = (part.strip().strip("'\"") for part in value.strip("[]").split(","))
    return [part for part in parts if part]


def parse_include_related(value: str | None) -> set[str]:
    """The related objects asked for, in any of the forms `list_values` reads."""
    return set(list_values(value)) if value else set()


def parse_list_query(request: Request, default_order: str = "id") -> ListQuery:
    params = request.query_params
    query = ListQuery(order_by=params.get("order_by") or default_order)
    query.include_related = parse_include_related(params.get("include_related"))
    query.limit = min(MAX_LIMIT, _non_negative(params, "limit", MAX_LIMIT)) or MAX_LIMIT
    query.offset = _non_negative(params, "offset", 0)
    query.filters = {
        name: value for name, value in params.items() if name not in RESERVED and name.split("__")[0] in FILTERABLE
    }
    return query


def _non_negative(params: Any, name: str, default: int) -> int:
    text = params.get(name)
    if text in (None, ""):
        return default
    try:
        value = int(text)
    except ValueError:
        raise FilterError(name, f"A valid integer is required, got {text!r}.") from None
    if value < 0:
        raise FilterError(name, "Ensure this value is greater than or equal to 0.")
    return value


def apply_filters(items: list[dict[str, Any]], query: ListQuery) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Items matching the query's filters, in its order, and the filters as `extra.filters` echoes them."""
    chosen = items
    for parameter, value in query.filters.items():
        name, _, lookup = parameter.partition("__")
        key = "id" if name == "pk" else name
        chosen = [item for item in chosen if _matches(item.get(key), lookup, value)]
    descending = query.order_by.startswith("-")
    key = query.order_by.lstrip("-") or "id"
    chosen = sorted(chosen, key=lambda item: _sort_key(item.get(key)), reverse=descending)
    return chosen, dict(query.filters)


def _matches(actual: Any, lookup: str, expected: str) -> bool:
    if lookup == "in":
        return _text(actual) in set(list_values(expected))
    if lookup == "icontains":
        return expected.lower() in _text(actual).lower()
    if lookup in ("gt", "gte", "lt", "lte"):
        try:
            left, right = float(actual), float(expected)
        except (TypeError, ValueError):
            return False
        return {"gt": left > right, "gte": left >= right, "lt": left < right, "lte": left <= right}[lookup]
    return _text(actual) == expected or (isinstance(actual, bool) and expected.lower() == str(actual).lower())


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, int | float):
        return (1, value)
    return (2, str(value))
