"""Stale, foreign and forged buttons; redelivered updates; 429 and 403; bursts; restarts."""

import asyncio
import time
from functools import partial

import pytest
from sqlalchemy import select

from bot import app as app_module
from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.gateway import Gateway
from storage.db import unit_of_work
from storage.models import Conversation, Person
from storage.outbox_queue import status_counts
from tests.e2e.telegram_support import (
    Citizen,
    register_until_scores,
    running,
    telegram_settings,
)
from tests.fakes.telegram_api import FakeTelegram
from tests.support import FakeClock

LAN, MINH = 1001, 1002


async def settled(fake: FakeTelegram, service: Gateway) -> None:
    """Every queued update fetched and every person's work done."""
    await fake.wait_for(lambda: fake.pending() == 0, what="updates confirmed")
    await service.idle()


async def stored(app: App, user_id: int) -> tuple[str | None, str | None]:
    async with unit_of_work(app.sessions) as session:
        person = (
            await session.execute(select(Person).where(Person.user_ref == str(user_id)))
        ).scalar_one_or_none()
        if person is None:
            return None, None
        conversation = await session.get(Conversation, person.id)
        return person.name, conversation.step if conversation else None


async def test_stale_foreign_and_forged_buttons_change_nothing(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock
) -> None:
    async with running(telegram_settings(sqlite_url, fake), clock) as (app, _service):
        lan = Citizen(fake, LAN)
        await register_until_scores(lan)
        first_question = fake.last(LAN).message_id
        await lan.tap("7")
        before = await stored(app, LAN)
        assert before[1] == "ind:2"

        stale = await lan._turn(lambda: fake.tap_data(LAN, "ind:1=3", message_id=first_question))
        assert "Câu đó đã qua rồi" in stale
        assert "Câu 2/10" in stale
        forged = await lan._turn(lambda: fake.tap_data(LAN, "ind:2=99;DROP TABLE people"))
        assert "Câu đó đã qua rồi" in forged
        assert await stored(app, LAN) == before

        minh = Citizen(fake, MINH)
        await minh.say("/start")
        await minh.tap("Đồng ý")
        minh_before = await stored(app, MINH)
        foreign = await minh._turn(lambda: fake.tap_data(MINH, "ind:2=10"))
        assert "Câu đó đã qua rồi" in foreign
        assert await stored(app, MINH) == minh_before
        assert await stored(app, LAN) == before


async def test_a_redelivered_update_is_processed_once(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock
) -> None:
    async with running(telegram_settings(sqlite_url, fake), clock) as (app, service):
        lan = Citizen(fake, LAN)
        await lan.say("/start")
        await lan.tap("Đồng ý")
        update = fake.send_text(LAN, "Nguyễn Thị Lan")
        await fake.wait_for(lambda: "Bạn sinh năm nào?" in fake.last(LAN).text)
        messages = len(fake.chat(LAN))
        fake.redeliver(update)
        fake.redeliver(update)
        await settled(fake, service)
        assert len(fake.chat(LAN)) == messages
        assert await stored(app, LAN) == ("Nguyễn Thị Lan", "birth_year")


async def test_a_429_is_waited_out_and_the_message_still_arrives(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock
) -> None:
    async with running(telegram_settings(sqlite_url, fake), clock):
        fake.fail_next("sendMessage", retry_after=1)
        started = time.monotonic()
        text = await Citizen(fake, LAN).say("/start")
        assert "Bạn có đồng ý không?" in text
        assert time.monotonic() - started >= 1
        assert fake.too_many == 1


async def test_a_400_from_telegram_is_final_and_the_chat_goes_on(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock
) -> None:
    async with running(telegram_settings(sqlite_url, fake), clock) as (app, service):
        fake.fail_next("sendMessage", status=400)  # e.g. "chat not found"
        fake.send_text(LAN, "/start")
        await settled(fake, service)
        assert [call.status for call in fake.calls_to("sendMessage")] == [400]  # tried once
        async with unit_of_work(app.sessions) as session:
            assert await status_counts(session) == {}  # not queued for a retry either
        assert "Bạn có đồng ý không?" in await Citizen(fake, LAN).say("/start")


async def test_a_person_who_blocked_the_bot_is_recorded_as_unreachable(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock
) -> None:
    async with running(telegram_settings(sqlite_url, fake), clock) as (app, service):
        await Citizen(fake, LAN).say("/start")
        fake.blocked.add(LAN)
        fake.send_text(LAN, "/tiep")
        await settled(fake, service)
        async with unit_of_work(app.sessions) as session:
            person = (await session.execute(select(Person))).scalar_one()
            assert person.unreachable_at is not None
        fake.blocked.discard(LAN)
        await Citizen(fake, LAN).say("/tiep")
        async with unit_of_work(app.sessions) as session:
            person = (await session.execute(select(Person))).scalar_one()
            assert person.unreachable_at is None


SYLLABLES = ["An", "Bình", "Chi", "Dũng", "Hà", "Khang", "Lan", "Minh", "Nga", "Phúc"]


def name_of(user: int) -> str:
    number = user - 5000
    return f"Người {SYLLABLES[number // 10]} {SYLLABLES[number % 10]}"


async def test_a_burst_from_100_people_keeps_each_persons_order(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock
) -> None:
    users = list(range(5000, 5100))
    for line in ("/start", "1", "NAME"):
        for user in users:
            fake.send_text(user, name_of(user) if line == "NAME" else line)
    assert fake.pending() == 300
    async with running(telegram_settings(sqlite_url, fake), clock) as (app, service):
        await fake.wait_for(lambda: all(len(fake.chat(u)) == 3 for u in users), seconds=60)
        await settled(fake, service)
        for user in users:
            texts = [message.text for message in fake.chat(user)]
            assert "Bạn có đồng ý không?" in texts[0]
            assert "Họ tên và năm sinh" in texts[1]
            assert "Bạn sinh năm nào?" in texts[2]
            assert await stored(app, user) == (name_of(user), "birth_year")


async def test_a_new_process_continues_the_assessment(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock
) -> None:
    settings = telegram_settings(sqlite_url, fake)
    async with running(settings, clock):
        lan = Citizen(fake, LAN)
        await register_until_scores(lan)
        await lan.tap("9")
    async with running(settings, clock) as (app, _service):
        lan = Citizen(fake, LAN)
        assert "Câu 3/10" in await lan.tap("8")
        async with unit_of_work(app.sessions) as session:
            person = (await session.execute(select(Person))).scalar_one()
        assert person.name == "Nguyễn Thị Lan"


async def test_a_failure_for_one_person_gets_an_apology_and_others_are_served(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_handle = app_module.handle

    async def failing_for_lan(event, state, ports):  # type: ignore[no-untyped-def]
        if event.user_ref == str(LAN):
            raise RuntimeError("bug")
        return await real_handle(event, state, ports)

    monkeypatch.setattr(app_module, "handle", failing_for_lan)
    async with running(telegram_settings(sqlite_url, fake), clock):
        assert "Xin lỗi" in await Citizen(fake, LAN).say("/start")
        assert "Bạn có đồng ý không?" in await Citizen(fake, MINH).say("/start")


async def test_a_passing_telegram_error_loses_neither_the_tap_nor_the_reply(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock
) -> None:
    async with running(telegram_settings(sqlite_url, fake), clock) as (app, _service):
        lan = Citizen(fake, LAN)
        await register_until_scores(lan)
        fake.fail_next("answerCallbackQuery", status=502)
        fake.fail_next("sendMessage", status=502)
        assert "Câu 2/10" in await lan.tap("7")
        assert (await stored(app, LAN))[1] == "ind:2"


async def crash_while(stuck: asyncio.Event, service: Gateway) -> None:
    """When `stuck` is set, end every person's task as a crash would: nothing of theirs runs
    after this point."""
    await asyncio.wait_for(stuck.wait(), timeout=10)
    for worker in list(service.tasks):
        worker.cancel()


async def hang(stuck: asyncio.Event, *args: object) -> None:
    stuck.set()
    await asyncio.Event().wait()


async def test_updates_fetched_before_a_crash_are_handled_after_restart(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = telegram_settings(sqlite_url, fake)
    stuck = asyncio.Event()
    async with running(settings, clock) as (app, service):
        await Citizen(fake, LAN).say("/start")
        with monkeypatch.context() as patch:
            patch.setattr(app, "dispatch", partial(hang, stuck))  # dies while handling "1"
            fake.send_text(LAN, "1")
            await asyncio.wait_for(stuck.wait(), timeout=10)
            await fake.wait_for(lambda: fake.pending() == 0, what="Telegram has it delivered")
            await crash_while(stuck, service)
    async with running(settings, clock):
        await fake.wait_for(lambda: "Họ tên và năm sinh" in fake.last(LAN).text, what="the answer")


async def test_a_reply_saved_but_not_sent_at_a_crash_is_sent_once_after_restart(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = telegram_settings(sqlite_url, fake)
    stuck = asyncio.Event()
    async with running(settings, clock) as (_app, service):
        with monkeypatch.context() as patch:
            patch.setattr(TelegramChannel, "send", partial(hang, stuck))
            fake.send_text(LAN, "/start")
            await crash_while(stuck, service)  # the answer is saved, its reply not sent
    assert fake.chat(LAN) == []
    async with running(settings, clock) as (_app, service):
        await fake.wait_for(lambda: fake.chat(LAN) != [], what="the saved reply")
        await service.idle()
    assert len(fake.chat(LAN)) == 1


async def test_a_crash_repeats_at_most_the_one_reply_in_flight_to_a_person(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = telegram_settings(sqlite_url, fake)
    stuck = asyncio.Event()
    async with running(settings, clock) as (_app, service):
        lan = Citizen(fake, LAN)
        for text in ("/start", "đồng ý", "Nguyễn Văn An, 1970"):  # to "which commune?"
            await lan.say(text)
        await service.idle()
        with monkeypatch.context() as patch:
            # No mark is written: the hang comes before the mark's unit of work, which on
            # SQLite holds the one write lock from its BEGIN IMMEDIATE and would stop intake.
            patch.setattr(service._delivered, "_flush", partial(hang, stuck))
            await lan.say("zzq 1")
            # zzq 2 is kept; it waits until zzq 1's reply is marked sent, which never comes.
            fake.send_text(LAN, "zzq 2")
            await fake.wait_for(lambda: fake.pending() == 0, what="zzq 2 kept")
            await crash_while(stuck, service)
    quoted = [m.text for m in fake.chat(LAN)[3:]]
    assert ["zzq 1" in t for t in quoted] == [True]
    async with running(settings, clock) as (_app, service):
        await fake.wait_for(lambda: len(fake.chat(LAN)) == 6, what="the replies after restart")
        await service.idle()
    quoted = [m.text for m in fake.chat(LAN)[3:]]
    assert ["zzq 1" in t for t in quoted] == [True, True, False]  # the one in flight, twice
    assert "zzq 2" in quoted[2]
