"""The HTTP side: webhook routes any channel can use, and the one server that carries them."""

import asyncio
import hmac
import json
import logging
import socket
from collections.abc import Callable

import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.channels.base import Keep, Payload
from storage.db import StoreUnavailableError

log = logging.getLogger(__name__)
MAX_BODY = 1 << 20  # bytes; a platform's update is a few kilobytes
# body -> (update id, payload to keep), None to acknowledge and ignore; ValueError: malformed
Parse = Callable[[object], tuple[str, Payload] | None]
Kept = Callable[[str, Payload], None]


def webhook_route(
    path: str,
    channel: str,
    header: str,
    secret: str,
    parse: Parse,
    keep: Keep,
    kept: Kept | None = None,
) -> Route:
    """POST `path`: the secret header is checked first (403, nothing read), the body is
    bounded (413) and parsed (400), and 200 is answered only once the update is committed to
    the inbox; 503 while the database is away, so the platform sends it again. `kept` is
    called for an update that was new (a button's spinner to stop, say)."""

    async def receive(request: Request) -> Response:
        given = request.headers.get(header, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return PlainTextResponse("forbidden", status_code=403)
        body = await _bounded_body(request)
        if body is None:
            return PlainTextResponse("too large", status_code=413)
        try:
            parsed = parse(json.loads(body))
        except (ValueError, UnicodeDecodeError, RecursionError):
            return PlainTextResponse("bad request", status_code=400)
        if parsed is None:
            return Response(status_code=200)
        return await _keep_one(keep, channel, parsed, kept)

    return Route(path, receive, methods=["POST"])


async def _keep_one(
    keep: Keep, channel: str, parsed: tuple[str, Payload], kept: Kept | None
) -> Response:
    """200 once committed; 503 while the database is away (the platform retries); 500
    for anything else, logged by type only (an error's text may quote the update)."""
    try:
        new = await keep(channel, [parsed])
    except StoreUnavailableError:
        return PlainTextResponse("try again", status_code=503)
    except Exception as error:
        log.error("a %s update could not be kept: %s", channel, type(error).__name__)
        return PlainTextResponse("server error", status_code=500)
    if new and kept is not None:
        kept(*parsed)
    return Response(status_code=200)


async def _bounded_body(request: Request) -> bytes | None:
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY:
        return None
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return None
    except ClientDisconnect:
        return b""
    return bytes(body)


class HttpServer:
    """uvicorn inside our event loop, started and stopped with the rest of the bot. The
    port is opened with SO_REUSEPORT where the system has it, so several workers on one
    machine (`cdht run --workers N`) listen on the same port and the kernel spreads the
    connections over them."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        # log_config=None: uvicorn logs through our handler and filters (bot/logs.py), so a
        # server traceback carries no request body.
        config = uvicorn.Config(
            app, host=host, port=port, log_level="warning", log_config=None, lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None
        self._address = (host, port)

    async def start(self) -> None:
        """Listen; raises OSError when the port cannot be opened."""
        listening = shared_socket(*self._address)
        self._task = asyncio.create_task(self._server.serve(sockets=[listening]))
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


def shared_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket that other processes may bind too (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if hasattr(socket, "SO_REUSEPORT"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock
