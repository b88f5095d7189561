"""A bug's 500 answers the request and nothing more: the kept-alive connection stays open.

Starlette's ServerErrorMiddleware sends the 500 the app's handler built, then raises the error
again "so that it can be logged by the server". uvicorn then logs it a second time and closes the
connection, unannounced: the client's next request on it fails with a read error, a fault the
client did not cause. The app's handler has logged the error already, so once the answer is sent in
full the error is dropped here; an error before any answer goes on to uvicorn as before.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class AnsweredErrors:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        answered = False

        async def watch(message: Message) -> None:
            nonlocal answered
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                answered = True

        try:
            await self.app(scope, receive, watch)
        except Exception:
            if not answered:
                raise
