"""Files people receive as links (Zalo cannot upload documents, and fetches photos by URL).

A link names the file under the reports folder, an expiry and an HMAC of both, so it cannot
be guessed or altered, needs no table, and stays valid for LINK_DAYS (the platform may fetch
a photo more than once, and a leader may open last week's report)."""

import asyncio
import hashlib
import hmac
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from conversations.ports import Clock

LINK_DAYS = 8
PREFIX = "/files"


def link_key(secret: str) -> bytes:
    """The signing key, derived from a secret the operator already keeps (a bot token)."""
    return hashlib.sha256(b"cdht-files:" + secret.encode()).digest()


def signed_link(public_url: str, folder: Path, path: str, key: bytes, now: datetime) -> str | None:
    """The public URL of `path` (a file inside `folder`), or None when it lies elsewhere."""
    try:
        relative = Path(path).resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return None
    expires = int((now + timedelta(days=LINK_DAYS)).timestamp())
    signature = _sign(key, expires, relative)
    return f"{public_url.rstrip('/')}{PREFIX}/{expires}/{signature}/{quote(relative)}"


def files_route(folder: Path, key: bytes, clock: Clock) -> Route:
    """GET /files/<expires>/<signature>/<path>: the file while the link is valid, else 404."""

    async def serve(request: Request) -> Response:
        expires, signature = request.path_params["expires"], request.path_params["signature"]
        relative = request.path_params["path"]
        valid = hmac.compare_digest(signature, _sign(key, expires, relative))
        if not valid or expires < clock.now().timestamp():
            return PlainTextResponse("not found", status_code=404)
        target = await asyncio.to_thread(_inside, folder, relative)
        if target is None:
            return PlainTextResponse("not found", status_code=404)
        return FileResponse(target, filename=target.name)

    return Route(f"{PREFIX}/{{expires:int}}/{{signature}}/{{path:path}}", serve, methods=["GET"])


def _inside(folder: Path, relative: str) -> Path | None:
    """The file, when it exists inside the folder (no "../" way out)."""
    root = folder.resolve()
    target = (root / relative).resolve()
    return target if target.is_relative_to(root) and target.is_file() else None


def _sign(key: bytes, expires: int, relative: str) -> str:
    message = f"{expires}:{relative}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
