"""The same update POSTed many times at once (a platform retrying while the first try is
still being answered) gets 200 every time, is kept once, answered once, and logs no error
or traceback: on Telegram and Zalo, on SQLite and PostgreSQL."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.gateway import Gateway
from storage.db import unit_of_work
from storage.migrate import upgrade
from storage.models import InboxUpdate
from tests.e2e import zalo_support
from tests.e2e.telegram_support import running, telegram_settings
from tests.fakes.telegram_api import FakeTelegram, webhook_headers
from tests.fakes.zalo_api import SECRET_HEADER, FakeZalo
from tests.support import FakeClock, postgres_url_or_skip, reset_postgres

COPIES = 25  # of each update, all in flight together
PEOPLE = 4
TELEGRAM_SECRET = "dup_secret-1"


async def postgres_url() -> str:
    url = postgres_url_or_skip()
    engine = await reset_postgres(url)
    await upgrade(engine)
    await engine.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    return sqlite_url if request.param == "sqlite" else await postgres_url()


# A platform under test: (gateway context, webhook URL, headers, make an update body, chat).
Setup = tuple[
    AbstractAsyncContextManager[tuple[App, Gateway]],
    Callable[[Gateway], str],
    dict[str, str],
    Callable[[int], Any],
    Callable[[int], int],
]


@asynccontextmanager
async def telegram(database: str, clock: FakeClock) -> AsyncIterator[Setup]:
    async with FakeTelegram() as fake:
        settings = telegram_settings(
            database,
            fake,
            TELEGRAM_WEBHOOK_URL="https://bot.example.vn/telegram/hook",
            TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
            CDHT_HTTP_PORT=0,
        )
        yield (
            running(settings, clock),
            lambda g: f"http://127.0.0.1:{g.http.port}/telegram/hook",  # type: ignore[union-attr]
            webhook_headers(TELEGRAM_SECRET),
            lambda person: fake.send_text(700 + person, "/start"),
            lambda person: len(fake.chat(700 + person)),
        )


@asynccontextmanager
async def zalo(database: str, clock: FakeClock) -> AsyncIterator[Setup]:
    async with FakeZalo() as fake:
        settings = zalo_support.webhook_settings(database, fake)
        yield (
            zalo_support.running_zalo(settings, clock),
            zalo_support.hook_url,
            {SECRET_HEADER: zalo_support.SECRET},
            lambda person: fake.webhook_body(fake.send_text(f"dup{person}", "/start")),
            lambda person: len(fake.chat(f"dup{person}")),
        )


PLATFORMS: dict[str, Callable[[str, FakeClock], AbstractAsyncContextManager[Setup]]] = {
    "telegram": telegram,
    "zalo": zalo,
}


async def post_all(url: str, headers: dict[str, str], bodies: list[Any]) -> list[int]:
    limits = httpx.Limits(max_connections=len(bodies))
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        posts: list[Awaitable[httpx.Response]] = [
            client.post(url, json=body, headers=headers) for body in bodies
        ]
        return [response.status_code for response in await asyncio.gather(*posts)]


@pytest.mark.parametrize("platform", list(PLATFORMS))
async def test_the_same_update_posted_many_times_at_once_is_kept_and_answered_once(
    platform: str,
    database: str,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.INFO)
    logging.getLogger("uvicorn").addHandler(caplog.handler)  # uvicorn does not propagate
    try:
        async with PLATFORMS[platform](database, clock) as setup:
            context, url_of, headers, update_of, messages_to = setup
            async with context as (app, gateway):
                updates = [update_of(person) for person in range(PEOPLE)]
                bodies = [update for update in updates for _ in range(COPIES)]
                statuses = await post_all(url_of(gateway), headers, bodies)
                await gateway.idle()
                assert statuses == [200] * len(bodies)
                assert [messages_to(person) for person in range(PEOPLE)] == [1] * PEOPLE
                async with unit_of_work(app.sessions) as session:
                    kept = select(func.count()).select_from(InboxUpdate)
                    assert (await session.execute(kept)).scalar_one() == PEOPLE
    finally:
        logging.getLogger("uvicorn").removeHandler(caplog.handler)
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert problems == []
    assert "Traceback" not in capfd.readouterr().err


async def test_a_request_the_database_refuses_does_not_fail_those_kept_with_it(
    clock: FakeClock,
) -> None:
    """Requests arriving together are kept in one transaction; one the database refuses
    (an update id longer than the column) is then kept alone and fails alone."""
    url = await postgres_url()
    async with (
        FakeTelegram() as fake,
        running(telegram_settings(url, fake), clock) as (
            _app,
            gateway,
        ),
    ):
        good = [_start(930_000 + n, update_id=n + 1) for n in range(5)]
        bad = dict(good[0], update_id=10**70)
        results = await asyncio.gather(
            *(gateway.keep("telegram", [(str(u["update_id"]), u)]) for u in [*good, bad]),
            return_exceptions=True,
        )
        await gateway.idle()
    assert results[:5] == [[str(u["update_id"])] for u in good]
    assert isinstance(results[5], Exception)
    assert all(fake.chat(930_000 + n) for n in range(5))


def _start(user: int, update_id: int) -> dict[str, Any]:
    """A /start message as Telegram posts it to a webhook."""
    person = {"id": user, "is_bot": False, "first_name": "A", "language_code": "vi"}
    message = {
        "message_id": update_id,
        "date": 1_780_000_000,
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        "chat": {"id": user, "type": "private", "first_name": "A"},
        "from": person,
    }
    return {"update_id": update_id, "message": message}
