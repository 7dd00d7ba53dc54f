"""APScheduler inside the bot: two jobs in memory, planning on start, and a scheduler that
keeps planning whatever the database does. Ticks are driven directly (or awaited through
events), never timed."""

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import OperationalError

import bot.scheduler
from bot.app import App
from bot.health import stale_jobs
from bot.scheduler import Campaigns, PlanReport
from storage.db import unit_of_work
from storage.migrate import drift
from storage.models import OutboxMessage
from tests.bot.test_season import people
from tests.support import FakeClock

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
# 14 days before the citizens' deadline (20/11)
REMINDER_MOMENT = datetime(2026, 11, 6, 8, 0, tzinfo=HANOI).astimezone(UTC)


def locked() -> OperationalError:
    cause = sqlite3.OperationalError("database is locked")
    return OperationalError("UPDATE outbox ...", {}, cause)


async def queued(app: App) -> int:
    async with unit_of_work(app.sessions) as session:
        return (await session.execute(select(func.count(OutboxMessage.id)))).scalar_one()


async def test_two_jobs_in_memory_planning_on_start_and_no_job_table(app: App) -> None:
    await app.prepare_database()
    campaigns = Campaigns(app, {}, channels=("console",), plan_every=3600, send_every=3600)
    planned = asyncio.Event()
    original = campaigns.tick

    async def tick_and_note(job: str) -> bool:
        succeeded = await original(job)
        if job == "plan" and succeeded:
            planned.set()
        return succeeded

    campaigns.tick = tick_and_note  # type: ignore[method-assign]
    await campaigns.start()
    try:
        await asyncio.wait_for(planned.wait(), timeout=30)
        assert campaigns.scheduler is not None
        assert sorted(job.id for job in campaigns.scheduler.get_jobs()) == [
            "plan-main",
            "send-main",
        ]  # one of each, never a twin
        assert campaigns.health()["plan"] == app.clock.now()
    finally:
        await campaigns.stop()
    async with app.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert "apscheduler_jobs" not in tables
    assert await drift(app.engine) == []


async def test_planning_goes_on_after_database_is_locked(
    app: App, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await app.prepare_database()
    await people(app)
    clock.current = REMINDER_MOMENT
    real = bot.scheduler.communes_with_people
    failures = iter([locked()])

    async def locked_once(session):  # type: ignore[no-untyped-def]
        error = next(failures, None)
        if error is not None:
            raise error
        return await real(session)

    monkeypatch.setattr(bot.scheduler, "communes_with_people", locked_once)
    campaigns = Campaigns(app, {}, channels=("console",))
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        assert await campaigns.tick("plan") is False
    assert "plan job failed (OperationalError at " in caplog.text
    assert "database is locked" not in caplog.text  # the type only, never the text
    assert campaigns.health()["plan"] is None
    assert await queued(app) == 0

    assert await campaigns.tick("plan") is True  # the next tick plans what was missed
    assert await queued(app) == 4  # an, binh, chi, lead (dung has sent, em blocked us)
    assert campaigns.health() == {"plan": REMINDER_MOMENT, "send": None}
    assert await campaigns.tick("plan") is True
    assert await queued(app) == 4  # and never twice


async def test_an_outage_turns_health_red_and_planning_resumes_after_it(
    app: App, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await app.prepare_database()
    campaigns = Campaigns(app, {}, channels=("console",), plan_every=5, send_every=5)
    outage = 6  # ticks, 30 s at one tick every 5 s
    calls: list[datetime] = []

    async def away(app: App, channels: tuple[str, ...]) -> PlanReport:
        calls.append(clock.now())
        if len(calls) <= outage:
            raise ConnectionRefusedError("PostgreSQL is away")
        return PlanReport()

    monkeypatch.setattr(bot.scheduler, "plan", away)
    campaigns.started_at = clock.now()
    healthy = []
    for _ in range(outage):
        assert await campaigns.tick("plan") is False
        assert await campaigns.tick("send") is True  # no senders: nothing to do, still alive
        clock.advance(seconds=5)
        healthy.append(campaigns.is_healthy(clock.now()))
    assert healthy == [True, True, True, False, False, False]  # red past 3 periods (15 s)
    assert await campaigns.tick("plan") is True
    assert campaigns.is_healthy(clock.now())
    assert len(calls) == outage + 1


async def test_the_real_scheduler_runs_the_job_again_after_it_failed(app: App) -> None:
    await app.prepare_database()
    campaigns = Campaigns(app, {}, channels=("console",), plan_every=0.05, send_every=3600)
    attempts: list[int] = []
    recovered = asyncio.Event()

    async def flaky() -> PlanReport:
        attempts.append(len(attempts))
        if len(attempts) <= 2:
            raise locked()
        recovered.set()
        return PlanReport()

    campaigns.plan_now = flaky  # type: ignore[method-assign]
    await campaigns.start()
    try:
        await asyncio.wait_for(recovered.wait(), timeout=30)
    finally:
        await campaigns.stop()
    assert len(attempts) >= 3
    assert campaigns.health()["plan"] is not None


def test_healthz_verdict_names_the_jobs_silent_for_three_periods() -> None:
    start = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    every = {"plan": 600.0, "send": 5.0}
    at = start + timedelta(seconds=16)
    assert stale_jobs({"plan": None, "send": None}, every, start, start) == []
    assert stale_jobs({"plan": None, "send": None}, every, start, at) == ["send"]
    assert stale_jobs({"plan": None, "send": at}, every, start, at) == []
    late = start + timedelta(minutes=31)
    assert stale_jobs({"plan": start, "send": late}, every, start, late) == ["plan"]
    assert stale_jobs({"plan": start, "send": late}, every, start, late, intervals=4) == []
