"""Migrations build the whole schema on an empty database, and match the models exactly."""

from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine
from storage.migrate import drift, upgrade
from storage.models import Base
from tests.support import postgres_url_or_skip, reset_postgres


async def _check(engine: AsyncEngine) -> None:
    await upgrade(engine)
    await upgrade(engine)  # a second run is a no-op
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert set(Base.metadata.tables) | {"alembic_version"} == tables
    assert await drift(engine) == []


async def test_upgrade_head_on_an_empty_sqlite_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'sub' / 'empty.db'}")
    try:
        await _check(engine)
    finally:
        await engine.dispose()


async def test_upgrade_head_on_an_empty_postgresql_database() -> None:
    engine = await reset_postgres(postgres_url_or_skip())
    try:
        await _check(engine)
    finally:
        await engine.dispose()


async def _settings_migrate(engine: AsyncEngine) -> None:
    """Before the report date existed, `deadline` was the only date. A stored 10/12 copied the
    plan's report date and becomes `report_date`; any other deadline stays the citizens'."""
    await upgrade(engine, "9314e7f55d63")
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO org_units (id, kind, name, code, search_key) "
                "VALUES (900001, 'commune', 'Xã Thử', 'T1', 'xa thu'),"
                " (900002, 'commune', 'Xã Khác', 'T2', 'xa khac')"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO schedule_settings (org_unit_id, year, key, value) VALUES "
                "(900001, 2026, 'deadline', '10/12'), (900002, NULL, 'deadline', '25/11')"
            )
        )
    await upgrade(engine)
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT org_unit_id, year, key, value FROM schedule_settings ORDER BY 1")
        )
        assert [tuple(row) for row in rows] == [
            (900001, 2026, "report_date", "10/12"),
            (900002, None, "deadline", "25/11"),
        ]


async def test_the_old_deadline_setting_migrates_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await _settings_migrate(engine)
    finally:
        await engine.dispose()


async def test_the_old_deadline_setting_migrates_on_postgresql() -> None:
    engine = await reset_postgres(postgres_url_or_skip())
    try:
        await _settings_migrate(engine)
    finally:
        await engine.dispose()


async def test_the_old_apscheduler_job_table_is_dropped(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await upgrade(engine, "4fec7c863ef4")  # the last schema with APScheduler's own table
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE apscheduler_jobs (id VARCHAR(191))"))
        await _check(engine)  # exactly our tables afterwards
    finally:
        await engine.dispose()
