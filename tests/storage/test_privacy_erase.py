"""Deleting a person's data (Law 91/2025/QH15): afterwards no table, and no log line of the
whole test, holds their name, birth year, answers or evidence; the year's counts stay right.
Retention: old drafts and old message payloads are purged. On SQLite and PostgreSQL."""

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import logs
from bot.app import App
from bot.outbox import deliver
from bot.personal_data import purge_expired
from bot.scheduler import Campaigns
from bot.settings import Settings
from conversations.digest import Digest
from conversations.events import OutboundMessage
from conversations.roles import RoleName
from storage.db import make_sessionmaker, unit_of_work
from storage.digests import build_digest
from storage.directory import SqlDirectory
from storage.leadership import create_invite
from storage.models import (
    AccessRecord,
    AnswerRow,
    AssessmentRow,
    ConsentRecord,
    InboxUpdate,
    OutboxMessage,
    Person,
)
from storage.retention import purge
from tests.bot.flows import answer_digital, group_label, register, score_all
from tests.support import Chat, FakeClock

NAME = "Trịnh Thị Hoa"
BIRTH_YEAR = "1957"
EVIDENCE = "Lớp đan lát ở nhà văn hóa thôn"
RETURN_REASON = "Cần ghi rõ lớp đan lát"
# Reference data (the administrative units) may contain any 4-digit number in its codes.
REFERENCE_TABLES = {"org_units", "alembic_version", "apscheduler_jobs"}


@pytest.fixture
async def app(engine: AsyncEngine, clock: FakeClock, tmp_path: Path) -> AsyncIterator[App]:
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(DATABASE_URL=url, CDHT_REPORTS_DIR=str(tmp_path / "reports"))
    application = App(settings, clock=clock)
    yield application
    await application.close()


async def commune_id(app: App) -> int:
    async with unit_of_work(app.sessions) as session:
        return (await SqlDirectory(session).search_communes("hai hau", 1))[0].id


async def leader(app: App) -> Chat:
    async with unit_of_work(app.sessions) as session:
        code = await create_invite(
            session, RoleName.COMMUNE, await commune_id(app), app.clock.now()
        )
    chat = Chat(app, user="lead", locale_hint="en")
    await chat.send(f"/vaitro {code}")
    return chat


async def citizen(app: App, user: str, name: str, year: str, note: str | None) -> Chat:
    chat = Chat(app, user=user, locale_hint="en")
    await chat.send("/batdau")
    await chat.click("I agree")
    await chat.send(name)
    await chat.send(year)
    await chat.send("hai hau")  # one commune by that name: chosen without a list
    await chat.send("Xóm 3")
    await chat.click(group_label("a"))
    await score_all(chat, [9] * 10, note)
    await answer_digital(chat)
    await chat.click("Send for confirmation")
    return chat


async def digest_of(app: App) -> Digest:
    async with unit_of_work(app.sessions) as session:
        found = await build_digest(
            session, await commune_id(app), 2026, app.clock.now(), app.settings.timezone
        )
    assert found is not None
    return found


async def leaks(engine: AsyncEngine, needles: list[str], *, skip: set[str]) -> list[str]:
    """Every table and column (reflected from the database) whose value contains a needle."""
    metadata = MetaData()
    async with engine.connect() as connection:
        await connection.run_sync(metadata.reflect)
        found = []
        for table in metadata.sorted_tables:
            if table.name in skip:
                continue
            for row in await connection.execute(select(table)):
                found += _hits(table, row._mapping, needles)
    return found


def _hits(table: Table, row: Any, needles: list[str]) -> list[str]:
    return [
        f"{table.name}.{column}"
        for column, value in row.items()
        if value is not None and any(needle in str(value) for needle in needles)
    ]


async def test_delete_leaves_no_trace_and_the_counts_stay_right(
    app: App, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    logs.quiet_libraries()  # as `cdht run` sets them up, then everything at DEBUG
    caplog.set_level(logging.DEBUG)
    hoa = await citizen(app, "hoa", NAME, BIRTH_YEAR, EVIDENCE)
    await citizen(app, "binh", "Phạm Văn Bình", "1962", None)
    lead = await leader(app)
    await lead.send("/lanhdao")
    await lead.click("Waiting for a decision (2)")
    await lead.click(f"{NAME} · Xóm 3 · 90")
    assert EVIDENCE in lead.text
    await lead.click("Confirm and recognise")
    await lead.click(f"Yes, recognise {NAME}")
    async with unit_of_work(app.sessions) as session:
        person = (
            await session.execute(select(Person).where(Person.user_ref == "hoa"))
        ).scalar_one()
        # Her Telegram-like update still in the inbox, a leader's digest naming her, and a
        # return reason: all must go.
        session.add(
            InboxUpdate(
                channel="console",
                update_id="77",
                payload={"message": {"from": {"id": "hoa", "first_name": NAME}}},
                received_at=app.clock.now(),
            )
        )
        await session.execute(
            AssessmentRow.__table__.update()
            .where(AssessmentRow.person_id == person.id)
            .values(return_reason=RETURN_REASON)
        )
        lead_digest = OutboxMessage(
            key="digest:test",
            channel="console",
            user_ref="lead",
            text=f"Chưa liên lạc được: {NAME} (Xóm 3)",
            choices=[],
            status="sent",
            attempts=1,
            next_attempt_at=app.clock.now(),
            created_at=app.clock.now(),
        )
        session.add(lead_digest)
    before = await digest_of(app)
    assert NAME in [row.name for row in before.recognised_people]

    await hoa.send("/dulieu")
    await hoa.click("Delete my data")
    assert "This cannot be undone." in hoa.text
    await hoa.click("No")  # asks once; "No" changes nothing
    assert "What would you like to do?" in hoa.text
    await hoa.click("Delete my data")
    await hoa.click("Yes, delete")
    assert "Your data is deleted." in hoa.text
    assert "What remains: 1 line(s) without your name" in hoa.text

    needles = [NAME, EVIDENCE, RETURN_REASON]
    assert await leaks(engine, needles, skip=set()) == []
    assert await leaks(engine, [BIRTH_YEAR], skip=REFERENCE_TABLES) == []
    assert not any(needle in caplog.text for needle in [*needles, BIRTH_YEAR])

    after = await digest_of(app)
    assert after.totals == before.totals  # the anonymous row keeps the year's counts
    assert after.adults == before.adults
    assert [row.name for row in after.recognised_people] == []
    assert [row.name for row in after.pending_people] == ["Phạm Văn Bình"]
    async with unit_of_work(app.sessions) as session:
        stub = (
            await session.execute(select(Person).where(Person.erased_at.is_not(None)))
        ).scalar_one()
        assert (stub.name, stub.birth_year, stub.channel) == (None, None, "erased")
        assessment = (
            await session.execute(select(AssessmentRow).where(AssessmentRow.person_id == stub.id))
        ).scalar_one()
        assert (assessment.status, assessment.total) == ("recognised", 90)
        answers = select(AnswerRow).where(AnswerRow.assessment_id == assessment.id)
        assert (await session.execute(answers)).first() is None
        # The proof of consent and the access record stay, tied to the anonymous row only.
        consent = select(ConsentRecord).where(ConsentRecord.person_id == stub.id)
        assert (await session.execute(consent)).scalar_one().action == "given"
        access = select(AccessRecord).where(AccessRecord.subject_id == stub.id)
        assert (await session.execute(access)).scalars().first() is not None

    # She can start again as a new person; nothing of the old one comes back.
    await hoa.send("/batdau")
    assert "Do you agree?" in hoa.text


async def test_deleting_a_person_without_an_assessment_removes_the_row(app: App) -> None:
    chat = Chat(app, user="an", locale_hint="en")
    await register(chat)
    await chat.send("/dulieu")
    await chat.click("Delete my data")
    await chat.click("Yes, delete")
    assert "What remains" not in chat.text
    async with unit_of_work(app.sessions) as session:
        assert (await session.execute(select(Person))).first() is None


async def test_a_pending_reminder_to_a_deleted_person_is_never_sent(app: App) -> None:
    chat = Chat(app, user="an", locale_hint="en")
    await register(chat)
    async with unit_of_work(app.sessions) as session:
        session.add(
            OutboxMessage(
                key="reminder:x",
                channel="console",
                user_ref="an",
                text="Còn 10 chỉ số",
                choices=[],
                status="pending",
                attempts=0,
                next_attempt_at=app.clock.now(),
                created_at=app.clock.now(),
            )
        )
    await chat.send("/dulieu")
    await chat.click("Delete my data")
    await chat.click("Yes, delete")
    received: list[OutboundMessage] = []

    async def send(_user: str, message: OutboundMessage) -> str:
        received.append(message)
        return "sent"

    await deliver(app, "console", send, "an")
    assert received == []


NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def _draft(person_id: int, season: int, status: str, changed: datetime) -> AssessmentRow:
    return AssessmentRow(
        person_id=person_id,
        season=season,
        questionnaire="cdht-2023",
        target_group="a",
        status=status,
        total=9,
        answered=1,
        recognised=False,
        started_at=changed,
        updated_at=changed,
    )


def _update(update_id: str, received: datetime, **values: Any) -> InboxUpdate:
    return InboxUpdate(
        channel="telegram",
        update_id=update_id,
        payload=values.pop("payload", {}),
        received_at=received,
        **values,
    )


def _message(key: str, status: str, created: datetime) -> OutboxMessage:
    return OutboxMessage(
        key=key,
        channel="console",
        user_ref="p",
        text=f"text of {key}",
        choices=[],
        status=status,
        attempts=0,
        next_attempt_at=created,
        created_at=created,
    )


async def test_retention_purges_old_drafts_and_payloads(engine: AsyncEngine) -> None:
    old, recent = NOW - timedelta(days=400), NOW - timedelta(days=3)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        people = []
        for number in range(4):
            person = Person(
                channel="console",
                user_ref=f"p{number}",
                locale="vi",
                created_at=old,
                updated_at=old,
            )
            session.add(person)
            people.append(person)
        await session.flush()
        rows = [
            _draft(people[0].id, 2025, "draft", old),  # purged
            _draft(people[1].id, 2026, "draft", recent),  # kept: still being filled in
            _draft(people[2].id, 2025, "submitted", old),  # kept: sent, part of a year's count
            _draft(people[3].id, 2025, "returned", old),  # kept: waits for the person
        ]
        session.add_all(rows)
        await session.flush()
        session.add(AnswerRow(assessment_id=rows[0].id, item_id="1", score=9, note="cũ"))
        session.add_all(
            [
                _update("1", old, payload={"a": 1}),
                _update("2", recent, payload={"b": 2}),
                # Replies sent: the recipient is no longer needed. Replies never sent within
                # the period: given up.
                _update("3", recent, done_at=recent, user_ref="u3", replied_at=recent),
                _update("4", old, done_at=old, user_ref="u4", replies=[{"text": "Lê Văn Tư"}]),
                _message("old-sent", "sent", old),
                _message("old-pending", "pending", old),  # still to send: left alone
                _message("new-sent", "sent", recent),
            ]
        )
    async with unit_of_work(make_sessionmaker(engine)) as session:
        done = await purge(session, NOW - timedelta(days=365), NOW - timedelta(days=30))
    assert (done.drafts, done.inbox, done.outbox) == (1, 1, 1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        left = {
            (r.season, r.status) for r in (await session.execute(select(AssessmentRow))).scalars()
        }
        assert left == {(2026, "draft"), (2025, "submitted"), (2025, "returned")}
        assert (await session.execute(select(AnswerRow))).first() is None
        inbox = {
            r.update_id: (r.payload, r.user_ref, r.replies)
            for r in (await session.execute(select(InboxUpdate))).scalars()
        }
        assert inbox == {
            "1": ({}, None, None),
            "2": ({"b": 2}, None, None),
            "3": ({}, None, None),
            "4": ({}, None, None),
        }
        texts = {r.key: r.text for r in (await session.execute(select(OutboxMessage))).scalars()}
        assert texts == {
            "old-sent": "",
            "old-pending": "text of old-pending",
            "new-sent": "text of new-sent",
        }
    async with unit_of_work(make_sessionmaker(engine)) as session:
        again = await purge(session, NOW - timedelta(days=365), NOW - timedelta(days=30))
    assert (again.drafts, again.inbox, again.outbox) == (0, 0, 0)


async def test_the_plan_job_applies_the_retention_settings(app: App, clock: FakeClock) -> None:
    chat = Chat(app, user="an", locale_hint="en")
    await register(chat)
    await score_all(chat, [7, 7])
    clock.advance(days=366)
    await Campaigns(app, {}, channels=("console",)).plan_now()
    async with unit_of_work(app.sessions) as session:
        assert (await session.execute(select(AssessmentRow))).first() is None
    await chat.send("/tiep")  # the draft is gone: the person starts the assessment again
    assert "Is that right?" in chat.text
    assert (await purge_expired(app)).drafts == 0
