"""A citizen on Zalo, driven through the fake Zalo Bot API with the real gateway in between."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.app import App
from bot.channels.zalo import ZaloChannel
from bot.gateway import Gateway
from bot.settings import Settings
from tests.fakes.zalo_api import TOKEN, FakeZalo
from tests.support import FakeClock

SECRET = "zalo_secret-42"
HOOK = "https://bot.example.vn/zalo/hook"


def zalo_settings(database_url: str, fake: FakeZalo, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "ZALO_BOT_TOKEN": TOKEN,
        "ZALO_API_URL": fake.root,
        "ZALO_POLL_TIMEOUT": 1,
        "ZALO_RATE_OVERALL": 1000,
        "ZALO_RATE_PER_CHAT": 1000,
        **extra,
    }
    return Settings(**values)


def webhook_settings(database_url: str, fake: FakeZalo, **extra: Any) -> Settings:
    return zalo_settings(
        database_url,
        fake,
        ZALO_WEBHOOK_URL=HOOK,
        ZALO_WEBHOOK_SECRET=SECRET,
        CDHT_HTTP_PORT=0,
        **extra,
    )


@asynccontextmanager
async def running_zalo(settings: Settings, clock: FakeClock) -> AsyncIterator[tuple[App, Gateway]]:
    app = App(settings, clock=clock)
    gateway = Gateway(app, [ZaloChannel(settings, clock)])
    await gateway.start(settings.http_host, settings.http_port)
    try:
        yield app, gateway
    finally:
        await gateway.stop()
        await app.close()


def hook_url(gateway: Gateway) -> str:
    assert gateway.http is not None
    return f"http://127.0.0.1:{gateway.http.port}/zalo/hook"
