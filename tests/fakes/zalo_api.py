"""A fake Zalo Bot Platform API server, so tests drive the real Zalo client over HTTP.

What is faked
    The HTTP side of https://bot-api.zaloplatforms.com for one bot, as described in
    shared/reference/zalo.md §1 (and modelled on openclaw/crabline's Node fake, §3.1).
    ``FakeZalo`` serves a Starlette app with uvicorn on 127.0.0.1 (an ephemeral port) inside
    the test's event loop. Point ``ZaloBotClient(TOKEN, fake.root)`` (or ``ZALO_API_URL``) at
    it. Routes are ``/bot{token}/{method}``, GET or POST, parameters from the query string and
    a JSON or form body; answers are ``{"ok": true, "result": ...}`` or
    ``{"ok": false, "error_code": ..., "description": ...}`` with the same HTTP status.

What the test sees
    ``calls`` is every request, in arrival order. ``chat(user_id)`` is what a user would see:
    the bot's messages (text, or photo URL and caption) in order; ``last(user_id)`` the newest.
    The user side is played with ``send_text``, ``send_image``, ``send_sticker``,
    ``send_voice`` and ``send_unsupported``: each returns the bare update dict and, unless a
    webhook is set, queues it for getUpdates (one update per call, like Zalo; an idle long
    poll ends in 408, or in ``{"ok": true, "result": {}}`` with ``idle_answer="empty"``).
    With a webhook set, ``push(update)`` POSTs it to the webhook URL with the secret header,
    wrapped in ``{ok, result}`` or bare (``wrapped_webhook``), as Zalo does; a test may also
    POST ``webhook_body(update)`` itself with ``webhook_headers(secret)``.

Rules checked (the ones that catch real bugs)
    Text empty or over 2000 characters, caption over 2000: 400. A chat the user never opened
    (no message from them yet): 400, since Zalo gives a chat_id only after the user wrote.
    getUpdates while a webhook is set: 400. setWebhook without an HTTPS URL or with a secret
    outside 8-256 characters: 400. sendPhoto GETs the photo URL (127.0.0.1 only) twice, as
    Zalo may: 400 if the first fetch fails; both results are kept on the message
    (``photo_ok``), and ``fetch_again`` GETs it once more later in a test, to check the URL
    stays valid (openclaw issue #141415: black photos when the file was deleted after the
    first fetch).

Faults
    ``fail_next`` answers the next call(s) of a method with an error (429 by default, with a
    Retry-After header when ``retry_after`` is given; ``http_status`` sends the error envelope
    under another HTTP status, e.g. 200). ``blocked`` users answer 403. Optional per-second
    limits answer 429.
"""

import asyncio
import copy
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.local_server import LocalServer, RateLimits, ServedFake, wait_until

Json = dict[str, Any]

BOT_ID = "1459232241454765289"
TOKEN = f"{BOT_ID}:zalo-test-secret"
BOT_NAME = "Bot CDHT"

# The fake's own copies of Zalo's rules (not imported from the client, so a wrong constant
# there is caught here).
MAX_TEXT = 2000
MAX_CAPTION = 2000
SECRET_LENGTHS = range(8, 257)
SECRET_HEADER = "X-Bot-Api-Secret-Token"

SEND_METHODS = frozenset({"sendMessage", "sendPhoto"})  # new messages: rate limited
CHAT_METHODS = SEND_METHODS | {"sendChatAction"}  # need an open chat; blocked users refuse
CHAT_ACTIONS = frozenset({"typing", "upload_photo"})

TEXT_EVENT = "message.text.received"
IMAGE_EVENT = "message.image.received"
STICKER_EVENT = "message.sticker.received"
VOICE_EVENT = "message.voice.received"
UNSUPPORTED_EVENT = "message.unsupported.received"

# Zalo's real wording for a blocked user is not documented (its error table labels 403
# "Internal server error"); UNCONFIRMED.
BLOCKED = "Forbidden: the user has blocked the bot"
FAULT_DESCRIPTIONS = {
    400: "Bad request",
    401: "Unauthorized",
    403: BLOCKED,
    404: "Not found",
    408: "Request timeout",
    429: "Quota exceeded",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
}


@dataclass
class Call:
    """One request the bot made. ``status`` is 0 while it is still being answered."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 0


@dataclass(frozen=True)
class PhotoFetch:
    """One GET of a photo URL by the fake. ``status`` 0: no HTTP answer at all."""

    url: str
    status: int
    content: bytes
    content_type: str | None

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.content)


@dataclass
class SentMessage:
    """What a user would see: a text, or a photo with its caption in ``text``."""

    message_id: str
    chat_id: str
    text: str
    kind: Literal["text", "photo"] = "text"
    photo_url: str | None = None
    fetches: list[PhotoFetch] = field(default_factory=list, compare=False, repr=False)
    date: int = field(default=0, compare=False, repr=False)

    @property
    def photo_ok(self) -> bool:
        """Every fetch of the photo got the same image (Zalo may fetch it again later)."""
        contents = {fetch.content for fetch in self.fetches}
        return bool(self.fetches) and all(f.ok for f in self.fetches) and len(contents) == 1


@dataclass(frozen=True)
class _Fault:
    status: int
    retry_after: int | None
    http_status: int | None


class ApiError(Exception):
    """An error answer: ``{"ok": false, "error_code": status, "description": ...}``."""

    def __init__(
        self,
        status: int,
        description: str,
        retry_after: int | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.http_status = status if http_status is None else http_status

    def payload(self) -> Json:
        return {"ok": False, "error_code": self.status, "description": self.description}

    def headers(self) -> dict[str, str]:
        if self.retry_after is None or self.http_status != 429:
            return {}
        return {"Retry-After": str(self.retry_after)}


def bad_request(reason: str) -> ApiError:
    return ApiError(400, reason)


def webhook_headers(secret: str) -> dict[str, str]:
    """Headers Zalo sends with each webhook POST."""
    return {SECRET_HEADER: secret, "Content-Type": "application/json"}


def _now_ms() -> int:
    return int(time.time() * 1000)


async def read_params(request: Request) -> dict[str, Any]:
    """The request's parameters: query string, then a JSON or form body (form values are
    strings, as Zalo would see them)."""
    params: dict[str, Any] = dict(request.query_params)
    if request.method != "POST":
        return params
    if request.headers.get("content-type", "").startswith("application/json"):
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError as error:
            raise bad_request("Bad request: the body is not JSON") from error
        if not isinstance(body, dict):
            raise bad_request("Bad request: the body is not a JSON object")
        return params | body
    async with request.form() as form:
        return params | {key: value for key, value in form.items() if isinstance(value, str)}


def _string(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"{name} is required")
    return value


def _checked_text(params: dict[str, Any]) -> str:
    text = _string(params, "text")
    # Characters as Python counts them (code points); the docs say "1-2000 characters".
    if len(text) > MAX_TEXT:
        raise bad_request(f"text must be at most {MAX_TEXT} characters")
    return text


def _checked_caption(params: dict[str, Any]) -> str:
    if "caption" not in params:
        return ""
    caption = params["caption"]
    if not isinstance(caption, str) or not 1 <= len(caption) <= MAX_CAPTION:
        raise bad_request(f"caption must be 1-{MAX_CAPTION} characters")
    return caption


def _poll_timeout(params: dict[str, Any]) -> float:
    # The docs type it as a string; their sample sends a number. Default 30 seconds.
    value = params.get("timeout", 30)
    try:
        seconds = float(value)
    except (TypeError, ValueError) as error:
        raise bad_request("timeout must be a number of seconds") from error
    if not 0 <= seconds <= 3600:
        raise bad_request("timeout must be a number of seconds")
    return seconds


def _check_webhook_params(params: dict[str, Any]) -> tuple[str, str]:
    url, secret = _string(params, "url"), _string(params, "secret_token")
    parts = urlsplit(url)
    # Zalo wants public HTTPS; the fake also takes http://127.0.0.1, where tests listen.
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname == "127.0.0.1"):
        raise bad_request("url must be an HTTPS URL")
    if len(secret) not in SECRET_LENGTHS:
        raise bad_request("secret_token must be 8-256 characters")
    return url, secret


async def fetch_photo(url: str) -> PhotoFetch:
    """GET the photo as Zalo would; only URLs on 127.0.0.1, so nothing leaves the machine."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname != "127.0.0.1":
        raise bad_request("photo must be a URL the fake can fetch (http://127.0.0.1 only)")
    try:
        async with httpx.AsyncClient(timeout=5.0) as http:
            response = await http.get(url)
    except httpx.HTTPError:
        return PhotoFetch(url, 0, b"", None)
    return PhotoFetch(
        url, response.status_code, response.content, response.headers.get("content-type")
    )


Handler = Callable[[dict[str, Any]], Awaitable[Any]]


class FakeZalo(ServedFake):
    """The Bot API of one Zalo bot, plus the users talking to it. See the module docstring."""

    def __init__(
        self,
        token: str = TOKEN,
        *,
        overall_per_second: int | None = None,
        per_chat_per_second: int | None = None,
        poll_timeout_cap: float = 1.0,
        wrapped_webhook: bool = True,
        idle_answer: Literal["timeout", "empty"] = "timeout",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_id = token.split(":", 1)[0]
        self.poll_timeout_cap = poll_timeout_cap
        self.wrapped_webhook = wrapped_webhook
        self.idle_answer = idle_answer
        self.clock = clock  # seconds, for the rate limits only: a test may freeze it
        self.calls: list[Call] = []
        self.webhook: Json | None = None
        self.blocked: set[str] = set()
        self.too_many = 0
        self.photo_fetches: list[PhotoFetch] = []
        # A test may hold a send's answer here: Zalo has the message, the bot not yet.
        self.after_send: Callable[[Call], Awaitable[None]] | None = None
        self._limits: RateLimits[str] = RateLimits(overall_per_second, per_chat_per_second)
        self._faults: defaultdict[str, deque[_Fault]] = defaultdict(deque)
        self._chats: defaultdict[str, list[SentMessage]] = defaultdict(list)
        self._names: dict[str, str] = {}
        self._queue: deque[Json] = deque()
        self._ids = itertools.count(1)
        self._news = asyncio.Event()
        self._closing = False
        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
        }
        route = Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])
        self._server = LocalServer(Starlette(routes=[route]), "fake-zalo")

    # --- what the bot did ------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def chat(self, user_id: str) -> list[SentMessage]:
        """The bot's messages to that user, oldest first."""
        return list(self._chats.get(user_id, []))

    def texts(self, user_id: str) -> list[str]:
        """The texts (and captions) the user got, oldest first."""
        return [message.text for message in self.chat(user_id)]

    def last(self, user_id: str) -> SentMessage:
        messages = self._chats.get(user_id)
        if not messages:
            raise AssertionError(f"the bot has sent nothing to {user_id}")
        return messages[-1]

    async def fetch_again(self, message: SentMessage) -> PhotoFetch:
        """GET a sent photo's URL once more, as Zalo may do later; kept on the message."""
        if message.photo_url is None:
            raise AssertionError(f"message {message.message_id} is not a photo")
        fetch = await fetch_photo(message.photo_url)
        message.fetches.append(fetch)
        self.photo_fetches.append(fetch)
        return fetch

    def pending(self) -> int:
        """Updates queued for getUpdates and not yet fetched."""
        return len(self._queue)

    async def wait_for(
        self, target: Callable[[], object] | str, count: int = 1, *, seconds: float = 5.0
    ) -> None:
        """Let the bot work until ``target()`` is true, or until user ``target`` has at least
        ``count`` messages. ``seconds`` only stops a stuck test (AssertionError)."""
        if isinstance(target, str):
            user_id = target
            await wait_until(
                lambda: len(self._chats.get(user_id, [])) >= count,
                seconds=seconds,
                what=f"{count} message(s) to {user_id}",
            )
        else:
            await wait_until(target, seconds=seconds, what=str(target))

    # --- the user side ---------------------------------------------------------------------

    def send_text(self, user_id: str, text: str, *, display_name: str = "Test") -> Json:
        """A private text message from the user."""
        return self._from_user(user_id, TEXT_EVENT, {"text": text}, display_name)

    def send_image(
        self,
        user_id: str,
        *,
        photo_url: str = "https://photo.zalo.example/abc.jpg",
        caption: str | None = None,
    ) -> Json:
        """A photo from the user (``photo_url``, as clients read it; the docs say ``photo``)."""
        content: Json = {"photo_url": photo_url}
        if caption is not None:
            content["caption"] = caption
        return self._from_user(user_id, IMAGE_EVENT, content)

    def send_sticker(self, user_id: str, sticker: str = "bfe9a4ef1ca9f5f7acb8") -> Json:
        url = f"https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid={sticker}"
        return self._from_user(user_id, STICKER_EVENT, {"sticker": sticker, "url": url})

    def send_voice(self, user_id: str) -> Json:
        return self._from_user(user_id, VOICE_EVENT, {"voice_url": "https://voice.example/a.aac"})

    def send_unsupported(self, user_id: str) -> Json:
        """What the bot gets instead of the message when Zalo withholds it (protected users)."""
        return self._from_user(user_id, UNSUPPORTED_EVENT, {})

    def redeliver(self, update: Json) -> None:
        """Queue the same update (same message_id) again, as a duplicate delivery."""
        self._queue.append(copy.deepcopy(update))
        self._wake_pollers()

    def webhook_body(self, update: Json, *, wrapped: bool | None = None) -> Json:
        """The body Zalo POSTs to a webhook: ``{ok, result}`` or the bare update."""
        if wrapped if wrapped is not None else self.wrapped_webhook:
            return {"ok": True, "result": copy.deepcopy(update)}
        return copy.deepcopy(update)

    async def push(self, update: Json, *, wrapped: bool | None = None) -> httpx.Response:
        """POST the update to the webhook set with setWebhook, with its secret, as Zalo does."""
        if self.webhook is None:
            raise AssertionError("no webhook is set")
        async with httpx.AsyncClient(timeout=10.0) as http:
            return await http.post(
                self.webhook["url"],
                json=self.webhook_body(update, wrapped=wrapped),
                headers={SECRET_HEADER: self.webhook["secret_token"]},
            )

    def _from_user(
        self, user_id: str, event_name: str, content: Json, display_name: str | None = None
    ) -> Json:
        if display_name is not None:
            self._names[user_id] = display_name
        name = self._names.setdefault(user_id, "Test")
        message: Json = {
            "from": {"id": user_id, "display_name": name, "is_bot": False},
            "chat": {"id": user_id, "chat_type": "PRIVATE"},
            "message_id": self._new_id(),
            "date": _now_ms(),
            **copy.deepcopy(content),
        }
        update = {"event_name": event_name, "message": message}
        if self.webhook is None:  # with a webhook, Zalo pushes instead: see push()
            self._queue.append(copy.deepcopy(update))
            self._wake_pollers()
        return update

    def _new_id(self) -> str:
        return f"{next(self._ids):020x}"

    def _wake_pollers(self) -> None:
        self._news.set()
        self._news = asyncio.Event()

    # --- faults ----------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        times: int = 1,
        retry_after: int | None = None,
        http_status: int | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with error ``status``.

        ``retry_after`` (429): seconds, sent as a Retry-After header when the HTTP status is
        429. ``http_status``: send the error envelope under this HTTP status instead (Zalo
        may answer 200 with ``ok: false``).
        """
        for _ in range(times):
            self._faults[method].append(_Fault(status, retry_after, http_status))

    # --- HTTP ------------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> JSONResponse:
        call = Call(request.path_params["method"], {}, time.monotonic())
        self.calls.append(call)
        try:
            call.params = await read_params(request)
            result = await self._dispatch(request.path_params["token"], call)
        except ApiError as error:
            return self._answer(call, error.http_status, error.payload(), error.headers())
        body: Json = {"ok": True} if result is None else {"ok": True, "result": result}
        return self._answer(call, 200, body, {})

    def _answer(
        self, call: Call, status: int, payload: Json, headers: dict[str, str]
    ) -> JSONResponse:
        call.status = status
        if payload.get("error_code") == 429:
            self.too_many += 1
        return JSONResponse(payload, status_code=status, headers=headers)

    async def _dispatch(self, token: str, call: Call) -> Any:
        if token != self.token:
            raise ApiError(401, FAULT_DESCRIPTIONS[401])
        handler = self._handlers.get(call.method)  # method names are case-sensitive
        if handler is None:
            raise bad_request("Bad request - invalid API name")
        self._raise_injected_fault(call.method)
        if call.method not in CHAT_METHODS:
            return await handler(call.params)
        chat_id = self._open_chat(call.params)
        if call.method not in SEND_METHODS:
            return await handler(call.params)
        now = self.clock()
        if self._limits.exceeded(chat_id, now):
            raise ApiError(429, FAULT_DESCRIPTIONS[429], retry_after=1)
        result = await handler(call.params)
        self._limits.record(chat_id, now)
        if self.after_send is not None:
            await self.after_send(call)
        return result

    def _open_chat(self, params: dict[str, Any]) -> str:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, str) or chat_id not in self._names:
            raise bad_request("chat not found: the user has not messaged the bot")
        if chat_id in self.blocked:
            raise ApiError(403, BLOCKED)
        return chat_id

    def _raise_injected_fault(self, method: str) -> None:
        if not self._faults[method]:
            return
        fault = self._faults[method].popleft()
        description = FAULT_DESCRIPTIONS.get(fault.status, f"Error {fault.status}")
        raise ApiError(fault.status, description, fault.retry_after, fault.http_status)

    # --- methods: bot and updates ----------------------------------------------------------

    async def _get_me(self, params: dict[str, Any]) -> Json:
        return {
            "id": self.bot_id,
            "account_name": BOT_NAME,
            "account_type": "BASIC",
            "can_join_groups": False,
        }

    async def _get_updates(self, params: dict[str, Any]) -> Json:
        """One update per call; waits up to ``timeout`` (capped by ``poll_timeout_cap``)."""
        self._check_polling_allowed()
        deadline = time.monotonic() + min(_poll_timeout(params), self.poll_timeout_cap)
        while not self._queue:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closing:
                return self._idle()
            news = self._news
            try:
                async with asyncio.timeout(remaining):
                    await news.wait()
            except TimeoutError:
                return self._idle()
            self._check_polling_allowed()
        return self._queue.popleft()

    def _idle(self) -> Json:
        if self.idle_answer == "empty":
            return {}
        raise ApiError(408, FAULT_DESCRIPTIONS[408])

    def _check_polling_allowed(self) -> None:
        # The docs say getUpdates stops working once a webhook is set; the exact answer is
        # UNCONFIRMED (crabline's fake answers 400 with this text, zalo.md §3.1).
        if self.webhook is not None:
            raise bad_request("Webhook is configured; delete it before using getUpdates")

    async def _set_webhook(self, params: dict[str, Any]) -> Json:
        url, secret = _check_webhook_params(params)
        self._queue.clear()  # from now on updates are pushed, not polled
        self.webhook = {"url": url, "secret_token": secret, "updated_at": _now_ms()}
        self._wake_pollers()
        return {"url": url, "updated_at": self.webhook["updated_at"]}

    async def _delete_webhook(self, params: dict[str, Any]) -> Json:
        self.webhook = None
        return {"url": "", "updated_at": _now_ms()}

    async def _get_webhook_info(self, params: dict[str, Any]) -> Json:
        if self.webhook is None:
            return {"url": ""}
        return {"url": self.webhook["url"], "updated_at": self.webhook["updated_at"]}

    # --- methods: messages -----------------------------------------------------------------

    def _post(self, chat_id: str, text: str, **extra: Any) -> SentMessage:
        message = SentMessage(self._new_id(), chat_id, text, date=_now_ms(), **extra)
        self._chats[chat_id].append(message)
        return message

    async def _send_message(self, params: dict[str, Any]) -> Json:
        message = self._post(params["chat_id"], _checked_text(params))
        return {"message_id": message.message_id, "date": message.date}

    async def _send_photo(self, params: dict[str, Any]) -> Json:
        """Zalo downloads the photo itself, maybe more than once: the fake fetches it twice
        (400 if the first fetch fails) and keeps both results on the message."""
        url, caption = _string(params, "photo"), _checked_caption(params)
        first = await fetch_photo(url)
        self.photo_fetches.append(first)
        if not first.ok:
            raise bad_request("photo could not be downloaded")
        message = self._post(params["chat_id"], caption, kind="photo", photo_url=url)
        message.fetches.append(first)
        second = await fetch_photo(url)
        self.photo_fetches.append(second)
        message.fetches.append(second)
        return {"message_id": message.message_id, "date": message.date}

    async def _send_chat_action(self, params: dict[str, Any]) -> None:
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("action must be typing or upload_photo")
