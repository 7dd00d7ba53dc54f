from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.admin_units import load_admin_units
from storage.db import make_engine, make_sessionmaker, unit_of_work
from storage.migrate import upgrade
from tests.support import postgres_url_or_skip, reset_postgres


@pytest.fixture(params=["sqlite", "postgres"])
async def engine(request: pytest.FixtureRequest, sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated database with the administrative units, on each backend."""
    if request.param == "sqlite":
        database = make_engine(sqlite_url)
    else:
        database = await reset_postgres(postgres_url_or_skip())
        await upgrade(database)
        async with unit_of_work(make_sessionmaker(database)) as session:
            await load_admin_units(session)
    yield database
    await database.dispose()
