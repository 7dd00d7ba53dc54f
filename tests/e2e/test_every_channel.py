"""The same conversation on every channel, written once with the transcript kit."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
from sqlalchemy import select

from bot.app import App
from bot.settings import Settings
from storage.db import unit_of_work
from storage.models import AssessmentRow
from storage.models import Person as PersonRow
from tests.bot.test_place_lists import add_places
from tests.e2e.telegram_support import Citizen, running, telegram_settings
from tests.e2e.zalo_support import SECRET, hook_url, running_zalo, webhook_settings, zalo_settings
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.kit import ConsolePerson, Person, TelegramPerson, ZaloPerson, complete_assessment
from tests.support import FakeClock

SCORES = [9, 8, 10, 7, 6, 5, 8, 9, 9, 9]
Opened = AbstractAsyncContextManager[tuple[App, Person]]


@asynccontextmanager
async def on_console(url: str, clock: FakeClock) -> AsyncIterator[tuple[App, Person]]:
    app = App(Settings(DATABASE_URL=url), clock=clock)
    try:
        yield app, ConsolePerson(app)
    finally:
        await app.close()


@asynccontextmanager
async def on_telegram(url: str, clock: FakeClock) -> AsyncIterator[tuple[App, Person]]:
    async with FakeTelegram() as fake, running(telegram_settings(url, fake), clock) as (app, _):
        yield app, TelegramPerson(Citizen(fake, 1001))


@asynccontextmanager
async def on_zalo_polling(url: str, clock: FakeClock) -> AsyncIterator[tuple[App, Person]]:
    async with FakeZalo() as fake, running_zalo(zalo_settings(url, fake), clock) as (app, gw):
        yield app, ZaloPerson(fake, "a1b2c3", gw)


@asynccontextmanager
async def on_zalo_webhook(url: str, clock: FakeClock) -> AsyncIterator[tuple[App, Person]]:
    async with FakeZalo() as fake, running_zalo(webhook_settings(url, fake), clock) as (app, gw):
        yield app, ZaloPerson(fake, "a1b2c3", gw, webhook=hook_url(gw), secret=SECRET)


CHANNELS: dict[str, Callable[[str, FakeClock], Opened]] = {
    "console": on_console,
    "telegram": on_telegram,
    "zalo-polling": on_zalo_polling,
    "zalo-webhook": on_zalo_webhook,
}


@pytest.mark.parametrize("channel", list(CHANNELS))
async def test_a_citizen_completes_the_assessment(
    channel: str, sqlite_url: str, clock: FakeClock
) -> None:
    async with CHANNELS[channel](sqlite_url, clock) as (app, person):
        assert "Đã gửi" in await complete_assessment(person, SCORES)
        async with unit_of_work(app.sessions) as session:
            row = (await session.execute(select(AssessmentRow))).scalar_one()
            who = (await session.execute(select(PersonRow))).scalar_one()
    assert (row.total, row.recognised, row.status) == (80, True, "submitted")
    assert who.channel == channel.split("-")[0]


@pytest.mark.parametrize("channel", list(CHANNELS))
async def test_bad_answers_are_explained_and_change_nothing(
    channel: str, sqlite_url: str, clock: FakeClock
) -> None:
    async with CHANNELS[channel](sqlite_url, clock) as (_app, person):
        await person.say("/start")
        assert "chọn" in (await person.say("có lẽ")).lower()
        assert "Họ tên và năm sinh" in await person.choose("Đồng ý")
        await person.say("Nguyễn Thị Lan")
        assert "1972" not in await person.say("năm bảy hai")
        assert "Bạn ở xã" in (await person.say("1972")) or "xã" in person.text


@pytest.mark.parametrize("channel", list(CHANNELS))
async def test_a_long_village_list_pages_and_a_typed_name_is_found(
    channel: str, sqlite_url: str, clock: FakeClock
) -> None:
    """25 villages: 20 a page, « Trang trước / Trang sau » as buttons on Telegram and as
    numbered lines on Zalo and the console; a village of page 2 chosen there."""
    async with CHANNELS[channel](sqlite_url, clock) as (app, person):
        await add_places(app, *(f"Xóm {n}" for n in range(25, 0, -1)))
        await person.say("/start")
        await person.choose("Đồng ý")
        await person.say("Nguyễn Thị Lan, 1972")
        first = await person.say("hai hau")
        assert "Gõ tên cũng được. Trang 1/2." in first
        if channel != "telegram":
            assert "1. Xóm 1\n  2. Xóm 2\n" in first  # natural order, numbered
            assert "21. Trang sau »" in first
        assert "Trang 2/2." in await person.choose("Trang sau »")
        assert "Bạn thuộc nhóm nào?" in await person.choose("Xóm 22")
        async with unit_of_work(app.sessions) as session:
            who = (await session.execute(select(PersonRow))).scalar_one()
    assert who.place_name == "Xóm 22"
    assert who.place_id is not None
