"""A bug's 500 answers its request and ends there: the error does not go on to the server, which
would log it again and close the kept-alive connection under the client's next request."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dbt_cloud.local.answered_errors import AnsweredErrors


def failing_app() -> Starlette:
    async def broken(request: Request) -> Response:
        raise ValueError("a bug")

    async def crashed(request: Request, error: Exception) -> Response:
        return JSONResponse({"status": {"code": 500}}, status_code=500)

    return Starlette(routes=[Route("/broken/", broken)], exception_handlers={Exception: crashed})


async def get(app: object, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://runner") as client:  # type: ignore[arg-type]
        return await client.get(path)


def test_the_error_stops_once_its_500_is_answered() -> None:
    response = asyncio.run(get(AnsweredErrors(failing_app()), "/broken/"))
    assert response.status_code == 500
    assert response.json() == {"status": {"code": 500}}


def test_without_it_starlette_raises_the_error_again_after_answering() -> None:
    with pytest.raises(ValueError, match="a bug"):
        asyncio.run(get(failing_app(), "/broken/"))


def test_an_error_before_any_answer_still_reaches_the_server() -> None:
    async def app(scope: object, receive: object, send: object) -> None:
        raise RuntimeError("before the answer")

    with pytest.raises(RuntimeError, match="before the answer"):
        asyncio.run(get(AnsweredErrors(app), "/"))
