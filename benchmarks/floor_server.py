"""The floor of benchmarks/load.py: a bare Starlette endpoint served by uvicorn as the runner is
(h11, one process, no access log), answering a fixed JSON body of the size given in bytes. Whatever
the runner spends above this is its own work: auth, the store, the view of a run.

Run as `python floor_server.py SIZE`; it prints `listening on http://127.0.0.1:PORT` once bound."""

from __future__ import annotations

import socket
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def main() -> None:
    size = int(sys.argv[1])
    body = b'{"data": "' + b"x" * max(0, size - 12) + b'"}'

    async def answer(request: Request) -> Response:
        return Response(body, media_type="application/json")

    app = Starlette(routes=[Route("/{path:path}", answer, methods=["GET"])])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
