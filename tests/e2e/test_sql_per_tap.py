"""What one tap costs the database, counted (not timed): an update kept in the inbox and
dispatched is two transactions, the state read in one SELECT and written as a diff, so an
answer is one INSERT and nothing is deleted to be written again (issue 13). A ceiling per
tap makes a regression show; on SQLite and PostgreSQL."""

import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import pytest
from sqlalchemy import event
from telegram import Update

from bench.sql_counter import SqlCounter
from bot import gateway as gateway_module
from bot.app import App
from bot.settings import Settings
from conversations.events import InboundEvent, OutboundMessage
from storage import inbox
from storage.db import unit_of_work
from tests.bot.flows import answer_digital, register, score_all
from tests.e2e.telegram_support import Citizen, register_until_scores, running, telegram_settings
from tests.fakes.telegram_api import FakeTelegram
from tests.support import Chat, FakeClock, postgres_url_or_skip, reset_postgres

# Per tap: keep (BEGIN on SQLite, INSERT) and dispatch (BEGIN on SQLite, the state SELECT,
# the step, the assessment's figures, the answer, the inbox row): 8 on SQLite, 6 without
# BEGIN statements on PostgreSQL.
STATEMENTS_PER_ANSWER = 8
COMMITS_PER_TAP = 2
# The whole assessment (registration, 10 scores, 10 digital answers, sending) on average.
STATEMENTS_PER_UPDATE = 9


@dataclass
class InboxChat(Chat):
    """A person whose every message goes through the inbox, as a channel's updates do."""

    counter: SqlCounter = field(default_factory=SqlCounter)
    sql: list[str] = field(default_factory=list)
    taps: list[tuple[int, int, list[str]]] = field(default_factory=list)
    ids: Any = field(default_factory=lambda: count(1))
    last_id: str = ""

    async def _dispatch(self, event: InboundEvent) -> list[OutboundMessage]:
        update_id = self.last_id = str(next(self.ids))
        self.counter.reset()
        self.sql.clear()
        async with unit_of_work(self.app.sessions) as session:
            await inbox.keep(session, self.channel, [(update_id, {})], self.app.clock.now())
        replies = await self.app.dispatch(event, (self.channel, update_id))
        self.taps.append((self.counter.statements, self.counter.commits, list(self.sql)))
        self.seen.extend(replies)
        self.latest = replies
        return replies


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    if request.param == "sqlite":
        return sqlite_url
    url = postgres_url_or_skip()
    await (await reset_postgres(url)).dispose()
    return url


async def test_an_answer_is_a_few_statements_in_two_commits(
    database: str, clock: FakeClock
) -> None:
    app = App(Settings(DATABASE_URL=database), clock=clock)
    try:
        await app.prepare_database()
        chat = InboxChat(app, user="tap", locale_hint="en")
        chat.counter.attach(app.engine)
        event.listen(app.engine.sync_engine, "before_cursor_execute", _record(chat.sql))
        await register(chat)
        registered = len(chat.taps)
        await score_all(chat, [9, 8, 10, 7, 6, 5, 8, 9, 9, 9])
        await answer_digital(chat)
        await chat.click("Send for confirmation")
    finally:
        await app.close()
    assert "sent" in chat.text.lower()
    answers = chat.taps[registered : registered + 20]  # 10 scores, 10 digital answers
    for statements, commits, sql in answers:
        assert commits == COMMITS_PER_TAP, sql
        assert statements <= STATEMENTS_PER_ANSWER, sql
        assert not [s for s in sql if s.startswith("DELETE")], sql
        assert sum(s.startswith("INSERT INTO ANSWERS") for s in sql) == 1, sql
    every = [statements for statements, _, _ in chat.taps]
    assert sum(every) / len(every) <= STATEMENTS_PER_UPDATE, every
    assert all(commits == COMMITS_PER_TAP for _, commits, _ in chat.taps)


def _record(into: list[str]) -> Any:
    def statement(_conn: object, _cursor: object, sql: str, *_: object) -> None:
        into.append(" ".join(sql.upper().split())[:80])

    return statement


# Through the gateway, per tap: the inbox keep (a transaction of its own, committed before
# the platform is told), the answer, and the batch marking the reply sent. On SQLite the
# gateway answers from what it kept, reading no inbox row; on PostgreSQL it reads the
# person's rows once, on the connection holding their claim (no commit).
GATEWAY_COMMITS_PER_TAP = 3
INBOX_READS_PER_TAP = {"sqlite": 0, "postgresql": 2}


async def test_through_the_gateway_a_tap_is_three_commits_and_one_reading(
    database: str, fake: FakeTelegram, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No sweep during the count: it looks for people nobody serves, once a second.
    monkeypatch.setattr(gateway_module, "SWEEP_EVERY", 3600.0)
    readings = _count_readings(monkeypatch)
    settings = telegram_settings(database, fake)
    first = App(settings, clock=clock)
    await first.prepare_database()
    await first.close()
    async with running(settings, clock) as (app, gateway):
        citizen = Citizen(fake, 920_001)
        await register_until_scores(citizen)
        await gateway.idle()
        counter = SqlCounter().attach(app.engine)
        sql: list[str] = []
        event.listen(app.engine.sync_engine, "before_cursor_execute", _record(sql))
        taps = []
        for score in ("9", "8", "10", "7"):
            counter.reset()
            sql.clear()
            readings.clear()
            await citizen.tap(score)
            await gateway.idle()
            taps.append((counter.commits, list(sql), len(readings)))
    dialect = "sqlite" if database.startswith("sqlite") else "postgresql"
    for commits, statements, read in taps:
        assert commits == GATEWAY_COMMITS_PER_TAP, statements
        inbox_reads = [s for s in statements if s.startswith("SELECT") and "FROM INBOX" in s]
        assert len(inbox_reads) <= INBOX_READS_PER_TAP[dialect], statements
        # PTB reads the update once, when getUpdates returns it; the gateway and the
        # adapter reuse that reading to answer and to edit the question.
        assert read == 1


def _count_readings(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    readings: list[object] = []
    original = Update.de_json

    def de_json(data: Any, bot: Any = None) -> Any:
        readings.append(data)
        return original(data, bot)

    monkeypatch.setattr(Update, "de_json", staticmethod(de_json))
    return readings


# Tables that grow with every person and update: a statement on the answer path must find
# its rows by an index, never read the whole table (a month of inbox rows, say).
GROWING = ("inbox", "people", "conversations", "assessments", "answers", "outbox")


async def test_no_statement_on_the_answer_path_scans_a_growing_table(
    sqlite_url: str, clock: FakeClock
) -> None:
    app = App(Settings(DATABASE_URL=sqlite_url), clock=clock)
    seen: dict[str, Any] = {}

    def statement(_conn: object, _cursor: object, sql: str, params: Any, *_: object) -> None:
        if not sql.lstrip().upper().startswith(("BEGIN", "COMMIT", "PRAGMA")):
            seen.setdefault(sql, params)

    try:
        await app.prepare_database()
        chat = MarkedChat(app, user="plan", locale_hint="en")
        event.listen(app.engine.sync_engine, "before_cursor_execute", statement)
        await register(chat)
        await score_all(chat, [9, 8, 10, 7, 6, 5, 8, 9, 9, 9])
        await answer_digital(chat)
        await chat.click("Send for confirmation")
    finally:
        await app.close()
    database = sqlite_url.split("///", 1)[1]
    scans = {}
    with closing(sqlite3.connect(database)) as connection:
        for sql, params in seen.items():
            plan = connection.execute(f"EXPLAIN QUERY PLAN {sql}", params or ()).fetchall()
            found = [row[3] for row in plan if re.match(rf"SCAN ({'|'.join(GROWING)})\b", row[3])]
            if found:
                scans[" ".join(sql.split())[:120]] = found
    assert "UPDATE INBOX" in " ".join(s.upper() for s in seen)  # the marks were there
    assert scans == {}


@dataclass
class MarkedChat(InboxChat):
    """As InboxChat, and the replies are marked sent as the gateway does under load: this
    update's with another's in one batch."""

    async def _dispatch(self, event: InboundEvent) -> list[OutboundMessage]:
        replies = await super()._dispatch(event)
        batch = [(self.channel, self.last_id), (self.channel, "0"), ("zalo", self.last_id)]
        async with unit_of_work(self.app.sessions) as session:
            await inbox.delivered(session, batch, self.app.clock.now())
        return replies


async def test_the_sweep_for_unsent_replies_reads_only_unsent_rows(sqlite_url: str) -> None:
    """Each worker looks for unsent replies every second: by the partial index, not through
    every update handled in the last hour."""
    app = App(Settings(DATABASE_URL=sqlite_url))
    seen: list[tuple[str, Any]] = []

    def statement(_conn: object, _cursor: object, sql: str, params: Any, *_: object) -> None:
        seen.append((sql, params))

    try:
        await app.prepare_database()
        event.listen(app.engine.sync_engine, "before_cursor_execute", statement)
        async with unit_of_work(app.sessions) as session:
            now = app.clock.now()
            await inbox.unsent_people(session, now, now)
    finally:
        await app.close()
    with closing(sqlite3.connect(sqlite_url.split("///", 1)[1])) as connection:
        plans = [
            row[3]
            for sql, params in seen
            for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}", params or ())
        ]
    assert any("ix_inbox_unsent" in step for step in plans), plans
