"""Test helpers: a settable clock, databases, and a chat client that reads like a transcript."""

import asyncio
import concurrent.futures
import functools
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App
from conversations.events import EventKind, InboundEvent, OutboundMessage, from_typed_text
from storage.db import make_engine

POSTGRES_ENV = "CDHT_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_ENV = "CDHT_REQUIRE_POSTGRES"


@dataclass
class FakeClock:
    current: datetime = field(default_factory=lambda: datetime(2026, 11, 2, 2, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def postgres_url_or_skip() -> str:
    """The test database's URL; under pytest-xdist each worker gets a database of its own
    (`<name>_gw0`, …, created on first use), since every test empties its database."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get(REQUIRE_POSTGRES_ENV) == "1":
            pytest.fail(f"{REQUIRE_POSTGRES_ENV}=1 but {POSTGRES_ENV} is not set")
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _own_database(url, worker) if worker else url


@functools.cache
def _own_database(url: str, worker: str) -> str:
    """`url` with the worker's name appended to the database, created if it is missing."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    own = base.set(database=name).render_as_string(hide_password=False)

    async def create() -> None:
        engine = make_engine(url)
        try:
            async with engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                query = text("SELECT 1 FROM pg_database WHERE datname = :name")
                if (await autocommit.execute(query, {"name": name})).first() is None:
                    await autocommit.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            await engine.dispose()

    # Called from sync and async fixtures alike: a thread has a loop of its own.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, create()).result()
    return own


async def reset_postgres(url: str) -> AsyncEngine:
    """An engine on an emptied database, or skip (fail when PostgreSQL is required)."""
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    except (OSError, Exception) as error:
        await engine.dispose()
        if os.environ.get(REQUIRE_POSTGRES_ENV) == "1":
            pytest.fail(f"PostgreSQL is required but unreachable: {type(error).__name__}")
        pytest.skip(f"PostgreSQL unreachable: {type(error).__name__}")
    return engine


@dataclass
class Chat:
    """One person talking to the app; assertions read what that person would see."""

    app: App
    user: str = "u1"
    channel: str = "console"
    locale_hint: str | None = None
    seen: list[OutboundMessage] = field(default_factory=list)

    async def send(self, line: str) -> list[OutboundMessage]:
        event = from_typed_text(self.channel, self.user, line, locale_hint=self.locale_hint)
        return await self._dispatch(event)

    async def click(self, label: str) -> list[OutboundMessage]:
        ids = [c.id for c in self.last.choices if c.label == label]
        assert ids, f"no button {label!r} in {self.labels}"
        return await self.press(ids[0])

    async def press(self, choice_id: str) -> list[OutboundMessage]:
        event = InboundEvent(
            self.channel,
            self.user,
            EventKind.CHOICE,
            choice_id=choice_id,
            locale_hint=self.locale_hint,
        )
        return await self._dispatch(event)

    async def _dispatch(self, event: InboundEvent) -> list[OutboundMessage]:
        replies = await self.app.dispatch(event)
        self.seen.extend(replies)
        self.latest = replies
        return replies

    latest: list[OutboundMessage] = field(default_factory=list)

    @property
    def last(self) -> OutboundMessage:
        return self.latest[-1]

    @property
    def text(self) -> str:
        """Everything shown after the last input, as one text."""
        return "\n".join(message.text for message in self.latest)

    @property
    def labels(self) -> list[str]:
        return [choice.label for choice in self.last.choices if not choice.nav]


ROOT = Path(__file__).resolve().parent.parent


def run_cdht(
    *args: str, database: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    """The `cdht` command in a child process, on its own SQLite file, as an operator types it."""
    environment = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{database}", **env}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=120,
        check=False,
    )
