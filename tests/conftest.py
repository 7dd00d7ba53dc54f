import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import App
from bot.settings import Settings
from storage.admin_units import load_admin_units
from storage.db import make_engine, make_sessionmaker, unit_of_work
from storage.migrate import upgrade
from tests import network_guard
from tests.support import FakeClock


def pytest_configure(config: pytest.Config) -> None:
    network_guard.install()


@pytest.fixture(autouse=True)
def _only_this_machine() -> Iterator[None]:
    """Fails a test that tried to reach another machine, even if it caught the error."""
    network_guard.take_violations()
    yield
    refused = network_guard.take_violations()
    if refused:
        pytest.fail(f"the test tried to reach the network: {', '.join(refused)}")


async def _prepare(url: str) -> None:
    engine = make_engine(url)
    try:
        await upgrade(engine)
        async with unit_of_work(make_sessionmaker(engine)) as session:
            await load_admin_units(session)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database with the administrative units, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "cdht.db"
    asyncio.run(_prepare(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture
def sqlite_url(template_db: Path, tmp_path: Path) -> str:
    target = tmp_path / "cdht.db"
    shutil.copy(template_db, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def app(sqlite_url: str, clock: FakeClock) -> AsyncIterator[App]:
    application = App(Settings(DATABASE_URL=sqlite_url), clock=clock)
    yield application
    await application.close()
