"""Paths as dbt Cloud serves them: with or without the trailing slash, answered directly.

The routes are written once, in their canonical form (`/runs/{id}/`, with the slash). dbt Cloud
answers `/runs/{id}` as well, and clients rely on it: dbt-cloud-cli 0.9.1 asks for
`/api/v3/accounts/1/projects`. Starlette's own answer to the slash-less form is a 307 redirect,
which `requests` follows without the `Authorization` header whenever the scheme or host of the
redirect differs (behind a proxy, always), so the client sees `401 Invalid token.` Here a path
that no route matches as it is, but whose form with the slash added does, is rewritten to that
form before routing. Paths that match as they are (artifacts: `/artifacts/manifest.json`) are
left alone, and the route table stays the one source of what exists.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Match
from starlette.types import Receive, Scope, Send


class CanonicalPaths:
    """ASGI middleware in front of a Starlette app's routing; see the module's docstring."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        # The slash-less form is now answered, so Starlette must never redirect to it.
        app.router.redirect_slashes = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].endswith("/") and not self._matches(scope):
            canonical = {**scope, "path": scope["path"] + "/"}
            if "raw_path" in scope and scope["raw_path"] is not None:
                canonical["raw_path"] = scope["raw_path"] + b"/"
            if self._matches(canonical):
                scope = canonical
        await self.app(scope, receive, send)

    def _matches(self, scope: Scope) -> bool:
        # A partial match is the path with another method: its answer (405) belongs to the canonical form too.
        return any(route.matches(scope)[0] is not Match.NONE for route in self.app.router.routes)
