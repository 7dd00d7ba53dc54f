"""The outbox under stress, with real processes and the real PTB stack: a sender killed in
the middle of a fan-out, two senders at once on PostgreSQL, and the rate limits."""

import asyncio
import collections
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.outbox import Sender
from bot.settings import Settings
from storage.db import make_engine, make_sessionmaker, unit_of_work
from storage.migrate import upgrade
from storage.models import OutboxMessage
from storage.outbox_queue import status_counts
from tests.fakes.telegram_api import TOKEN, Call, FakeTelegram
from tests.support import FakeClock, postgres_url_or_skip, reset_postgres

ROOT = Path(__file__).resolve().parents[2]
FIRST_CHAT = 100_000


async def queue_messages(engine: AsyncEngine, count: int, per_chat: int = 1) -> None:
    now = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    rows = [
        {
            "key": f"test:{number}",
            "campaign": "test:1:2026",
            "channel": "telegram",
            "user_ref": str(FIRST_CHAT + number // per_chat),
            "text": f"tin {number}",
            "choices": [],
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for number in range(count)
    ]
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await session.execute(insert(OutboxMessage), rows)


def received(fake: FakeTelegram, chats: int) -> collections.Counter[str]:
    return collections.Counter(
        message.text
        for chat in range(FIRST_CHAT, FIRST_CHAT + chats)
        for message in fake.chat(chat)
    )


async def drain(
    database: str, fake: FakeTelegram, overall: int = 100_000
) -> asyncio.subprocess.Process:
    """`cdht outbox drain` in a child process, at `overall` messages per second."""
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": fake.root,
        "TELEGRAM_RATE_OVERALL": str(overall),
        "TELEGRAM_RATE_PER_CHAT": "100000",
        "CDHT_LOG_LEVEL": "WARNING",
        "CDHT_LOCALE": "en",  # "{n} messages sent." is read below
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "outbox",
        "drain",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def hold_after(
    count: int, reached: asyncio.Event, release: asyncio.Event
) -> Callable[[Call], Awaitable[None]]:
    seen = 0

    async def hook(call: Call) -> None:
        nonlocal seen
        seen += 1
        if seen == count:
            reached.set()
            await release.wait()

    return hook


@pytest.mark.slow
async def test_a_sender_killed_mid_fan_out_sends_every_message_exactly_once(
    tmp_path: Path,
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'cdht.db'}"
    engine = make_engine(database)
    await upgrade(engine)
    await queue_messages(engine, 10_000)
    reached, release = asyncio.Event(), asyncio.Event()
    async with FakeTelegram() as fake:
        fake.after_send = hold_after(3_000, reached, release)
        first = await drain(database, fake)
        await asyncio.wait_for(reached.wait(), timeout=300)
        first.send_signal(signal.SIGKILL)  # Telegram has message 3,000; the sender never hears
        await first.wait()
        release.set()
        fake.after_send = None
        second = await drain(database, fake)
        _out, err = await asyncio.wait_for(second.communicate(), timeout=600)
        assert second.returncode == 0, err.decode()
        counts = received(fake, 10_000)
    assert len(counts) == 10_000
    assert set(counts.values()) == {1}
    async with unit_of_work(make_sessionmaker(engine)) as session:
        statuses = await status_counts(session)
    # The message in flight at the crash stays marked as in doubt and is never resent.
    assert statuses == {"sent": 9_999, "sending": 1}
    await engine.dispose()


async def test_two_senders_on_postgresql_send_each_message_once() -> None:
    url = postgres_url_or_skip()
    engine = await reset_postgres(url)
    await upgrade(engine)
    await queue_messages(engine, 2_000)
    async with FakeTelegram() as fake:
        senders = [await drain(url, fake), await drain(url, fake)]
        results = await asyncio.gather(*(s.communicate() for s in senders))
        for sender, (_out, err) in zip(senders, results, strict=True):
            assert sender.returncode == 0, err.decode()
        counts = received(fake, 2_000)
        sent_by = [int(out.decode().split()[0]) for out, _err in results]
    assert len(counts) == 2_000
    assert set(counts.values()) == {1}
    assert sum(sent_by) == 2_000
    async with unit_of_work(make_sessionmaker(engine)) as session:
        assert await status_counts(session) == {"sent": 2_000}
    await engine.dispose()


@pytest.mark.slow
async def test_3000_messages_under_the_real_limits_get_no_429(
    sqlite_url: str, clock: FakeClock
) -> None:
    """30 messages/s overall and 1/s per chat, as Telegram: ~2 minutes of sending."""
    async with FakeTelegram(overall_per_second=30, per_chat_per_second=1) as fake:
        settings = Settings(
            DATABASE_URL=sqlite_url, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=fake.root
        )
        app = App(settings)  # the real clock: the limits are about real seconds
        channel = TelegramChannel(settings)
        await channel.open()
        try:
            await queue_messages(app.engine, 3_000, per_chat=3)
            started = asyncio.get_running_loop().time()
            sent = await Sender(app, {"telegram": channel}).drain()
            elapsed = asyncio.get_running_loop().time() - started
        finally:
            await channel.close()
            await app.close()
        assert sent == 3_000
        assert fake.too_many == 0
        assert set(received(fake, 1_000).values()) == {1}
        print(f"\n3,000 messages in {elapsed:.1f} s: {3_000 / elapsed:.1f} messages/s")


@pytest.mark.slow
async def test_three_senders_together_keep_the_overall_limit() -> None:
    """3,000 messages from three senders at once against a fake that answers 429 above 30
    messages/s overall: the budget is the bot's, shared through PostgreSQL, not each
    sender's (three senders pacing alone would send 81/s)."""
    url = postgres_url_or_skip()
    engine = await reset_postgres(url)
    await upgrade(engine)
    await queue_messages(engine, 3_000)
    async with FakeTelegram(overall_per_second=30, per_chat_per_second=1) as fake:
        started = asyncio.get_running_loop().time()
        senders = [await drain(url, fake, overall=30) for _ in range(3)]
        results = await asyncio.gather(*(s.communicate() for s in senders))
        elapsed = asyncio.get_running_loop().time() - started
        for sender, (_out, err) in zip(senders, results, strict=True):
            assert sender.returncode == 0, err.decode()
        counts = received(fake, 3_000)
        sent_by = [int(out.decode().split()[0]) for out, _err in results]
        assert fake.too_many == 0
    assert len(counts) == 3_000
    assert set(counts.values()) == {1}
    assert sum(sent_by) == 3_000
    assert min(sent_by) > 0, sent_by  # all three sent
    print(f"\n3 senders, 3,000 messages in {elapsed:.1f} s: {3_000 / elapsed:.1f}/s {sent_by}")
    await engine.dispose()
