"""`POST /graphql`: the Discovery API's one endpoint.

Authenticated as the Administrative API is (`Token` or `Bearer`), answered whatever the Host header
says (clients reach it as `metadata.<host>`). Everything a query can get wrong is a GraphQL error in
the answer (`{"errors": [...]}`), never a 500: a body that is not JSON answers 400, a bad token 401.
The work (SQLite, reading artifacts, executing the query) runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from ariadne import graphql_sync
from graphql import GraphQLError, GraphQLSchema
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dbt_cloud.local.discovery.resolvers import build_schema
from dbt_cloud.local.discovery.state import AppliedStates, NotFoundError
from dbt_cloud.local.store import Store

log = logging.getLogger("dbt_cloud.local")

#: A query document is a few kilobytes; this bounds what one request may make the server parse.
MAX_BODY_BYTES = 1024 * 1024


def _answer(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status_code=status, media_type="application/json")


def _errors(message: str, status: int) -> Response:
    # The Administrative API's envelope beside GraphQL's errors, so either kind of client reads it.
    envelope = {"code": status, "is_success": False, "user_message": message, "developer_message": ""}
    return _answer({"data": None, "errors": [{"message": message}], "status": envelope}, status)


def _format_error(error: GraphQLError, debug: bool = False) -> dict[str, Any]:
    original = error.original_error
    if original is not None and not isinstance(original, NotFoundError | GraphQLError | ValueError):
        log.error("error answering a Discovery query", exc_info=original)
    formatted: dict[str, Any] = dict(error.formatted)
    return formatted


class DiscoveryApi:
    def __init__(self, store: Store, data_dir: Path) -> None:
        self.store = store
        self.states = AppliedStates(store, data_dir)
        self._schema: GraphQLSchema | None = None

    @property
    def schema(self) -> GraphQLSchema:
        if self._schema is None:
            self._schema = build_schema()
        return self._schema

    def account_of(self, request: Request) -> int | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() not in ("token", "bearer") or not token.strip():
            return None
        return self.store.account_of_token(token.strip())

    def execute(self, account_id: int, data: Any) -> tuple[bool, Any]:
        context = {"states": self.states, "account_id": account_id}
        success, result = graphql_sync(
            self.schema, data, context_value=context, error_formatter=_format_error, debug=False
        )
        return success, result

    async def respond(self, request: Request) -> Response:
        raw = await _read_body(request)
        if raw is None:
            return _errors(
                f"The request body is larger than the {MAX_BODY_BYTES // 1024} KiB this server accepts.", 413
            )
        account_id = await run_in_threadpool(self.account_of, request)
        if account_id is None:
            return _errors("Invalid token.", 401)
        try:
            data = json.loads(raw) if raw else None
        except ValueError as error:
            return _errors(f"The request body is not valid JSON: {error}", 400)
        if not isinstance(data, dict) or not isinstance(data.get("query"), str):
            return _errors("The request body must be a JSON object with the GraphQL query in 'query'.", 400)
        _, result = await run_in_threadpool(self.execute, account_id, data)
        # Parse and validation errors, like execution errors, are GraphQL's own answer: 200 with
        # `errors`, so a client shows the message rather than an HTTP failure.
        return _answer(result)


async def _read_body(request: Request) -> bytes | None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def discovery_routes(store: Store, data_dir: Path) -> list[Route]:
    """The Discovery API's routes, to add to the runner's application."""
    api = DiscoveryApi(store, data_dir)
    return [Route(path, api.respond, methods=["POST"]) for path in ("/graphql", "/graphql/")]
