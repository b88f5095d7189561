"""Query parameters of list endpoints as dbt Cloud reads them: paging (`limit` at most 100,
`offset`), `order_by` (`-id`), and field filters in the API's Django style: `project_id=1`,
`project_id__in=[1,2]` (or `1,2`, or the key repeated), `name__icontains=nightly`, `pk__gt=10`,
`finished_at__range=["2026-01-01","2026-02-01"]`.

An empty value (`include_related=`) is no filter. A parameter that names no field of the resource
is refused (400 naming it) rather than silently matching everything.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING, Any

from dbt_cloud.local.http import Call, integer, invalid

if TYPE_CHECKING:
    from dbt_cloud.local.spec import Operation

#: The most items a page holds; a larger `limit` is capped, as the service does.
MAX_LIMIT = 100
#: Parameters that are not filters.
RESERVED = {"limit", "offset", "order_by", "include_related", "format"}
LOOKUPS = {"exact", "iexact", "in", "icontains", "contains", "gt", "gte", "lt", "lte", "range", "isnull", "startswith"}
#: Names the API accepts for a field besides the field's own.
ALIASES = {"pk": "id", "job_definition_id": "job_definition_id"}


def paging(call: Call) -> tuple[int, int]:
    limit = _non_negative(call, "limit", MAX_LIMIT)
    return min(MAX_LIMIT, limit) or MAX_LIMIT, _non_negative(call, "offset", 0)


def order_of(call: Call, default: str = "id") -> str:
    return call.param("order_by") or default


def filters_of(call: Call, known_fields: set[str], declared: set[str]) -> list[tuple[str, str, str, list[str]]]:
    """(parameter, field, lookup, values) of each filter of the call; 400 for one naming no field."""
    found: dict[str, tuple[str, str, str, list[str]]] = {}
    for parameter, _ in call.query:
        if parameter in RESERVED or parameter in found:
            continue
        values = call.values(parameter) if parameter.endswith(("__in", "__range")) else _plain(call, parameter)
        if not values:
            continue
        name, _, lookup = parameter.partition("__")
        field = ALIASES.get(name, name)
        lookup = lookup or ("in" if len(values) > 1 else "exact")
        if lookup not in LOOKUPS or (field not in known_fields and parameter not in declared):
            raise invalid({parameter: [f"Unknown filter {parameter!r}: this list cannot be filtered by it."]})
        found[parameter] = (parameter, field, lookup, values)
    return list(found.values())


def _plain(call: Call, parameter: str) -> list[str]:
    return [value for key, value in call.query if key == parameter and value != ""]


def select(
    items: list[dict[str, Any]], call: Call, op: Operation | None = None, fields: set[str] | None = None
) -> tuple[list[Any], int, Any]:
    """One page of the items matching the call's filters, in its order; the total; `extra`.
    `fields` names what the items may hold (their schema's properties), so an empty list still
    tells a field from a parameter that names none."""
    known = set().union(*(item.keys() for item in items)) if items else set()
    known |= fields or set()
    declared = set(op.query_params) if op is not None else set()
    known |= {name.partition("__")[0] for name in declared} | {"id", "state"}
    chosen = items
    echo: dict[str, Any] = {}
    for parameter, field, lookup, values in filters_of(call, known, declared):
        chosen = [item for item in chosen if matches(item.get(field), lookup, values, parameter)]
        echo[parameter] = values if lookup in ("in", "range") else values[-1]
    order = order_of(call)
    chosen = ordered(chosen, order, known)
    limit, offset = paging(call)
    page = chosen[offset : offset + limit]
    return page, len(chosen), extra_of(echo, order, limit, offset, len(page), len(chosen))


def extra_of(echo: dict[str, Any], order: str, limit: int, offset: int, count: int, total: int) -> dict[str, Any]:
    return {
        "filters": {**echo, "limit": limit, "offset": offset},
        "order_by": order,
        "pagination": {"count": count, "total_count": total},
    }


def ordered(items: list[dict[str, Any]], order: str, known: set[str]) -> list[dict[str, Any]]:
    result = items
    for key in reversed([part.strip() for part in order.split(",") if part.strip()]):
        name = ALIASES.get(key.lstrip("-"), key.lstrip("-"))
        if name not in known:
            raise invalid({"order_by": [f"Cannot order by {key!r}."]})
        result = sorted(result, key=partial(_field_key, name), reverse=key.startswith("-"))
    return result


def matches(actual: Any, lookup: str, values: list[str], parameter: str) -> bool:
    if lookup == "isnull":
        return (actual is None) == (values[-1].lower() in ("true", "1"))
    if lookup == "range":
        if len(values) != 2:
            raise invalid({parameter: ["A range takes two values: the start and the end."]})
        low, high = (_comparable(actual, value, parameter)[1] for value in values)
        value = _own(actual)
        return value is not None and _ordered(low, value) and _ordered(value, high)
    if lookup in ("gt", "gte", "lt", "lte"):
        _, bound = _comparable(actual, values[-1], parameter)
        value = _own(actual)
        if value is None:
            return False
        if lookup in ("gt", "gte"):
            return _ordered(bound, value) and (lookup == "gte" or value != bound)
        return _ordered(value, bound) and (lookup == "lte" or value != bound)
    if lookup == "icontains":
        return values[-1].lower() in _text(actual).lower()
    if lookup == "contains":
        return values[-1] in _text(actual)
    if lookup == "startswith":
        return _text(actual).startswith(values[-1])
    if lookup == "iexact":
        return _text(actual).lower() == values[-1].lower()
    wanted = values if lookup == "in" else values[-1:]
    if isinstance(actual, int) and not isinstance(actual, bool):
        return actual in {integer(parameter, value) for value in wanted}
    if isinstance(actual, bool):
        return any(str(actual).lower() == value.lower() or value == str(int(actual)) for value in wanted)
    return _text(actual) in set(wanted)


def _ordered(low: Any, high: Any) -> bool:
    """`low <= high`, false where the two cannot be compared (a number and a moment)."""
    try:
        return bool(low <= high)
    except TypeError:
        return False


def _own(actual: Any) -> Any:
    if isinstance(actual, bool) or actual is None:
        return None
    if isinstance(actual, int | float):
        return float(actual)
    return _timestamp(str(actual))


def _comparable(actual: Any, text: str, parameter: str) -> tuple[str, Any]:
    """The bound in the type of the field: a number for numbers, else a moment in time."""
    if isinstance(actual, int | float) and not isinstance(actual, bool):
        try:
            return "number", float(text)
        except ValueError:
            raise invalid({parameter: [f"A valid number is required, got {text!r}."]}) from None
    moment = _timestamp(text)
    if moment is None:
        try:
            return "number", float(text)
        except ValueError:
            raise invalid({parameter: [f"Enter a valid date/time, got {text!r}."]}) from None
    return "moment", moment


def _timestamp(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _non_negative(call: Call, name: str, default: int) -> int:
    text = call.param(name)
    if text is None:
        return default
    value = integer(name, text)
    if value < 0:
        raise invalid({name: ["Ensure this value is greater than or equal to 0."]})
    return value


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _field_key(name: str, item: dict[str, Any]) -> tuple[int, Any]:
    return _sort_key(item.get(name))


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, int | float):
        return (1, value)
    return (2, str(value))
