"""A citizen on Telegram, driven through the fake Bot API with the real PTB stack in between."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.gateway import Gateway
from bot.ratelimit import ChatRateLimiter
from bot.settings import Settings
from tests.fakes.telegram_api import TOKEN, FakeTelegram, webhook_headers
from tests.support import FakeClock

FAST = {"TELEGRAM_RATE_OVERALL": 1000, "TELEGRAM_RATE_PER_CHAT": 1000}


def telegram_settings(database_url: str, fake: FakeTelegram, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": fake.root,
        "TELEGRAM_POLL_TIMEOUT": 1,
        **FAST,
        **extra,
    }
    return Settings(**values)


@asynccontextmanager
async def running(
    settings: Settings, clock: FakeClock, limiter: ChatRateLimiter | None = None
) -> AsyncIterator[tuple[App, Gateway]]:
    app = App(settings, clock=clock)
    gateway = Gateway(app, [TelegramChannel(settings, limiter)])
    await gateway.start(settings.http_host, settings.http_port)
    try:
        yield app, gateway
    finally:
        await gateway.stop()
        await app.close()


@dataclass
class Citizen:
    """One Telegram user: each action waits until the bot has answered with a new message."""

    fake: FakeTelegram
    user_id: int
    taps: int = 0

    async def _turn(self, act: Callable[[], object], *, replies: int = 1) -> str:
        before = len(self.fake.chat(self.user_id))
        act()
        await self.fake.wait_for(
            lambda: len(self.fake.chat(self.user_id)) >= before + replies,
            seconds=10,
            what=f"a reply to user {self.user_id}",
        )
        return self.fake.last(self.user_id).text

    async def say(self, text: str) -> str:
        return await self._turn(lambda: self.fake.send_text(self.user_id, text))

    async def tap(self, label: str) -> str:
        self.taps += 1
        return await self._turn(lambda: self.fake.tap(self.user_id, label))

    @property
    def labels(self) -> list[str]:
        return [b["text"] for row in self.fake.last(self.user_id).buttons for b in row]


@dataclass
class WebhookCitizen(Citizen):
    """The same person, but their updates reach the bot as Telegram's webhook calls."""

    url: str = ""
    secret: str = ""

    async def _post_turn(self, make_update: Callable[[], dict[str, Any]]) -> str:
        before = len(self.fake.chat(self.user_id))
        async with httpx.AsyncClient() as client:
            response = await client.post(
                self.url, json=make_update(), headers=webhook_headers(self.secret)
            )
        assert response.status_code == 200
        await self.fake.wait_for(
            lambda: len(self.fake.chat(self.user_id)) > before, seconds=10, what="a reply"
        )
        return self.fake.last(self.user_id).text

    async def say(self, text: str) -> str:
        return await self._post_turn(lambda: self.fake.send_text(self.user_id, text))

    async def tap(self, label: str) -> str:
        self.taps += 1
        return await self._post_turn(lambda: self.fake.tap(self.user_id, label))


async def register_until_scores(citizen: Citizen) -> str:
    """From /start to the first indicator, as the kit's person; returns the bot's last words."""
    from tests.kit import TelegramPerson, register  # the kit builds on this module

    return await register(TelegramPerson(citizen))


async def complete_assessment(citizen: Citizen, scores: list[int]) -> str:
    """From /start to the sent result, tapping buttons wherever there are buttons."""
    from tests.kit import TelegramPerson
    from tests.kit import complete_assessment as complete

    return await complete(TelegramPerson(citizen), scores)
