"""The HTTP side: an ASGI app that accepts Telegram's webhook calls, and its server."""

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
UpdateSink = Callable[[dict[str, Any]], Awaitable[None]]


def webhook_app(path: str, secret: str, sink: UpdateSink) -> Starlette:
    """POST `path`: checked against the secret first; anything else is refused untouched."""

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            update = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return PlainTextResponse("bad request", status_code=400)
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return PlainTextResponse("bad request", status_code=400)
        await sink(update)
        return Response(status_code=200)

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    routes = [Route(path, receive, methods=["POST"]), Route("/healthz", health, methods=["GET"])]
    return Starlette(routes=routes)


class HttpServer:
    """uvicorn inside our event loop, started and stopped with the rest of the bot."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises the start-up error, e.g. the port is taken
                raise RuntimeError("the HTTP server stopped during start-up")
            await asyncio.sleep(0.01)

    @property
    def port(self) -> int:
        sockets = self._server.servers[0].sockets
        return int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        await self._task
