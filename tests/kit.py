"""One transcript kit for every channel: a person who `say`s things and `choose`s options.

The same conversation runs on the console (the App in-process, the console's rendering),
on Telegram (the fake Bot API, buttons tapped) and on Zalo (the fake Zalo Bot API, options
answered by their number or by their words without accents, as people type them). A new
channel adds one Person class here and inherits every transcript written with the kit."""

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from bot.app import App
from bot.channels import console
from bot.gateway import Gateway
from conversations.events import InboundEvent, OutboundMessage, from_typed_text
from conversations.model import default_criteria
from tests.e2e.telegram_support import Citizen
from tests.fakes.zalo_api import SECRET_HEADER, FakeZalo


class Person(Protocol):
    """What a test does and reads, whatever the channel. `text` is everything the bot said
    after the person's last action, joined."""

    async def say(self, text: str) -> str: ...

    async def choose(self, label: str) -> str: ...

    @property
    def text(self) -> str: ...


@dataclass
class ConsolePerson:
    """The console: typed lines through App.dispatch, read as the terminal shows them."""

    app: App
    user: str = "con"
    latest: list[OutboundMessage] = field(default_factory=list)

    async def say(self, text: str) -> str:
        return await self._show(from_typed_text(console.CHANNEL, self.user, text))

    async def choose(self, label: str) -> str:
        # On a terminal a person types the option's number (or its words: same path as say).
        number = _number_of(self.text, label)
        return await self.say(number if number is not None else label)

    @property
    def text(self) -> str:
        return "\n\n".join(console.render(m) for m in self.latest)

    async def _show(self, event: InboundEvent) -> str:
        self.latest = await self.app.dispatch(event)
        return self.text


@dataclass
class TelegramPerson:
    """Telegram: typed messages and taps on the real buttons, through the fake Bot API."""

    citizen: Citizen

    async def say(self, text: str) -> str:
        return await self.citizen.say(text)

    async def choose(self, label: str) -> str:
        return await self.citizen.tap(label)

    @property
    def text(self) -> str:
        return self.citizen.fake.last(self.citizen.user_id).text


@dataclass
class ZaloPerson:
    """Zalo: no buttons, so options are typed, alternately as their number and as their
    words without accents ("dong y"), the two ways people answer a numbered list."""

    fake: FakeZalo
    user: str
    gateway: Gateway
    webhook: str | None = None  # POST updates here (webhook mode) instead of polling
    secret: str = ""
    choices_made: int = 0
    latest: list[str] = field(default_factory=list)

    async def say(self, text: str) -> str:
        before = len(self.fake.chat(self.user))
        update = self.fake.send_text(self.user, text)
        if self.webhook is not None:
            await _post(self.webhook, self.fake.webhook_body(update), self.secret)
        await self.fake.wait_for(self.user, before + 1, seconds=10)
        await self.gateway.idle()  # a long answer may come as several messages
        self.latest = [m.text for m in self.fake.chat(self.user)[before:]]
        return self.text

    async def choose(self, label: str) -> str:
        self.choices_made += 1
        number = _number_of(self.text, label)
        if number is not None and self.choices_made % 2:
            return await self.say(number)
        return await self.say(_plain(label))

    @property
    def text(self) -> str:
        return "\n\n".join(self.latest)


async def register(person: Person) -> str:
    """From the first message to the first indicator; returns the bot's last words."""
    assert "Bạn có đồng ý không?" in await person.say("/start")
    assert "Họ tên và năm sinh" in await person.choose("Đồng ý")
    await person.say("Nguyễn Thị Lan")
    await person.say("1972")
    assert "thôn" in await person.say("hai hau")  # the only commune by that name
    await person.say("Xóm 3")
    return await person.choose(default_criteria().groups[0].label("vi"))


async def complete_assessment(person: Person, scores: list[int]) -> str:
    """From the first message to the sent self-assessment; returns the bot's last words."""
    assert "Câu 1/10" in await register(person)
    for score in scores:
        await person.choose(str(score))
    for _ in range(10):
        await person.choose("Tự làm được")
    return await person.choose("Gửi để xác nhận")


def _number_of(text: str, label: str) -> str | None:
    """The number of `label` in a numbered list ("  2. Không đồng ý"), or the label itself
    when the options are a row of numbers ("0 | 1 | … | 10")."""
    match = re.search(rf"^\s*(\d+)\. {re.escape(label)}$", text, re.MULTILINE)
    if match:
        return match.group(1)
    return label if label.isdigit() else None


def _plain(label: str) -> str:
    """The label as typed on a phone without Vietnamese accents."""
    decomposed = unicodedata.normalize("NFD", label.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


async def _post(url: str, body: dict[str, Any], secret: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(url, json=body, headers={SECRET_HEADER: secret})
    assert response.status_code == 200, response.status_code
