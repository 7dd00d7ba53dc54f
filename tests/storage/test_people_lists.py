"""The three lists of people a full digest carries (recognised, pending, started), read in one
walk, equal each list read on its own, also when the lists are cut at their limit and when
the walk is cut before a list is full (that list is then read on its own)."""

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.province_data import YEAR, generate
from bench.sql_counter import SqlCounter
from storage import people_lists
from storage.db import make_sessionmaker, unit_of_work
from storage.models import Person
from storage.people_lists import PENDING, RECOGNISED, STARTED, people_rows
from storage.people_lists import people_lists as read_lists

# (list limit, walk limit, statements): no cut; lists cut, the walk long enough; the walk
# cut before the lists are full, so that some are read again on their own.
LIMITS = [(5000, 20000, 1), (30, 400, 1), (30, 40, None)]


@pytest.mark.parametrize(("limit", "walk", "statements"), LIMITS)
async def test_one_walk_gives_each_list_as_read_alone(
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
    limit: int,
    walk: int,
    statements: int | None,
) -> None:
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        province = await generate(session, people=600, communes=2)
    monkeypatch.setattr(people_lists, "LIST_LIMIT", limit)
    monkeypatch.setattr(people_lists, "WALK_LIMIT", walk)
    counter = SqlCounter().attach(engine)
    async with unit_of_work(sessions) as session:
        scope = Person.commune_id.in_(province.communes)
        counter.reset()
        found = await read_lists(session, scope, YEAR)
        read = counter.statements
        alone = [
            await people_rows(session, scope, YEAR, s) for s in (RECOGNISED, PENDING, STARTED)
        ]
    assert (found.recognised, found.pending, found.started) == tuple(alone)
    assert all(0 < len(rows) <= limit for rows in alone)
    if statements is not None:
        assert read == statements
    else:  # a cut walk: the lists it did not fill were read again
        assert read > 1
