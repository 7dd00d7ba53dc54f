"""A worker that receives an update for a person another worker holds leaves it in the
inbox, and it is answered once that person is let go (PostgreSQL, two apps standing for two
processes: the test itself holds the person as the other worker would)."""

from sqlalchemy import select

from bot.app import App, SystemClock
from bot.channels.telegram import TelegramChannel
from bot.gateway import Gateway
from storage.claims import person_claim
from storage.db import make_sessionmaker, unit_of_work
from storage.models import InboxUpdate
from tests.e2e.telegram_support import telegram_settings
from tests.fakes.telegram_api import FakeTelegram
from tests.support import postgres_url_or_skip, reset_postgres

LAN = 910_001


async def test_an_update_for_a_person_held_elsewhere_waits_for_them(fake: FakeTelegram) -> None:
    url = postgres_url_or_skip()
    engine = await reset_postgres(url)
    settings = telegram_settings(url, fake)
    app = App(settings, clock=SystemClock())  # the sweep counts real seconds
    await app.prepare_database()
    gateway = Gateway(app, [TelegramChannel(settings)])
    await gateway.start()
    try:
        async with person_claim(engine, "telegram", str(LAN)) as held:
            assert held
            fake.send_text(LAN, "/start")
            await fake.wait_for(lambda: fake.pending() == 0, what="the update kept")
            async with unit_of_work(make_sessionmaker(engine)) as session:
                rows = (await session.execute(select(InboxUpdate))).scalars().all()
            assert [(r.user_ref, r.done_at) for r in rows] == [(str(LAN), None)]
            assert fake.chat(LAN) == []  # nobody answers a person held elsewhere
        await fake.wait_for(lambda: len(fake.chat(LAN)) == 1, what="the answer once let go")
    finally:
        await gateway.stop()
        await app.close()
        await engine.dispose()
