"""A fake Telegram Bot API server, so tests can drive the real python-telegram-bot stack.

What is faked
    The HTTP side of https://api.telegram.org for one bot. ``FakeTelegram`` serves a small
    Starlette app with uvicorn on 127.0.0.1 (an ephemeral port) inside the test's event loop.
    Point a real ``telegram.Bot(TOKEN, base_url=f"{fake.root}/bot")`` (or an Application built
    with that base URL) at it: every request goes through PTB's own ``HTTPXRequest`` over real
    HTTP, exactly as in production. Nothing leaves the machine.

How requests are read
    PTB POSTs to ``{base_url}{token}/{method}`` with an urlencoded form, or multipart when a
    file is uploaded. Each form value is JSON-encoded except plain strings, which are sent raw.
    The fake decodes the structured keys (``reply_markup``, ``commands``, ...) with
    ``json.loads``, numeric keys (``chat_id``, ``offset``, ...) to numbers, flag keys
    (``show_alert``, ...) to booleans, uploads to ``Upload``; everything else stays a string,
    so a message text ``"123"`` stays ``"123"``. JSON bodies and GET query strings work too.

What the test sees
    ``calls`` is every request, in arrival order. ``chat(user_id)`` is the transcript a user
    would see: the bot's messages in order, with edits applied in place. The user side is
    played with ``send_text``, ``tap`` and ``tap_data``, which queue Update dicts that the bot
    fetches with getUpdates (long polling). The same dicts are what Telegram would POST to a
    webhook, so webhook tests can post them with ``webhook_headers(secret)``.

Faults
    ``fail_next`` makes the next call(s) of a method fail (429 by default), ``blocked`` makes a
    user reject messages with 403, and optional per-second limits answer 429 like Telegram's
    flood control. Bot API rules that catch real bugs are checked too: edits of unknown or
    unchanged messages, empty or too long texts, callback data over 64 bytes, invalid command
    names, answering unknown callback queries, getUpdates while a webhook is set.
"""

import asyncio
import contextlib
import copy
import itertools
import json
import re
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.local_server import LocalServer, RateLimits, ServedFake, wait_until

Json = dict[str, Any]

TOKEN = "123456:TEST-TOKEN"
BOT_ID = 123456
BOT_FIRST_NAME = "CDHT"
BOT_USERNAME = "cdht_test_bot"

# Keys whose form values are JSON documents; numbers; booleans. Anything else stays a string.
JSON_KEYS = frozenset(
    {
        "reply_markup",
        "commands",
        "allowed_updates",
        "entities",
        "caption_entities",
        "reply_parameters",
        "link_preview_options",
        "scope",
    }
)
NUMBER_KEYS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "retry_after",
        "cache_time",
        "max_connections",
        "message_thread_id",
        "reply_to_message_id",
    }
)
FLAG_KEYS = frozenset(
    {
        "show_alert",
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "disable_content_type_detection",
    }
)

# Lower-cased method names. Sends count for the rate limits; blockable ones get 403 if blocked.
SEND_METHODS = frozenset(
    {"sendmessage", "senddocument", "sendphoto", "editmessagetext", "editmessagereplymarkup"}
)
BLOCKABLE_METHODS = SEND_METHODS | {"sendchataction", "deletemessage"}
# Telegram's "about one message per second in a chat" is about new messages, not edits.
NEW_MESSAGE_METHODS = frozenset({"sendmessage", "senddocument", "sendphoto"})

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
# Update types Telegram leaves out when allowed_updates is empty or never given.
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

BLOCKED = "Forbidden: bot was blocked by the user"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup"
    " are exactly the same as a current content and reply markup of the message"
)
FAULT_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: BLOCKED,
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request;"
    " make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class Call:
    """One request the bot made. ``status`` is 0 while it is still being answered."""

    method: str
    params: dict[str, Any]
    at: float
    status: int


@dataclass
class Upload:
    """A file the bot uploaded in a multipart request (appears in ``Call.params``)."""

    file_name: str | None
    content: bytes
    content_type: str | None = None


@dataclass
class BotMessage:
    """What a user would see in a chat. Extra fields do not take part in ``==``."""

    message_id: int
    chat_id: int
    text: str
    buttons: list[list[dict[str, Any]]]
    kind: str = "text"
    file_name: str | None = None
    file_bytes: bytes | None = None
    reply_markup: Json | None = field(default=None, compare=False)
    date: int = field(default=0, compare=False, repr=False)
    edit_date: int | None = field(default=None, compare=False, repr=False)


@dataclass
class _Queued:
    update: Json
    redelivered: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next(key for key in self.update if key != "update_id")


class ApiError(Exception):
    """An error answer of the Bot API: ``{"ok": false, "error_code": ..., ...}``."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> Json:
        body: Json = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def webhook_headers(secret: str) -> dict[str, str]:
    """Headers Telegram sends with each webhook POST."""
    return {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}


# --- decoding requests ---------------------------------------------------------------------


def _number(value: str) -> int | float | str:
    for convert in (int, float):
        with contextlib.suppress(ValueError):
            return convert(value)
    return value


def decode_value(key: str, value: Any) -> Any:
    """Undo PTB's encoding of one form value (see the module docstring)."""
    if not isinstance(value, str):
        return value
    if key in JSON_KEYS:
        try:
            return json.loads(value)
        except json.JSONDecodeError as error:
            raise bad_request(f"can't parse {key} JSON object") from error
    if key in NUMBER_KEYS:
        return _number(value)
    if key in FLAG_KEYS and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


async def _form_fields(request: Request) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    async with request.form() as form:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                fields[key] = Upload(value.filename, await value.read(), value.content_type)
            else:
                fields[key] = value
    return fields


async def read_params(request: Request) -> dict[str, Any]:
    """The decoded parameters of a Bot API request: query string, then form or JSON body."""
    params = {key: decode_value(key, value) for key, value in request.query_params.items()}
    if request.method != "POST":
        return params
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.body()
        return params | (json.loads(body) if body else {})
    fields = await _form_fields(request)
    return params | {key: decode_value(key, value) for key, value in fields.items()}


# --- small Bot API helpers -----------------------------------------------------------------


def bot_user_json(bot_id: int) -> Json:
    """The bot as a User object (the ``from`` of its messages)."""
    return {"id": bot_id, "is_bot": True, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME}


def _now() -> int:
    return int(time.time())


def _chat_id(params: dict[str, Any]) -> int:
    chat_id = params.get("chat_id")
    if not isinstance(chat_id, int):
        raise bad_request("chat not found")
    return chat_id


def _message_id(params: dict[str, Any]) -> int:
    message_id = params.get("message_id")
    if not isinstance(message_id, int):
        raise bad_request("message identifier is not specified")
    return message_id


def _checked_text(params: dict[str, Any]) -> str:
    text = params.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text


def _checked_caption(params: dict[str, Any]) -> str:
    caption = params.get("caption") or ""
    if len(caption) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return str(caption)


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not str(button.get("text", "")):
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    if not BUTTON_ACTIONS & button.keys():
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        size = len(str(button["callback_data"]).encode())
        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")


def _checked_markup(params: dict[str, Any]) -> Json | None:
    markup = params.get("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            _check_button(button)
    return markup


def _inline_rows(markup: Json | None) -> list[list[dict[str, Any]]]:
    if markup is None:
        return []
    return copy.deepcopy(markup.get("inline_keyboard", []))


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _command_entity(text: str) -> Json | None:
    """The bot_command entity Telegram adds for a message starting with ``/cmd``."""
    word = text.split(maxsplit=1)[0] if text.strip() else ""
    if not word.startswith("/") or len(word) < 2:  # a slash and at least one letter
        return None
    return {"type": "bot_command", "offset": 0, "length": _utf16_length(word)}


def _check_commands(commands: Any) -> list[Json]:
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        if not COMMAND_NAME.fullmatch(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("command description must be 1-256 characters long")
    return copy.deepcopy(commands)


def _check_webhook_params(params: dict[str, Any]) -> None:
    url = str(params.get("url", ""))
    if url and not url.startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get("secret_token")
    if secret is not None and not SECRET_TOKEN.fullmatch(str(secret)):
        raise bad_request("secret token contains unallowed characters")


def _file_id(message: BotMessage) -> str:
    return f"{message.kind}-{message.chat_id}-{message.message_id}"


def _labels(message: BotMessage) -> list[str]:
    return [button["text"] for row in message.buttons for button in row]


Handler = Callable[[dict[str, Any]], Awaitable[Any]]


class FakeTelegram(ServedFake):
    """The Bot API of one bot, plus the users talking to it. See the module docstring."""

    def __init__(
        self,
        token: str = TOKEN,
        *,
        overall_per_second: int | None = None,
        per_chat_per_second: int | None = None,
        poll_timeout_cap: float = 1.0,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else BOT_ID
        self.poll_timeout_cap = poll_timeout_cap
        self.calls: list[Call] = []
        self.webhook: Json | None = None
        self.blocked: set[int] = set()
        self.too_many = 0
        self.after_send: Callable[[Call], Awaitable[None]] | None = None
        self._limits: RateLimits[int] = RateLimits(overall_per_second, per_chat_per_second)
        self._faults: defaultdict[str, deque[tuple[int, int]]] = defaultdict(deque)
        self._chats: defaultdict[int, list[BotMessage]] = defaultdict(list)
        self._message_ids: defaultdict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1)
        )
        self._users: dict[int, Json] = {}
        self._files: dict[str, Upload] = {}
        self._user_files: dict[str, bytes] = {}  # files people sent, by file_id
        self._commands: dict[str, list[Json]] = {}
        self._queue: list[_Queued] = []
        self._update_ids = itertools.count(100_001)
        self._query_ids = itertools.count(7_000_000_001)
        self._open_queries: set[str] = set()
        self._allowed_updates: list[str] = []
        self._news = asyncio.Event()
        self._poll_ticket = 0
        self.parked = 0  # long polls waiting for news right now (tests wait on it, not sleep)
        self._closing = False
        self._handlers: dict[str, Handler] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "senddocument": self._send_document,
            "sendphoto": self._send_photo,
            "sendchataction": self._accept,
            "setmydescription": self._accept,
            "setmyshortdescription": self._accept,
            "getfile": self._get_file,
        }
        route = Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])
        download = Route("/file/bot{token}/{path:path}", self._download, methods=["GET"])
        self._server = LocalServer(Starlette(routes=[route, download]), "fake-telegram")

    # --- what the bot did ------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def chat(self, user_id: int) -> list[BotMessage]:
        """The bot's messages in that chat, oldest first, edits applied in place."""
        return list(self._chats.get(user_id, []))

    def last(self, user_id: int) -> BotMessage:
        messages = self._chats.get(user_id)
        if not messages:
            raise AssertionError(f"the bot has sent nothing to chat {user_id}")
        return messages[-1]

    def commands(self, language_code: str | None = None) -> list[Json]:
        """The commands set by setMyCommands for that language (scope is ignored)."""
        return copy.deepcopy(self._commands.get(language_code or "", []))

    def pending(self) -> int:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        return len(self._queue)

    async def wait_for(
        self, condition: Callable[[], object], *, seconds: float = 5.0, what: str = ""
    ) -> None:
        """Let the bot work until ``condition()`` is true; AssertionError after ``seconds``.

        For bots that poll on their own, e.g. ``await fake.wait_for(lambda: fake.chat(1))``.
        """
        await wait_until(condition, seconds=seconds, what=what or str(condition))

    # --- the user side ---------------------------------------------------------------------

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        language_code: str | None = "vi",
        first_name: str = "Test",
    ) -> Json:
        """A private text message from the user; ``/cmd ...`` gets a bot_command entity."""
        message = self._from_user(user_id, language_code, first_name) | {"text": text}
        if entity := _command_entity(text):
            message["entities"] = [entity]
        return self._enqueue({"message": message})

    def send_document(
        self,
        user_id: int,
        file_name: str,
        content: bytes,
        *,
        mime_type: str = "text/csv",
        language_code: str | None = "vi",
    ) -> Json:
        """A private message carrying a file, as a person attaches one ("📎 File"); the bot
        fetches it with getFile and a download from /file/bot<token>/<file_path>."""
        file_id = f"user-doc-{len(self._user_files) + 1}"
        self._user_files[file_id] = content
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        message = self._from_user(user_id, language_code) | {"document": document}
        return self._enqueue({"message": message})

    def _from_user(
        self, user_id: int, language_code: str | None, first_name: str = "Test"
    ) -> Json:
        """A new private message's common fields, from that user."""
        user: Json = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code is not None:
            user["language_code"] = language_code
        self._users[user_id] = user
        return {
            "message_id": next(self._message_ids[user_id]),
            "from": user,
            "chat": self._chat_json(user_id),
            "date": _now(),
        }

    def tap(self, user_id: int, label: str) -> Json:
        """Tap the button ``label`` on the newest bot message that shows one."""
        for message in reversed(self._chats.get(user_id, [])):
            for button in (b for row in message.buttons for b in row):
                if button.get("text") == label:
                    return self._tap_button(user_id, message, button)
        visible = {m.message_id: _labels(m) for m in self._chats.get(user_id, []) if m.buttons}
        raise AssertionError(f"no button {label!r} in chat {user_id}; visible: {visible}")

    def tap_data(self, user_id: int, data: str, message_id: int | None = None) -> Json:
        """A callback query with arbitrary (forged or stale) data on a bot message."""
        if message_id is None:
            return self._callback(user_id, self.last(user_id), data)
        return self._callback(user_id, self._find_message(user_id, message_id), data)

    def redeliver(self, update: Json) -> None:
        """Queue the same update (same update_id) again, as a duplicate delivery.

        The next getUpdates returns it even if its offset already confirmed that update_id;
        after that it is confirmed like any other update.
        """
        self._queue.append(_Queued(copy.deepcopy(update), redelivered=True))
        self._queue.sort(key=lambda queued: queued.update_id)
        self._wake_pollers()

    def confirm_all(self) -> None:
        """Forget every queued update, as a getUpdates offset past them would (the bot took
        them before it died)."""
        self._queue.clear()

    # --- faults ----------------------------------------------------------------------------

    def fail_next(
        self, method: str, *, status: int = 429, retry_after: int = 1, count: int = 1
    ) -> None:
        """Answer the next ``count`` calls of ``method`` with ``status`` instead of running it."""
        for _ in range(count):
            self._faults[method.lower()].append((status, retry_after))

    # --- user-side helpers -----------------------------------------------------------------

    def _user_json(self, user_id: int) -> Json:
        default = {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "vi"}
        return copy.deepcopy(self._users.get(user_id, default))

    def _chat_json(self, chat_id: int) -> Json:
        first_name = self._users.get(chat_id, {}).get("first_name", "Test")
        return {"id": chat_id, "type": "private", "first_name": first_name}

    def _lookup(self, chat_id: int, message_id: int) -> BotMessage | None:
        messages = self._chats.get(chat_id, [])
        return next((m for m in messages if m.message_id == message_id), None)

    def _find_message(self, chat_id: int, message_id: int) -> BotMessage:
        if (message := self._lookup(chat_id, message_id)) is None:
            raise AssertionError(f"the bot has no message {message_id} in chat {chat_id}")
        return message

    def _tap_button(self, user_id: int, message: BotMessage, button: Json) -> Json:
        if "callback_data" not in button:
            raise AssertionError(f"button {button['text']!r} has no callback_data: {button}")
        return self._callback(user_id, message, str(button["callback_data"]))

    def _callback(self, user_id: int, message: BotMessage, data: str) -> Json:
        query_id = str(next(self._query_ids))
        self._open_queries.add(query_id)
        query = {
            "id": query_id,
            "from": self._user_json(user_id),
            "message": self._message_json(message),
            "chat_instance": "x",
            "data": data,
        }
        return self._enqueue({"callback_query": query})

    def _enqueue(self, body: Json) -> Json:
        update = {"update_id": next(self._update_ids), **copy.deepcopy(body)}
        self._queue.append(_Queued(update))
        self._wake_pollers()
        return copy.deepcopy(update)

    def _wake_pollers(self) -> None:
        self._news.set()
        self._news = asyncio.Event()

    # --- HTTP ------------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> JSONResponse:
        call = Call(request.path_params["method"], {}, time.monotonic(), 0)
        self.calls.append(call)
        try:
            call.params = await read_params(request)
            result = await self._dispatch(request.path_params["token"], call)
        except ApiError as error:
            return self._answer(call, error.status, error.payload())
        return self._answer(call, 200, {"ok": True, "result": result})

    def _answer(self, call: Call, status: int, payload: Json) -> JSONResponse:
        call.status = status
        if status == 429:
            self.too_many += 1
        return JSONResponse(payload, status_code=status)

    async def _dispatch(self, token: str, call: Call) -> Any:
        if token != self.token:
            raise ApiError(401, "Unauthorized")
        method = call.method.lower()
        handler = self._handlers.get(method)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        self._raise_injected_fault(method)
        if method in BLOCKABLE_METHODS and _chat_id(call.params) in self.blocked:
            raise ApiError(403, BLOCKED)
        if method not in SEND_METHODS:
            return await handler(call.params)
        chat_id, now = _chat_id(call.params), time.monotonic()
        new_message = method in NEW_MESSAGE_METHODS
        if self._limits.exceeded(chat_id, now, new_message):
            raise too_many_requests(1)
        result = await handler(call.params)
        self._limits.record(chat_id, now, new_message)
        if self.after_send is not None:
            # A test may hold the answer here: Telegram has the message, the bot not yet.
            await self.after_send(call)
        return result

    def _raise_injected_fault(self, method: str) -> None:
        if not self._faults[method]:
            return
        status, retry_after = self._faults[method].popleft()
        if status == 429:
            raise too_many_requests(retry_after)
        raise ApiError(status, FAULT_DESCRIPTIONS.get(status, f"Error {status}"))

    # --- methods: bot and updates ----------------------------------------------------------

    async def _accept(self, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any]) -> Json:
        return bot_user_json(self.bot_id) | {
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _get_file(self, params: dict[str, Any]) -> Json:
        file_id = str(params.get("file_id") or "")
        if file_id not in self._user_files:
            raise bad_request("invalid file_id")
        size = len(self._user_files[file_id])
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": size,
            "file_path": f"documents/{file_id}.csv",
        }

    async def _download(self, request: Request) -> Response:
        self.calls.append(Call("download", {}, time.monotonic(), 200))
        path = request.path_params["path"]
        file_id = path.removeprefix("documents/").removesuffix(".csv")
        if request.path_params["token"] != self.token or file_id not in self._user_files:
            return Response(status_code=404)
        return Response(self._user_files[file_id], media_type="application/octet-stream")

    async def _get_updates(self, params: dict[str, Any]) -> list[Json]:
        self._check_polling_allowed()
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = list(params["allowed_updates"])
        offset, limit = params.get("offset"), min(max(int(params.get("limit") or 100), 1), 100)
        self._confirm(offset)
        self._poll_ticket += 1
        ticket = self._poll_ticket
        self._wake_pollers()  # an older poll still waiting is now terminated with 409
        timeout = min(float(params.get("timeout") or 0), self.poll_timeout_cap)
        batch = self._take_batch(offset, limit)
        if batch or timeout <= 0:
            return batch
        self.parked += 1
        try:
            async with asyncio.timeout(timeout):
                return await self._wait_for_batch(ticket, offset, limit)
        except TimeoutError:
            return []
        finally:
            self.parked -= 1

    async def _wait_for_batch(self, ticket: int, offset: int | None, limit: int) -> list[Json]:
        batch: list[Json] = []
        while not batch and not self._closing:
            await self._news.wait()
            self._check_polling_allowed()
            if ticket != self._poll_ticket:
                raise ApiError(409, FAULT_DESCRIPTIONS[409])
            batch = self._take_batch(offset, limit)
        return batch

    def _check_polling_allowed(self) -> None:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: terminated by setWebhook request")

    def _confirm(self, offset: int | None) -> None:
        """Forget updates below ``offset`` (the last ``-offset`` ones are kept if negative)."""
        if offset is None:
            return
        if offset < 0:
            self._queue = self._queue[offset:]
            return
        self._queue = [q for q in self._queue if q.update_id >= offset or q.redelivered]

    def _deliverable(self, queued: _Queued) -> bool:
        if self._allowed_updates:
            return queued.kind in self._allowed_updates
        return queued.kind not in NOT_DELIVERED_BY_DEFAULT

    def _take_batch(self, offset: int | None, limit: int) -> list[Json]:
        batch = [
            queued
            for queued in self._queue
            if self._deliverable(queued)
            and (offset is None or queued.update_id >= offset or queued.redelivered)
        ][:limit]
        for queued in batch:
            queued.redelivered = False
        return [copy.deepcopy(queued.update) for queued in batch]

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        _check_webhook_params(params)
        if not params.get("url"):
            return await self._delete_webhook(params)
        if params.get("drop_pending_updates"):
            self._queue.clear()
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = list(params["allowed_updates"])
        self.webhook = dict(params)
        self._wake_pollers()
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self.webhook = None
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> Json:
        info: Json = {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": self.pending(),
        }
        if self.webhook is not None and "max_connections" in self.webhook:
            info["max_connections"] = self.webhook["max_connections"]
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    # --- methods: messages -----------------------------------------------------------------

    def _message_json(self, message: BotMessage) -> Json:
        data: Json = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self._chat_json(message.chat_id),
            "from": bot_user_json(self.bot_id),
        }
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        data |= self._content_json(message)
        if message.reply_markup is not None and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = copy.deepcopy(message.reply_markup)
        return data

    def _content_json(self, message: BotMessage) -> Json:
        if message.kind == "text":
            return {"text": message.text}
        file_id = _file_id(message)
        content: Json = {"caption": message.text} if message.text else {}
        if message.kind == "photo":
            size = {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 320}
            return content | {"photo": [size | {"height": 320}]}
        document: Json = {"file_id": file_id, "file_unique_id": f"u{file_id}"}
        if message.file_name is not None:
            document["file_name"] = message.file_name
        if message.file_bytes is not None:
            document["file_size"] = len(message.file_bytes)
        return content | {"document": document}

    def _post(self, chat_id: int, text: str, markup: Json | None, **extra: Any) -> Json:
        message = BotMessage(
            message_id=next(self._message_ids[chat_id]),
            chat_id=chat_id,
            text=text,
            buttons=_inline_rows(markup),
            reply_markup=copy.deepcopy(markup),
            date=_now(),
            **extra,
        )
        self._chats[chat_id].append(message)
        if message.kind != "text":
            self._files[_file_id(message)] = Upload(message.file_name, message.file_bytes or b"")
        return self._message_json(message)

    async def _send_message(self, params: dict[str, Any]) -> Json:
        return self._post(_chat_id(params), _checked_text(params), _checked_markup(params))

    def _message_to_edit(self, params: dict[str, Any]) -> BotMessage:
        if "inline_message_id" in params:
            raise bad_request("inline messages are not supported by the fake")
        if (message := self._lookup(_chat_id(params), _message_id(params))) is None:
            raise bad_request("message to edit not found")
        return message

    def _apply_edit(self, message: BotMessage, text: str, markup: Json | None) -> Json:
        if message.text == text and message.reply_markup == markup:
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        message.text = text
        message.reply_markup = copy.deepcopy(markup)
        message.buttons = _inline_rows(markup)
        message.edit_date = _now()
        return self._message_json(message)

    async def _edit_message_text(self, params: dict[str, Any]) -> Json:
        """Like Telegram, an edit without reply_markup removes the inline keyboard."""
        message = self._message_to_edit(params)
        text, markup = _checked_text(params), _checked_markup(params)
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        return self._apply_edit(message, text, markup)

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> Json:
        message = self._message_to_edit(params)
        return self._apply_edit(message, message.text, _checked_markup(params))

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        chat_id, message_id = _chat_id(params), _message_id(params)
        kept = [m for m in self._chats.get(chat_id, []) if m.message_id != message_id]
        if len(kept) == len(self._chats.get(chat_id, [])):
            raise bad_request("message to delete not found")
        self._chats[chat_id] = kept
        return True

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        if str(params.get("callback_query_id")) not in self._open_queries:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        return True

    # --- methods: files --------------------------------------------------------------------

    def _uploaded(self, params: dict[str, Any], key: str) -> Upload:
        value = params.get(key)
        if isinstance(value, Upload):
            if not value.content:
                raise bad_request("file must be non-empty")
            return value
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        raise bad_request("wrong file identifier/HTTP URL specified")

    async def _send_file(self, params: dict[str, Any], kind: str) -> Json:
        chat_id, caption = _chat_id(params), _checked_caption(params)
        markup = _checked_markup(params)
        upload = self._uploaded(params, kind)
        return self._post(
            chat_id,
            caption,
            markup,
            kind=kind,
            file_name=upload.file_name,
            file_bytes=upload.content,
        )

    async def _send_document(self, params: dict[str, Any]) -> Json:
        return await self._send_file(params, "document")

    async def _send_photo(self, params: dict[str, Any]) -> Json:
        return await self._send_file(params, "photo")

    # --- methods: commands -----------------------------------------------------------------

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        language_code = str(params.get("language_code") or "")
        self._commands[language_code] = _check_commands(params.get("commands"))
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[Json]:
        return self.commands(params.get("language_code"))

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self._commands.pop(str(params.get("language_code") or ""), None)
        return True
