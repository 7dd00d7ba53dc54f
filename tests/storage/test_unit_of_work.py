"""SQLite units of work: each is a write transaction from its first statement, and one
process's units of work take turns, so a state read is the state written over (issue 13)."""

import asyncio

from sqlalchemy import text

from storage.db import make_engine, make_sessionmaker, unit_of_work

WRITERS = 30


async def test_read_then_write_loses_no_update_under_concurrency(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        await session.execute(text("CREATE TABLE tally (n INTEGER)"))
        await session.execute(text("INSERT INTO tally VALUES (0)"))

    async def add_one() -> None:
        async with unit_of_work(sessions) as session:
            seen = await session.scalar(text("SELECT n FROM tally"))
            await asyncio.sleep(0)  # let every other writer run here if it could
            await session.execute(text("UPDATE tally SET n = :n"), {"n": seen + 1})

    try:
        await asyncio.gather(*(add_one() for _ in range(WRITERS)))
        async with unit_of_work(sessions) as session:
            assert await session.scalar(text("SELECT n FROM tally")) == WRITERS
    finally:
        await engine.dispose()


async def test_a_unit_of_work_inside_another_does_not_wait_for_it(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    sessions = make_sessionmaker(engine)
    try:
        async with unit_of_work(sessions) as outer:
            await outer.execute(text("SELECT 1"))
            async with unit_of_work(sessions) as inner:
                assert await inner.scalar(text("SELECT 2")) == 2
    finally:
        await engine.dispose()
