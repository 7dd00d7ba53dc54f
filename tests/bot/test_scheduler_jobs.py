"""APScheduler inside the bot: jobs kept in our database, planning on start."""

import asyncio

from sqlalchemy import text

from bot.app import App
from bot.scheduler import Campaigns, sync_url
from storage.db import unit_of_work
from storage.migrate import drift


def test_the_job_store_uses_the_same_database_through_a_sync_driver() -> None:
    assert sync_url("sqlite+aiosqlite:///var/cdht.db") == "sqlite:///var/cdht.db"
    assert sync_url("postgresql+asyncpg://u:p@h:5432/db") == "postgresql+psycopg://u:p@h:5432/db"


async def test_jobs_are_stored_in_our_database_and_plan_runs_on_start(app: App) -> None:
    await app.prepare_database()
    campaigns = Campaigns(app, {}, channels=("console",), plan_every=3600, send_every=3600)
    planned = asyncio.Event()
    original = campaigns.plan_now

    async def plan_and_note():  # type: ignore[no-untyped-def]
        report = await original()
        planned.set()
        return report

    campaigns.plan_now = plan_and_note  # type: ignore[method-assign]
    await campaigns.start()
    try:
        await asyncio.wait_for(planned.wait(), timeout=10)
        async with unit_of_work(app.sessions) as session:
            jobs = (
                (await session.execute(text("SELECT id FROM apscheduler_jobs ORDER BY id")))
                .scalars()
                .all()
            )
        assert jobs == ["plan-main", "send-main"]
    finally:
        await campaigns.stop()
    again = Campaigns(app, {}, channels=("console",), plan_every=3600, send_every=3600)
    await again.start()  # a restart replaces the stored jobs instead of adding twins
    await again.stop()
    async with unit_of_work(app.sessions) as session:
        count = (await session.execute(text("SELECT COUNT(*) FROM apscheduler_jobs"))).scalar_one()
    assert count == 2
    assert await drift(app.engine) == []  # the job table is APScheduler's, not a migration's
