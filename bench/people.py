"""Bench people: one whole assessment each, through a channel's webhook intake.

Each person sends the platform's update body to what the webhook route calls (parse, keep
in the inbox, then `kept`), waits until the gateway has sent the reply through the adapter,
reads it (keyboard on Telegram, numbered list on Zalo) and answers the next question."""

import asyncio
import re
import time
from collections.abc import Callable
from itertools import count
from typing import Any

from bench.offline import OfflineTelegram, OfflineZalo
from bot.channels.base import Channel
from bot.gateway import Gateway

Json = dict[str, Any]
# The shortest whole assessment today (tests/kit.py complete_assessment): 28 updates, 24 taps.
SCORES = (9, 8, 10, 7, 6, 5, 8, 9, 9, 9)
SCRIPT: list[tuple[str, str]] = [
    ("text", "/start"),
    ("tap", "Đồng ý"),
    ("text", "Nguyễn Thị Lan"),
    ("text", "1972"),
    ("text", "hai hau"),
    ("text", "Xóm 3"),
    ("tap", "Người dân trong xã (làm ruộng, đánh bắt, buôn bán nhỏ, nội trợ, nghỉ hưu)"),
    *[("tap", str(score)) for score in SCORES],
    *[("tap", "Tự làm được")] * 10,
    ("tap", "Gửi để xác nhận"),
]


class TimedGateway(Gateway):
    """The gateway, telling the bench when each update's replies went out."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answered: dict[tuple[str, str], asyncio.Future[None]] = {}

    def expect(self, channel: str, update_id: str) -> "asyncio.Future[None]":
        future = asyncio.get_running_loop().create_future()
        self.answered[(channel, update_id)] = future
        return future

    async def deliver(
        self, channel: Channel, user_ref: str, update_id: str, *rest: Any
    ) -> list[asyncio.Future[None]]:
        marks = await super().deliver(channel, user_ref, update_id, *rest)
        future = self.answered.pop((channel.name, update_id), None)
        if future is not None and not future.done():
            future.set_result(None)
        return marks


class Intake:
    """What a webhook route does with one body: parse, keep, then `kept` for a new update."""

    def __init__(self, gateway: TimedGateway, channel: Channel, parse: Callable[..., Any]):
        self.gateway, self.channel, self.parse = gateway, channel, parse
        self.kept: Callable[[str, Json], None] | None = getattr(channel, "_kept", None)

    async def post(self, body: Json) -> None:
        parsed = self.parse(body)
        assert parsed is not None, "the bench sent an update the channel ignores"
        answered = self.gateway.expect(self.channel.name, parsed[0])
        new = await self.gateway.keep(self.channel.name, [parsed])
        if new and self.kept is not None:
            self.kept(*parsed)
        await answered


_ids = count(1)


def telegram_body(user: int, kind: str, value: str, fake: OfflineTelegram) -> Json:
    update_id = next(_ids)
    sender = {"id": user, "is_bot": False, "first_name": "A", "language_code": "vi"}
    chat = {"id": user, "type": "private", "first_name": "A"}
    if kind == "text":
        message: Json = {
            "message_id": update_id,
            "date": int(time.time()),
            "text": value,
            "chat": chat,
            "from": sender,
        }
        if value.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(value)}]
        return {"update_id": update_id, "message": message}
    last = fake.last[user]
    buttons = [b for row in last["reply_markup"]["inline_keyboard"] for b in row]
    found = [b["callback_data"] for b in buttons if b["text"] == value]
    if not found:
        labels = [b["text"] for b in buttons]
        raise LookupError(f"no button {value!r} in {labels} under {last['text'][:300]!r}")
    data = found[0]
    query = {
        "id": str(update_id),
        "from": sender,
        "chat_instance": str(user),
        "data": data,
        "message": last,
    }
    return {"update_id": update_id, "callback_query": query}


def zalo_body(user: int, kind: str, value: str, fake: OfflineZalo) -> Json:
    """On Zalo a tap is the option's number typed, as people answer a numbered list."""
    text = value
    if kind == "tap":
        match = re.search(rf"^\s*(\d+)\. {re.escape(value)}$", fake.last[str(user)], re.M)
        text = match.group(1) if match else value
    message = {
        "from": {"id": str(user), "display_name": "A", "is_bot": False},
        "chat": {"id": str(user), "chat_type": "PRIVATE"},
        "message_id": f"{next(_ids):020x}",
        "date": int(time.time() * 1000),
        "text": text,
    }
    return {"event_name": "message.text.received", "message": message}


async def person(
    intake: Intake, body: Callable[[int, str, str], Json], user: int, latencies: list[float]
) -> None:
    """One whole assessment; appends each update's seconds from intake to reply sent."""
    for kind, value in SCRIPT:
        started = time.perf_counter()
        await intake.post(body(user, kind, value))
        latencies.append(time.perf_counter() - started)
