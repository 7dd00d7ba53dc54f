"""What one tap costs the database, counted (not timed): an update kept in the inbox and
dispatched is two transactions, the state read in one SELECT and written as a diff, so an
answer is one INSERT and nothing is deleted to be written again (issue 13). A ceiling per
tap makes a regression show; on SQLite and PostgreSQL."""

from dataclasses import dataclass, field
from itertools import count
from typing import Any

import pytest
from sqlalchemy import event

from bench.sql_counter import SqlCounter
from bot.app import App
from bot.settings import Settings
from conversations.events import InboundEvent, OutboundMessage
from storage import inbox
from storage.db import unit_of_work
from tests.bot.flows import answer_digital, register, score_all
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

    async def _dispatch(self, event: InboundEvent) -> list[OutboundMessage]:
        update_id = str(next(self.ids))
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
        into.append(sql.lstrip().upper()[:40])

    return statement
