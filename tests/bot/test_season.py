"""A fake clock drives a whole season: the right people get the right reminders on the right
days (counting down to the citizens' deadline), none at night, none after they sent; leaders
get a digest every Monday, once, and commune leaders count down to the report date."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.outbox import deliver_many
from bot.scheduler import Campaigns
from conversations.events import OutboundMessage
from conversations.roles import RoleName
from storage.db import unit_of_work
from storage.directory import SqlDirectory
from storage.leadership import create_invite
from storage.models import AccessRecord, AssessmentRow, Person, Role
from tests.support import Chat, FakeClock

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
DIGEST = "Gõ /lanhdao để xem biểu đồ"
REPORT_DUE = "gửi báo cáo của"


@dataclass
class Received:
    user: str
    at: datetime  # local time
    text: str


async def people(app: App) -> None:
    """an: registered, not started; binh: 6 answered; chi: sends on 10 Nov; dung: sent long
    ago; em: blocked the bot; lead: commune leader."""
    now = datetime(2026, 11, 1, tzinfo=UTC)
    async with unit_of_work(app.sessions) as session:
        commune = (await SqlDirectory(session).search_communes("hai hau", 1))[0].id
        for user, answered, status, unreachable in [
            ("an", None, None, False),
            ("binh", 6, "draft", False),
            ("chi", 10, "draft", False),
            ("dung", 10, "submitted", False),
            ("em", 3, "draft", True),
            ("lead", None, None, False),
        ]:
            person = Person(
                channel="console",
                user_ref=user,
                locale="vi",
                name=user.title(),
                commune_id=commune,
                place_name="Xóm 1",
                consent_at=now,
                created_at=now,
                updated_at=now,
                unreachable_at=now if unreachable else None,
            )
            session.add(person)
            await session.flush()
            if status:
                session.add(
                    AssessmentRow(
                        person_id=person.id,
                        season=2026,
                        questionnaire="cdht-2023",
                        target_group="a",
                        status=status,
                        total=60,
                        answered=answered,
                        recognised=False,
                        started_at=now,
                        submitted_at=now if status == "submitted" else None,
                        updated_at=now,
                    )
                )
            if user == "lead":
                session.add(
                    Role(
                        person_id=person.id,
                        role=RoleName.COMMUNE.value,
                        org_unit_id=commune,
                        granted_at=now,
                    )
                )


async def send_chi(app: App) -> None:
    async with unit_of_work(app.sessions) as session:
        chi = (await session.execute(select(Person).where(Person.user_ref == "chi"))).scalar_one()
        await session.execute(
            update(AssessmentRow)
            .where(AssessmentRow.person_id == chi.id)
            .values(status="submitted")
        )


async def run_season(
    app: App, clock: FakeClock, start: datetime, end: datetime, step: timedelta
) -> list[Received]:
    received: list[Received] = []

    async def record(user: str, message: OutboundMessage) -> str:
        received.append(Received(user, clock.now().astimezone(HANOI), message.text))
        return "sent"

    campaigns = Campaigns(app, {}, channels=("console",))
    clock.current = start
    while clock.current < end:
        if clock.current.astimezone(HANOI) == datetime(2026, 11, 10, 10, tzinfo=HANOI):
            await send_chi(app)
        await campaigns.plan_now()
        await campaigns.plan_now()  # planning twice queues nothing twice
        await deliver_many(app, {"console": record})
        clock.advance(seconds=step.total_seconds())
    return received


def reminder_days(received: list[Received], user: str) -> list[str]:
    return [
        r.at.strftime("%d/%m %H:%M") for r in received if r.user == user and "hết hạn" in r.text
    ]


@pytest.mark.slow
async def test_a_whole_season_of_reminders_and_digests(app: App, clock: FakeClock) -> None:
    await people(app)
    start = datetime(2026, 11, 2, 0, 0, tzinfo=HANOI).astimezone(UTC)
    end = datetime(2026, 12, 11, 0, 0, tzinfo=HANOI).astimezone(UTC)
    received = await run_season(app, clock, start, end, timedelta(hours=2))

    # Citizens count down to their deadline, 20/11: 14, 7 and 2 days before.
    assert reminder_days(received, "an") == ["06/11 08:00", "13/11 08:00", "18/11 08:00"]
    assert reminder_days(received, "binh") == ["06/11 08:00", "13/11 08:00", "18/11 08:00"]
    assert reminder_days(received, "chi") == ["06/11 08:00"]  # sent on 10 November
    assert "14 ngày nữa" in next(r.text for r in received if r.user == "an")
    assert "20 tháng 11" in next(r.text for r in received if r.user == "an")
    assert reminder_days(received, "dung") == []  # sent before the season's reminders
    assert reminder_days(received, "em") == []  # blocked the bot
    assert "Bạn chưa bắt đầu" in next(r.text for r in received if r.user == "an")
    assert "Bạn còn 4 câu chưa trả lời." in next(r.text for r in received if r.user == "binh")
    citizens = [r for r in received if r.user != "lead"]
    assert all(7 <= r.at.hour < 21 for r in citizens)
    digests = [r for r in received if DIGEST in r.text]
    mondays = ["02/11", "09/11", "16/11", "23/11", "30/11", "07/12"]
    assert [r.at.strftime("%a %d/%m %H:%M") for r in digests] == [
        f"Mon {day} 08:00" for day in mondays
    ]
    assert all(r.user == "lead" for r in digests)
    # The leader counts down to the report date, 10/12, and the digest shows both dates.
    report = [r.at.strftime("%d/%m %H:%M") for r in received if REPORT_DUE in r.text]
    assert report == ["26/11 08:00", "03/12 08:00", "08/12 08:00"]
    assert all(r.user == "lead" for r in received if REPORT_DUE in r.text)
    first = digests[0].text
    assert "Hạn của người dân: 20 tháng 11 năm 2026 (còn 18 ngày)" in first
    assert "Hạn gửi báo cáo: 10 tháng 12 năm 2026 (còn 38 ngày)" in first


async def test_downtime_across_a_digest_gives_exactly_one_catch_up(
    app: App, clock: FakeClock
) -> None:
    await people(app)
    # Up until Monday 07:00, down until Tuesday 09:00, then up again for two days.
    before = await run_season(
        app,
        clock,
        datetime(2026, 11, 22, 7, tzinfo=HANOI).astimezone(UTC),
        datetime(2026, 11, 23, 7, tzinfo=HANOI).astimezone(UTC),
        timedelta(minutes=30),
    )
    after = await run_season(
        app,
        clock,
        datetime(2026, 11, 24, 9, tzinfo=HANOI).astimezone(UTC),
        datetime(2026, 11, 26, 9, tzinfo=HANOI).astimezone(UTC),
        timedelta(minutes=10),
    )
    assert [r for r in before if DIGEST in r.text] == []
    catch_up = [r.at.strftime("%a %H:%M") for r in after if DIGEST in r.text]
    assert catch_up == ["Tue 09:00"]


async def test_a_digest_missed_beyond_the_grace_window_is_not_sent_late(
    app: App, clock: FakeClock
) -> None:
    await people(app)
    received = await run_season(
        app,
        clock,
        datetime(2026, 11, 26, 9, tzinfo=HANOI).astimezone(UTC),
        datetime(2026, 11, 30, 9, tzinfo=HANOI).astimezone(UTC),
        timedelta(hours=1),
    )
    assert [r.at.strftime("%a %d/%m") for r in received if DIGEST in r.text] == ["Mon 30/11"]


async def test_a_nudge_queued_late_waits_for_the_morning(app: App, clock: FakeClock) -> None:
    await people(app)
    async with unit_of_work(app.sessions) as session:
        commune = (await SqlDirectory(session).search_communes("hai hau", 1))[0].id
    clock.current = datetime(2026, 11, 24, 20, 55, tzinfo=HANOI).astimezone(UTC)
    async with unit_of_work(app.sessions) as session:
        code = await create_invite(session, RoleName.COMMUNE, commune, clock.now())
    leader = Chat(app, user="lead2", locale_hint="en")
    await leader.send(f"/vaitro {code}")
    await leader.send("/lanhdao")
    await leader.click("Reminders and calendar")
    assert "Reminders 14, 7, 2 days before, at 08:00." in leader.last.text
    await leader.click("Remind those not finished")
    assert "Reminder queued for 4 people who have not finished." in leader.text
    await leader.click("Remind those not finished")
    assert "You already sent a reminder today." in leader.text
    received: list[str] = []

    async def record(user: str, message: OutboundMessage) -> str:
        received.append(f"{user} {clock.now().astimezone(HANOI):%H:%M}")
        return "sent"

    clock.current = datetime(2026, 11, 24, 21, 5, tzinfo=HANOI).astimezone(UTC)
    assert await deliver_many(app, {"console": record}) == 0
    clock.current = datetime(2026, 11, 25, 7, 0, tzinfo=HANOI).astimezone(UTC)
    assert await deliver_many(app, {"console": record}) == 4
    assert sorted(received) == ["an 07:00", "binh 07:00", "chi 07:00", "lead 07:00"]
    await leader.send("/lanhdao")
    await leader.click("Reminders and calendar")
    assert "4 planned, 4 sent, 0 failed, 0 unreachable" in leader.last.text


async def test_a_commune_leader_changes_the_calendar_in_chat(app: App, clock: FakeClock) -> None:
    async with unit_of_work(app.sessions) as session:
        commune = (await SqlDirectory(session).search_communes("hai hau", 1))[0].id
        code = await create_invite(session, RoleName.COMMUNE, commune, clock.now())
    leader = Chat(app, user="lead3", locale_hint="en")
    await leader.send(f"/vaitro {code}")
    await leader.send("/lanhdao")
    await leader.click("Reminders and calendar")
    assert "self-assessments due by November 20, 2026" in leader.last.text
    assert "report goes upward by December 10, 2026" in leader.last.text
    await leader.click("Change the citizens' deadline")
    await leader.send("31/02")
    assert "That value does not fit. Month 2 of 2026 has no day 31." in leader.text
    await leader.send("12/12")  # after the report date: leaders would have no time
    assert "must come before the report date (10/12)" in leader.text
    await leader.send("5/12")
    assert "Saved." in leader.text
    assert "self-assessments due by December 5, 2026" in leader.last.text
    await leader.click("Change the report date")
    await leader.send("01/12")
    assert "must come before the report date (01/12)" in leader.text
    await leader.send("15/12")
    assert "report goes upward by December 15, 2026" in leader.last.text
    await leader.click("Change reminder days")
    await leader.send("10, 3")
    assert "Reminders 10, 3 days before, at 08:00." in leader.last.text


async def test_the_continue_button_of_a_reminder_shows_the_current_question(app: App) -> None:
    chat = Chat(app, locale_hint="en")
    await chat.send("/batdau")
    await chat.click("I agree")
    await chat.press("cmd=tiep")
    assert "Your full name and year of birth?" in chat.last.text
    await chat.press("cmd=huy")  # only safe commands can be buttons
    assert "That question has passed" in chat.text


async def test_a_digest_that_names_people_is_kept_in_the_access_log(
    app: App, clock: FakeClock
) -> None:
    """em blocked the bot, so the commune's digest names her for a visit: a report with
    names, logged as made by the scheduler for the leader (Law 91/2025/QH15)."""
    await people(app)
    clock.current = datetime(2026, 11, 9, 8, 0, tzinfo=HANOI).astimezone(UTC)  # a Monday
    report = await Campaigns(app, {}, channels=("console",)).plan_now()
    assert report.digests == 1
    async with unit_of_work(app.sessions) as session:
        records = (await session.execute(select(AccessRecord))).scalars().all()
        lead = (
            await session.execute(select(Person).where(Person.user_ref == "lead"))
        ).scalar_one()
    assert [(r.screen, r.via, r.actor_id) for r in records] == [("digest", "scheduler", lead.id)]
