"""A small async client for the Zalo Bot Platform API, on httpx.

Written from the official Bot Platform docs as summarised in shared/reference/zalo.md §1:
every method is ``POST {api_root}/bot{token}/{method}`` with a JSON body, and every answer is
``{"ok": bool, "result": ..., "error_code": int?, "description": str?}``, where HTTP 2xx alone
is not success. The Python packages for this API are thin or need Python 3.14 (zalo.md §1.6).

Incoming updates, polled or pushed to a webhook, are read by one pure function,
``parse_update``, which accepts the body wrapped in ``{ok, result}`` and bare (both shapes are
seen in the wild, zalo.md §1.3) and returns ``None`` for anything malformed.

Errors are exceptions: ``ZaloRetryAfter`` (429), ``ZaloForbidden`` (401/403), ``ZaloBadRequest``
(other 4xx and unknown codes: final), ``ZaloNetworkError`` (timeouts, connection errors, 5xx:
worth retrying). The bot token is part of every URL, so it is cut out of every error text, and
the client logs neither URLs nor message texts.
"""

import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Self

import httpx

log = logging.getLogger(__name__)

DEFAULT_API_ROOT = "https://bot-api.zaloplatforms.com"
# sendMessage text and sendPhoto caption: 1-2000 characters; longer texts must be split by us.
TEXT_LIMIT = 2000
CAPTION_LIMIT = 2000
# Zalo sends setWebhook's secret_token back in this header with every webhook POST.
SECRET_HEADER = "X-Bot-Api-Secret-Token"
# setWebhook's secret_token must be 8-256 characters.
SECRET_MIN_LENGTH = 8
SECRET_MAX_LENGTH = 256
# Used when a 429 says nothing about how long to wait; no rate limit is published.
DEFAULT_RETRY_AFTER = 5.0
MAX_RETRY_AFTER = 3600.0
# getUpdates answers 408 "Request timeout" when no update came within its timeout.
POLL_TIMEOUT_CODE = 408

_MAX_ID_LENGTH = 64  # ids are short hex strings (and fit our id columns); longer is not an id
_MAX_DESCRIPTION = 300  # characters of Zalo's error text kept in an exception
_MAX_EPOCH_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z, the last date Python holds


class UpdateKind(StrEnum):
    """What a citizen sent. Only TEXT carries an answer; the others get a "please type" reply."""

    TEXT = "text"
    IMAGE = "image"
    STICKER = "sticker"
    VOICE = "voice"
    # Zalo withholds the content for senders in protected groups (children, disabled or
    # illiterate people, ...): the bot gets this event instead of their message.
    UNSUPPORTED = "unsupported"
    OTHER = "other"


EVENT_KINDS = {
    "message.text.received": UpdateKind.TEXT,
    "message.image.received": UpdateKind.IMAGE,
    "message.sticker.received": UpdateKind.STICKER,
    "message.voice.received": UpdateKind.VOICE,
    "message.unsupported.received": UpdateKind.UNSUPPORTED,
}


@dataclass(frozen=True)
class ZaloUpdate:
    """One incoming Zalo message. Ids are strings (Zalo's are hex); ``date`` is aware, in UTC.

    ``text`` is the message text for TEXT updates and ``None`` when the message has none;
    ``photo_url`` and ``caption`` are set for images when Zalo sends them. ``display_name`` is
    personal data: never log it.
    """

    event_name: str
    kind: UpdateKind
    message_id: str
    chat_id: str
    user_id: str
    date: datetime
    # What people wrote and their names stay out of repr(), so out of any log line.
    text: str | None = field(default=None, repr=False)
    chat_type: str = "PRIVATE"
    is_bot: bool = False
    display_name: str | None = field(default=None, repr=False)
    photo_url: str | None = field(default=None, repr=False)
    caption: str | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        """The exactly-once key: Zalo has no update id, and redelivers the same message id."""
        return f"{self.event_name}:{self.message_id}"

    @property
    def private(self) -> bool:
        return self.chat_type.upper() == "PRIVATE"


# --- parsing updates -----------------------------------------------------------------------


def parse_update(body: object) -> ZaloUpdate | None:
    """The update in a getUpdates result or a webhook body, or ``None`` if it is not one.

    Accepts ``{"ok": true, "result": {event_name, message}}`` and the bare
    ``{event_name, message}`` (zalo.md §1.3, §1.4). Required: ``event_name``,
    ``message.message_id``, ``message.from.id``, ``message.chat.id`` and ``message.date``
    (epoch milliseconds); a text event also needs a string ``text``. Never raises, whatever
    JSON value it is given.
    """
    event = _unwrapped(body)
    if event is None:
        return None
    event_name, message = event.get("event_name"), event.get("message")
    if not isinstance(event_name, str) or not event_name or not isinstance(message, dict):
        return None
    sender, chat = message.get("from"), message.get("chat")
    if not isinstance(sender, dict) or not isinstance(chat, dict):
        return None
    kind = EVENT_KINDS.get(event_name, UpdateKind.OTHER)
    message_id, date = _id(message.get("message_id")), _epoch_ms(message.get("date"))
    chat_id, user_id, text = _id(chat.get("id")), _id(sender.get("id")), _text(message.get("text"))
    if message_id is None or chat_id is None or user_id is None or date is None:
        return None
    if kind is UpdateKind.TEXT and text is None:
        return None
    return ZaloUpdate(
        event_name=event_name,
        kind=kind,
        message_id=message_id,
        chat_id=chat_id,
        user_id=user_id,
        date=date,
        text=text,
        chat_type=_text(chat.get("chat_type")) or "PRIVATE",
        is_bot=sender.get("is_bot") is True,
        display_name=_text(sender.get("display_name")),
        photo_url=_photo_url(message) if kind is UpdateKind.IMAGE else None,
        caption=_text(message.get("caption")),
    )


def _unwrapped(body: object) -> dict[str, Any] | None:
    if not isinstance(body, dict):
        return None
    if "event_name" in body:
        return body
    if body.get("ok") is True and isinstance(body.get("result"), dict):
        result: dict[str, Any] = body["result"]
        return result
    return None


def _id(value: object) -> str | None:
    """Ids are strings; a whole number is taken too, but never a bool or a huge one."""
    if isinstance(value, str) and 0 < len(value.strip()) <= _MAX_ID_LENGTH:
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**64:
        return str(value)
    return None


def _epoch_ms(value: object) -> datetime | None:
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 15:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    # The range check comes first: math.isfinite of a huge int raises OverflowError.
    if not 0 <= value <= _MAX_EPOCH_MS or not math.isfinite(value):
        return None
    return datetime.fromtimestamp(value / 1000, UTC)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _photo_url(message: dict[str, Any]) -> str | None:
    # The docs say "photo"; clients and fakes read "photo_url"; some send "url" (zalo.md §1.4).
    for name in ("photo", "photo_url", "url"):
        if url := _text(message.get(name)):
            return url
    return None


# --- errors --------------------------------------------------------------------------------


class ZaloError(Exception):
    """An error answer of the Zalo Bot API, or no answer at all (``error_code`` 0).

    ``description`` is Zalo's text with the bot token cut out.
    """

    def __init__(self, error_code: int, description: str) -> None:
        super().__init__(f"Zalo error {error_code}: {description}")
        self.error_code = error_code
        self.description = description


class ZaloRetryAfter(ZaloError):  # noqa: N818 (named like PTB's)
    """429, quota exceeded: wait ``retry_after`` seconds, then send again."""

    def __init__(self, error_code: int, description: str, retry_after: float) -> None:
        super().__init__(error_code, description)
        self.retry_after = retry_after


class ZaloForbidden(ZaloError):  # noqa: N818 (named like PTB's)
    """401: the token is invalid or was reset (the whole bot is down; ``bad_token``).
    403: the person cannot be reached (blocked the bot). Zalo's error table labels 403
    "Internal server error", so read ``description`` before concluding."""

    @property
    def bad_token(self) -> bool:
        return self.error_code == 401


class ZaloBadRequest(ZaloError):  # noqa: N818 (named like PTB's)
    """400, 404 and any other refusal: the same request will fail again; never retry it."""


class ZaloNetworkError(ZaloError):
    """A timeout, a connection error, a 5xx or an unreadable answer: worth retrying later."""


def _retry_after(headers: Mapping[str, str], body: Mapping[str, Any]) -> float:
    """Seconds to wait: the Retry-After header, else the body's ``parameters.retry_after``
    or ``retry_after``, else DEFAULT_RETRY_AFTER; clamped to [0, MAX_RETRY_AFTER]."""
    parameters = body.get("parameters")
    candidates = (
        headers.get("retry-after"),
        parameters.get("retry_after") if isinstance(parameters, dict) else None,
        body.get("retry_after"),
    )
    for candidate in candidates:
        seconds = _seconds(candidate)
        if seconds is not None:
            return min(max(seconds, 0.0), MAX_RETRY_AFTER)
    return DEFAULT_RETRY_AFTER


def _seconds(value: object) -> float | None:
    if isinstance(value, str) and 0 < len(value) <= 20:
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        seconds = float(value)
    except OverflowError:  # an int too big for a float
        return MAX_RETRY_AFTER
    return seconds if math.isfinite(seconds) else None


def error_for(code: int, description: str, retry_after: float = DEFAULT_RETRY_AFTER) -> ZaloError:
    """The exception for an error code (Zalo's ``error_code``, else the HTTP status)."""
    if code == 429:
        return ZaloRetryAfter(code, description, retry_after)
    if code in (401, 403):
        return ZaloForbidden(code, description)
    if code == POLL_TIMEOUT_CODE or code >= 500:
        return ZaloNetworkError(code, description)
    return ZaloBadRequest(code, description)


def _envelope(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = json.loads(response.content)
    except ValueError:  # not JSON, or not UTF-8
        return None
    return body if isinstance(body, dict) else None


def _error_code(body: Mapping[str, Any], status: int) -> int:
    code = body.get("error_code")
    if isinstance(code, int) and not isinstance(code, bool) and abs(code) < 10**6:
        return code
    return status if status >= 400 else 400


# --- the client ----------------------------------------------------------------------------


class ZaloBotClient:
    """One Zalo bot's API. Use ``async with ZaloBotClient(token, api_root) as zalo:`` or call
    ``aclose()``; an ``http`` client passed in is left open (its owner closes it).

    ``timeout`` (seconds) bounds each call; getUpdates gets its long-poll timeout on top.
    """

    def __init__(
        self,
        token: str,
        api_root: str = DEFAULT_API_ROOT,
        *,
        timeout: float = 10.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        if not token:
            raise ValueError("the Zalo bot token is empty")
        self._token = token
        self.api_root = api_root.rstrip("/")
        self.timeout = timeout
        self._owns_http = http is None
        self._http = http if http is not None else httpx.AsyncClient()

    def __repr__(self) -> str:
        return f"ZaloBotClient(api_root={self.api_root!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # --- methods ---------------------------------------------------------------------------

    async def get_me(self) -> dict[str, Any]:
        """The bot: ``{id, account_name, account_type, can_join_groups}``."""
        return _as_dict(await self.call("getMe"))

    async def get_updates(self, timeout_seconds: int) -> list[ZaloUpdate]:
        """Wait up to ``timeout_seconds`` for the next update: a list of one, or ``[]``.

        Zalo gives one update per call and has no offset, so the caller deduplicates on
        ``ZaloUpdate.key``. An idle poll may end in 408 or in an empty result: both are ``[]``.
        A malformed update is dropped (and logged without its content). Fails while a webhook
        is set (ZaloBadRequest).
        """
        try:
            # The docs type the timeout as a string; their sample sends a number.
            result = await self.call(
                "getUpdates",
                {"timeout": str(timeout_seconds)},
                http_timeout=self.timeout + timeout_seconds,
            )
        except ZaloNetworkError as error:
            if error.error_code == POLL_TIMEOUT_CODE:
                return []
            raise
        return _updates(result)

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        """Zalo POSTs updates to ``url`` (public HTTPS) with ``secret_token`` (8-256 chars) in
        SECRET_HEADER; getUpdates stops working. Returns ``{url, updated_at}`` (epoch ms)."""
        return _as_dict(await self.call("setWebhook", {"url": url, "secret_token": secret_token}))

    async def delete_webhook(self) -> dict[str, Any]:
        """Back to getUpdates. Returns ``{url: "", updated_at}``."""
        return _as_dict(await self.call("deleteWebhook"))

    async def get_webhook_info(self) -> dict[str, Any]:
        """``{url, updated_at}``; ``url`` is empty without a webhook. The secret is not given."""
        return _as_dict(await self.call("getWebhookInfo"))

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        """Send ``text`` (1..TEXT_LIMIT characters, plain). Returns ``{message_id, date}``."""
        return _as_dict(await self.call("sendMessage", {"chat_id": chat_id, "text": text}))

    async def send_photo(
        self, chat_id: str, photo_url: str, caption: str | None = None
    ) -> dict[str, Any]:
        """Send the image at ``photo_url``, which Zalo fetches itself, maybe more than once and
        later: it must be public HTTPS and stay valid. Returns ``{message_id, date}``."""
        params = {"chat_id": chat_id, "photo": photo_url}
        if caption is not None:
            params["caption"] = caption
        return _as_dict(await self.call("sendPhoto", params))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        """Show "typing..." in the chat for a few seconds."""
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    # --- transport -------------------------------------------------------------------------

    async def call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        http_timeout: float | None = None,
    ) -> Any:
        """POST ``params`` as JSON to ``method``; the ``result`` (``None`` when absent).

        Raises a ZaloError subclass for an error answer or no answer; its text never holds
        the token.
        """
        url = f"{self.api_root}/bot{self._token}/{method}"
        try:
            response = await self._http.post(
                url, json=dict(params or {}), timeout=http_timeout or self.timeout
            )
        except httpx.TimeoutException:
            raise ZaloNetworkError(0, f"{method}: no answer in time") from None
        except httpx.HTTPError as error:
            raise ZaloNetworkError(0, f"{method}: {self._redacted(error)}") from None
        return self._result(method, response)

    def _result(self, method: str, response: httpx.Response) -> Any:
        body = _envelope(response)
        if body is None or not isinstance(body.get("ok"), bool):
            # A proxy's error page, or a server that is not Zalo's: judge by the HTTP status.
            code = response.status_code if response.status_code >= 400 else 502
            retry_after = _retry_after(response.headers, {})
            raise error_for(code, f"{method}: not a Zalo API answer", retry_after)
        if body["ok"] and response.is_success:
            return body.get("result")
        code = _error_code(body, response.status_code)
        description = self._redacted(body.get("description") or f"HTTP {response.status_code}")
        raise error_for(code, f"{method}: {description}", _retry_after(response.headers, body))

    def _redacted(self, text: object) -> str:
        return str(text).replace(self._token, "[token]")[:_MAX_DESCRIPTION]


def _as_dict(result: object) -> dict[str, Any]:
    return dict(result) if isinstance(result, dict) else {}


def _updates(result: object) -> list[ZaloUpdate]:
    # One update object per call; an empty object or null when idle. A list is taken too.
    items = result if isinstance(result, list) else [result]
    updates: list[ZaloUpdate] = []
    for item in items:
        if not item:
            continue
        update = parse_update(item)
        if update is None:
            log.warning("Dropped a Zalo update that could not be read")
        else:
            updates.append(update)
    return updates
