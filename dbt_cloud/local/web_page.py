"""The runner's web page: its runs, a run's steps, logs and artifacts, at `/` and at the paths of
dbt Cloud's own run pages (`/deploy/{account}/projects/{project}/runs/{id}/`), which is where the
run URL that `--wait` prints points.

The page is static: one HTML file, a stylesheet and a script shipped in the package (`web/`), no
build step. It holds no data and no token. The script asks for an API token once per browser tab
(kept in `sessionStorage`) and reads the runner's ordinary JSON API with it, the same requests
and the same authentication as any other client: the API grants a browser nothing it would not
grant `curl`.

`GET /` stays the connection probe for programs (JSON); a browser, which asks for `text/html`
first, gets the page.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dbt_cloud.local.http import envelope, json_response

#: Where the page's own files are served (beside the API, never under it).
ASSETS = "/_runner/"

#: The files of the page, by the name they are served under, with their media type.
FILES = {
    "run-page.js": "text/javascript; charset=utf-8",
    "run-page.css": "text/css; charset=utf-8",
}

#: The page loads only its own script and stylesheet and talks only to its own origin; nothing
#: may frame it (the token form must not be overlaid), and no address leaves in a Referer.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


@cache
def _read(name: str) -> bytes:
    return (files("dbt_cloud.local") / "web" / name).read_bytes()


def _page() -> Response:
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-store"}
    return Response(_read("index.html"), media_type="text/html; charset=utf-8", headers=headers)


def wants_html(request: Request) -> bool:
    """A browser navigating asks for `text/html` first; programs (httpx, requests, curl) do not."""
    accept = request.headers.get("accept", "")
    return accept.split(",", 1)[0].strip().lower().startswith("text/html")


async def home(request: Request) -> Response:
    """`GET /`: the page for a browser; for a client probing the host, that the runner is here."""
    if wants_html(request):
        return _page()
    return json_response({"name": "dbt-cloud local runner", "api": ["/api/v2/", "/api/v3/"], "status": "ok"})


async def run_page(request: Request) -> Response:
    """A run's page, or the runs list, at dbt Cloud's paths: the script reads the ids from the path."""
    return _page()


async def asset(request: Request) -> Response:
    name = request.path_params["name"]
    media_type = FILES.get(name)
    if media_type is None:
        return json_response(envelope(None, 404, f"The local runner has no page file {name}."), 404)
    return Response(_read(name), media_type=media_type, headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})


def web_routes() -> list[Route]:
    deploy = "/deploy/{account_id:int}/projects/{project_id:int}"
    return [
        Route("/", home, methods=["GET", "HEAD"]),
        Route(deploy + "/runs/", run_page, methods=["GET", "HEAD"]),
        Route(deploy + "/runs/{run_id:int}/", run_page, methods=["GET", "HEAD"]),
        Route(ASSETS + "{name:str}", asset, methods=["GET", "HEAD"]),
    ]
