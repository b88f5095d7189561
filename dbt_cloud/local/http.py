"""HTTP plumbing of the local runner: the API's envelope and errors, reading a request body, and the
`Call` every handler gets (path and query parameters, the parsed body, the caller's account).

Handlers are plain functions run in a thread pool (`app.py`), so SQLite and file reads never block
the event loop; only reading the body happens on the loop, before the handler starts, so an update
applies to the stored row as it is once the whole body has arrived.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

#: The largest request body accepted (a job definition is a few kilobytes).
MAX_BODY_BYTES = 1024 * 1024
#: How deep a body may nest: the specs' deepest request schema is a few levels; more is an attack.
MAX_BODY_DEPTH = 64
#: SQLite's INTEGER and dbt Cloud's ids are 64-bit signed.
MAX_ID = 2**63 - 1
INVALID_MESSAGE = "The request was invalid. Please double check the provided data and try again."


class ApiError(Exception):
    def __init__(self, status: int, message: str, data: Any = None, developer_message: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.data = data
        self.developer_message = developer_message


def not_found(what: str) -> ApiError:
    return ApiError(404, "The requested resource was not found.", developer_message=f"{what} does not exist.")


def invalid(errors: dict[str, list[str]]) -> ApiError:
    """A 400 as dbt Cloud answers a bad body: each field named, with its messages, in `data`."""
    return ApiError(400, INVALID_MESSAGE, data=errors, developer_message="; ".join(_lines(errors)))


def _lines(errors: dict[str, list[str]]) -> Iterator[str]:
    for name, messages in errors.items():
        yield f"{name}: {' '.join(messages)}"


def envelope(data: Any, status: int = 200, message: str = "Success!", extra: Any = None, developer: str = "") -> Any:
    body: dict[str, Any] = {
        "status": {"code": status, "is_success": status < 400, "user_message": message, "developer_message": developer},
        "data": data,
    }
    if extra is not None:
        body["extra"] = extra
    return body


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status_code=status, media_type="application/json")


def error_response(error: ApiError) -> Response:
    return json_response(
        envelope(error.data, error.status, error.message, developer=error.developer_message), error.status
    )


@dataclass
class Call:
    """One request as a handler sees it."""

    method: str
    path: str
    path_params: dict[str, Any]
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: Any
    base_url: str
    account_id: int = 0

    def param(self, name: str) -> str | None:
        """The last non-empty value of a query parameter (`include_related=` means not given)."""
        values = [value for key, value in self.query if key == name and value != ""]
        return values[-1] if values else None

    def values(self, name: str) -> list[str]:
        """Every value of a query parameter, given as several keys, `a,b` or a JSON array."""
        found: list[str] = []
        for key, value in self.query:
            if key == name:
                found.extend(list_values(value))
        return found

    def body_object(self) -> dict[str, Any]:
        if self.body is None:
            return {}
        if not isinstance(self.body, dict):
            raise ApiError(400, "The request body must be a JSON object.")
        return self.body


def list_values(value: str) -> list[str]:
    """`a,b`, `["a","b"]`, `[1, 2]` or `['a', 'b']`: the API takes list parameters in each form."""
    text = value.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return [str(item) for item in parsed if item is not None and str(item) != ""]
    parts = (part.strip().strip("'\"") for part in text.strip("[]").split(","))
    return [part for part in parts if part]


async def read_body(request: Request) -> bytes:
    """The raw body, refusing one larger than the server accepts (parsed later, off the event loop)."""
    too_large = ApiError(413, f"The request body is larger than the {MAX_BODY_BYTES // 1024} KiB this server accepts.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():  # counted as it arrives: a missing length is no way around
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def parse_body(raw: bytes) -> Any:
    """The parsed JSON body (None when empty), refusing one nested too deep to handle."""
    if not raw.strip():
        return None
    if raw.count(b"[") + raw.count(b"{") > MAX_BODY_DEPTH and _nesting(raw) > MAX_BODY_DEPTH:
        raise ApiError(400, f"The request body nests deeper than {MAX_BODY_DEPTH} levels.")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise ApiError(400, f"The request body is not valid JSON: {error}") from None


def _nesting(raw: bytes) -> int:
    """How deep brackets nest, counted without parsing (the parser itself recurses)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_BODY_DEPTH:
                return deepest
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def integer(name: str, value: str) -> int:
    """A query parameter read as an id: 400 naming it when it is no integer or out of range."""
    try:
        number = int(value)
    except ValueError:
        raise invalid({name: [f"A valid integer is required, got {value!r}."]}) from None
    if abs(number) > MAX_ID:
        raise invalid({name: [f"Ensure this value is less than or equal to {MAX_ID}."]})
    return number
