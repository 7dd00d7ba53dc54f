"""The database away for a while: SQLite locked by another writer, PostgreSQL unreachable.
Updates are not acknowledged while they cannot be kept (polling does not move its offset,
the webhook answers 503, so Telegram sends them again); once the database is back every
update is answered, once. And `cdht run` started on hundreds of waiting updates handles all
of them, each once."""

import sqlite3
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from bot.gateway import Gateway
from storage import db, inbox
from storage.db import make_engine, make_sessionmaker, unit_of_work
from storage.migrate import upgrade
from tests.e2e.processes import (
    HOOK,
    PATIENCE,
    SECRET,
    BotProcess,
    TcpProxy,
    bot_environment,
    post_until_accepted,
)
from tests.e2e.telegram_support import running, telegram_settings
from tests.fakes.local_server import wait_until
from tests.fakes.telegram_api import FakeTelegram, webhook_headers
from tests.support import FakeClock, postgres_url_or_skip, reset_postgres

PEOPLE = range(800_001, 800_011)
CONSENT, NAME, COMMUNE = "Bạn có đồng ý không?", "Họ tên và năm sinh", "xã, phường nào"


class CountingKeep:
    """Wraps the gateway's intake (Gateway.keep) to see it try while the database is away:
    on SQLite the unit of work already fails to begin, before the inbox's INSERT."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.failures = 0
        original = Gateway.keep

        async def counted(gateway: Gateway, *args: Any, **kwargs: Any) -> list[str]:
            try:
                return await original(gateway, *args, **kwargs)
            except Exception:
                self.failures += 1
                raise

        monkeypatch.setattr(Gateway, "keep", counted)


def webhook_url(gateway: Gateway) -> str:
    assert gateway.http is not None
    return f"http://127.0.0.1:{gateway.http.port}/telegram/hook"


def settings_for(database: str, fake: FakeTelegram, mode: str) -> Any:
    extra: dict[str, Any] = {}
    if mode == "webhook":
        extra = {
            "TELEGRAM_WEBHOOK_URL": HOOK,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "CDHT_HTTP_PORT": 0,
        }
    return telegram_settings(database, fake, **extra)


async def start_everyone(fake: FakeTelegram, gateway: Gateway, mode: str) -> None:
    """Each person says /start and gets the consent question: the database works."""
    async with httpx.AsyncClient(timeout=PATIENCE) as client:
        for person in PEOPLE:
            update = fake.send_text(person, "/start")
            if mode == "webhook":
                await post_until_accepted(client, webhook_url(gateway), update)
    await fake.wait_for(lambda: all(fake.chat(p) for p in PEOPLE), seconds=PATIENCE)
    await gateway.idle()


async def consent_while_away(
    fake: FakeTelegram, gateway: Gateway, mode: str, keep: CountingKeep
) -> list[dict[str, Any]]:
    """Everyone consents while the database is away: nothing may be acknowledged."""
    updates = [fake.send_text(person, "đồng ý") for person in PEOPLE]
    if mode == "webhook":
        async with httpx.AsyncClient(timeout=PATIENCE) as client:
            for update in updates:
                response = await client.post(
                    webhook_url(gateway), json=update, headers=webhook_headers(SECRET)
                )
                assert response.status_code == 503  # Telegram will send it again
    else:
        await wait_until(lambda: keep.failures >= 2, seconds=PATIENCE, what="keep to fail")
        assert fake.pending() == len(PEOPLE)  # the offset did not move past them
    assert [len(fake.chat(p)) for p in PEOPLE] == [1] * len(PEOPLE)
    return updates


async def answered_once_back(
    fake: FakeTelegram, gateway: Gateway, mode: str, updates: Sequence[dict[str, Any]]
) -> None:
    if mode == "webhook":  # Telegram's retries now get 200
        async with httpx.AsyncClient(timeout=PATIENCE) as client:
            for update in updates:
                await post_until_accepted(client, webhook_url(gateway), update)
    else:
        await fake.wait_for(lambda: fake.pending() == 0, seconds=PATIENCE, what="offsets")
    await fake.wait_for(lambda: all(len(fake.chat(p)) >= 2 for p in PEOPLE), seconds=PATIENCE)
    await gateway.idle()
    for person in PEOPLE:
        texts = [message.text for message in fake.chat(person)]
        assert [CONSENT in texts[0], NAME in texts[-1], len(texts)] == [True, True, 2], texts


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_sqlite_locked_by_another_writer_delays_answers_and_drops_nothing(
    mode: str,
    fake: FakeTelegram,
    sqlite_url: str,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A write gives up after 0.5 s instead of 30 s: the lock below outlasts it, as a long
    # backup or a stuck operator command would.
    monkeypatch.setattr(db, "SQLITE_BUSY_SECONDS", 0.5)
    keep = CountingKeep(monkeypatch)
    async with running(settings_for(sqlite_url, fake, mode), clock) as (_app, gateway):
        await start_everyone(fake, gateway, mode)
        other = sqlite3.connect(str(make_url(sqlite_url).database), isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            updates = await consent_while_away(fake, gateway, mode, keep)
        finally:
            other.execute("ROLLBACK")
            other.close()
        await answered_once_back(fake, gateway, mode, updates)


@pytest.fixture
async def proxied_postgres() -> AsyncIterator[tuple[str, TcpProxy]]:
    url = make_url(postgres_url_or_skip())
    engine = await reset_postgres(url.render_as_string(hide_password=False))
    await upgrade(engine)
    await engine.dispose()
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    port = await proxy.start()
    yield url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False), proxy
    await proxy.close()


@pytest.mark.postgres
@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_postgresql_unreachable_delays_answers_and_drops_nothing(
    mode: str,
    fake: FakeTelegram,
    proxied_postgres: tuple[str, TcpProxy],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database, proxy = proxied_postgres
    keep = CountingKeep(monkeypatch)
    async with running(settings_for(database, fake, mode), clock) as (_app, gateway):
        await start_everyone(fake, gateway, mode)
        await proxy.cut()
        try:
            updates = await consent_while_away(fake, gateway, mode, keep)
            assert proxy.refused > 0
        finally:
            await proxy.restore()
        await answered_once_back(fake, gateway, mode, updates)


async def test_cdht_run_starts_on_hundreds_of_waiting_updates_and_answers_each_once(
    fake: FakeTelegram, sqlite_url: str, tmp_path: Path
) -> None:
    people = range(900_001, 900_121)
    lines = ("/start", "đồng ý", "Nguyễn Văn An, 1970")
    waiting = [
        (str(update["update_id"]), update)
        for person in people
        for update in [fake.send_text(person, line) for line in lines]
    ]
    fake.confirm_all()  # the previous process took them from Telegram, kept them, and died
    engine = make_engine(sqlite_url)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        assert len(await inbox.keep(session, "telegram", waiting, datetime.now(UTC))) == 360
    bot = BotProcess(bot_environment(sqlite_url, fake, None), tmp_path / "bot.log")
    await bot.start()
    try:
        await bot.wait_for(
            lambda: all(len(fake.chat(p)) >= len(lines) for p in people),
            what="every waiting update answered",
        )
        await bot.wait_for(lambda: len(fake.calls_to("getUpdates")) >= 2, what="polling")
        assert await bot.stop() == 0
    finally:
        await bot.ensure_dead()
        await engine.dispose()
    for person in people:
        texts = [message.text for message in fake.chat(person)]
        assert len(texts) == len(lines), texts
        expected = [CONSENT, NAME, COMMUNE]
        assert [e in text for e, text in zip(expected, texts, strict=True)] == [True] * 3, texts
    assert "Traceback" not in bot.output()
