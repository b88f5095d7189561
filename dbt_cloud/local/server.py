"""Starting the local runner: open the store, recover runs a dead server left behind, start the
scheduler, and serve the API with uvicorn on a socket we bind ourselves (so `--port 0` can tell
which port it got before the first request)."""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import socket
import sys
from pathlib import Path
from typing import TextIO

import uvicorn

from dbt_cloud.local.activity import show_on, stopped
from dbt_cloud.local.answered_errors import AnsweredErrors
from dbt_cloud.local.app import create_app
from dbt_cloud.local.bootstrap import database_path, ensure_account
from dbt_cloud.local.executor import Executor
from dbt_cloud.local.files import atomic_write
from dbt_cloud.local.paths import CanonicalPaths
from dbt_cloud.local.store import Store

log = logging.getLogger("dbt_cloud.local")


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, not left 0: asyncio sets TCP_NODELAY on each accepted connection only when
    # the socket says it is TCP. Without it, Nagle holds back the body uvicorn writes after the
    # headers until the client's delayed ACK, 40 ms later, on every request of a kept-alive connection.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(
    data_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8765,
    concurrency: int | None = None,
    announce: TextIO = sys.stdout,
    activity: TextIO | None = sys.stderr,
    quiet: bool = False,
) -> None:
    """Serve until interrupted. `announce` gets the URL (and a first token); `activity` a line per
    run started and ended and one on shutdown (none with `quiet`), and the errors the runner logs."""
    if activity is not None:
        show_on(activity, quiet=quiet)
    data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(database_path(data_dir))
    account_id, created = ensure_account(store)
    first_token = store.create_token(account_id, "first start") if created or not store.tokens() else None
    executor = Executor(store, data_dir, concurrency or os.cpu_count() or 1)
    sock = bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    url = f"http://{bound_host if ':' not in bound_host else f'[{bound_host}]'}:{bound_port}"
    executor.start()
    _write_server_file(data_dir, url)
    print(f"dbt-cloud local runner listening on {url} (data in {data_dir})", file=announce, flush=True)
    if not _loopback(bound_host):
        print(
            f"Warning: {host} is not a loopback address: the API is reachable from other machines on the network"
            " (anyone with a token can run dbt here). Serve on 127.0.0.1 to keep it to this machine.",
            file=announce,
            flush=True,
        )
    if first_token is not None:
        print(f"Account {account_id} created. Its API token (shown once): {first_token}", file=announce, flush=True)
    app = create_app(store, executor, data_dir)
    events = app.state.events  # webhooks and job triggers, while the runner serves
    events.start()
    served = AnsweredErrors(CanonicalPaths(app))
    config = uvicorn.Config(served, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        events.stop()
        cancelled = executor.stop()
        (data_dir / "server.json").unlink(missing_ok=True)
        store.close()
        stopped(cancelled)


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _write_server_file(data_dir: Path, url: str) -> None:
    # Lets `dbt-cloud local` commands and scripts find a running server.
    with atomic_write(data_dir / "server.json") as handle:
        handle.write(json.dumps({"url": url, "pid": os.getpid()}).encode())
