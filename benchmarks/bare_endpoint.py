"""The floor of the local runner's API for benchmarks/load.py: a bare Starlette app under uvicorn,
as the runner is served, answering each kind of request with the bytes the runner answered it
with (recorded once), and nothing else: no auth, no database, no envelope to build.

    python benchmarks/bare_endpoint.py PORT ANSWERS.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def app_for(answers: dict[str, str]) -> Starlette:
    bodies = {kind: body.encode() for kind, body in answers.items()}

    async def answer(request: Request) -> Response:
        path = request.url.path
        kind = "list runs" if path.endswith("/runs/") else "get run" if "/runs/" in path else "get job"
        return Response(bodies[kind], media_type="application/json")

    return Starlette(routes=[Route("/{path:path}", answer)])


if __name__ == "__main__":
    port, answers = int(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text())
    uvicorn.run(app_for(answers), host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")
