"""Offline platform transports for benches: every Bot API call is answered at once in
process (no sockets), like the anchors' FakeRequest, so a bench measures our side only.

Telegram: a python-telegram-bot BaseRequest. Zalo: an httpx MockTransport handler. Both
remember the last message sent to each chat (its text and, on Telegram, its keyboard), which
the bench's people read to answer the next question."""

import json
import time
from typing import Any

import httpx
from telegram.request import BaseRequest, RequestData

BOT = {
    "id": 1,
    "is_bot": True,
    "first_name": "cdht",
    "username": "cdht_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
Json = dict[str, Any]


class OfflineTelegram(BaseRequest):
    """Answers every Bot API method; sendMessage and editMessageText echo a Message."""

    def __init__(self) -> None:
        self.message_id = 0
        self.last: dict[int, Json] = {}  # chat id -> the last message the bot sent
        self.calls: dict[str, int] = {}

    @property
    def read_timeout(self) -> float:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        self.calls[name] = self.calls.get(name, 0) + 1
        if name == "getMe":
            return 200, _ok(BOT)
        if name == "getUpdates":
            return 200, _ok([])
        if name not in ("sendMessage", "editMessageText"):
            return 200, _ok(True)
        params = request_data.parameters if request_data else {}
        return 200, _ok(self._message(name, params))

    def _message(self, name: str, params: Json) -> Json:
        chat = int(params["chat_id"])
        if name == "sendMessage":
            self.message_id += 1
        message_id = self.message_id if name == "sendMessage" else int(params["message_id"])
        message: Json = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "A"},
            "from": BOT,
            "text": params.get("text", ""),
        }
        markup = params.get("reply_markup")
        if markup:
            message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        if name == "sendMessage":
            self.last[chat] = message
        return message


class OfflineZalo:
    """An httpx MockTransport handler for the Zalo Bot API: sends are remembered per chat."""

    def __init__(self) -> None:
        self.message_id = 0
        self.last: dict[str, str] = {}  # chat id -> the last text the bot sent
        self.calls: dict[str, int] = {}

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        name = request.url.path.rsplit("/", 1)[-1]
        self.calls[name] = self.calls.get(name, 0) + 1
        if name not in ("sendMessage", "sendPhoto"):
            return httpx.Response(200, content=_ok({"url": "", "updated_at": 0}))
        params = json.loads(request.content)
        self.message_id += 1
        self.last[str(params["chat_id"])] = str(params.get("text", ""))
        result = {"message_id": str(self.message_id), "date": int(time.time() * 1000)}
        return httpx.Response(200, content=_ok(result))


def _ok(result: object) -> bytes:
    return json.dumps({"ok": True, "result": result}).encode()
