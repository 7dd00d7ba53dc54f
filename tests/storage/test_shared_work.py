"""What several workers share through the database, on SQLite and PostgreSQL: the inbox read
by person, leases (one poller per bot, one planner per tick) and the person claim."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from conversations.events import OutboundMessage
from storage import inbox, leases
from storage.claims import lock_key, person_claim
from storage.db import make_sessionmaker, unit_of_work

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
TTL = timedelta(seconds=5)


async def test_the_inbox_is_read_by_person_oldest_first(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    people = {"1": "an", "2": "binh", "3": "an"}
    async with unit_of_work(sessions) as session:
        updates = [(update_id, {}) for update_id in ("1", "2", "3")]
        await inbox.keep(session, "telegram", updates, NOW, people)
    async with unit_of_work(sessions) as session:
        waiting = await inbox.open_rows(session, "telegram", "an", None)
        assert [r.update_id for r in waiting] == ["1", "3"]
        assert await inbox.waiting_people(session, NOW) == [
            ("telegram", "an"),
            ("telegram", "binh"),
        ]
        assert await inbox.waiting_people(session, NOW - timedelta(seconds=1)) == []
        await inbox.handled(session, "telegram", "1", "an", [OutboundMessage("ok")], NOW)
    async with unit_of_work(sessions) as session:
        assert [r.update_id for r in await inbox.open_rows(session, "telegram", "an", None)] == [
            "3"
        ]
        # With replies not marked sent: the handled one first, as it was kept first.
        rows = await inbox.open_rows(session, "telegram", "an", NOW)
        assert [(r.update_id, r.done_at is None) for r in rows] == [("1", False), ("3", True)]
        assert await inbox.unsent_people(session, NOW, NOW) == [("telegram", "an")]
        assert await inbox.open_rows(session, "zalo", "an", NOW) == []


async def test_a_lease_has_one_holder_until_it_lapses_or_is_let_go(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        assert await leases.take(session, "poll:telegram", "a", NOW, TTL)
        assert not await leases.take(session, "poll:telegram", "b", NOW, TTL)
        assert await leases.take(session, "poll:telegram", "a", NOW + TTL / 2, TTL)  # renewed
        assert not await leases.take(session, "poll:telegram", "b", NOW + TTL, TTL)
        assert await leases.take(session, "poll:telegram", "b", NOW + TTL * 2, TTL)  # lapsed
        await leases.release(session, "poll:telegram", "b", NOW + TTL * 2)
        assert await leases.take(session, "poll:telegram", "c", NOW + TTL * 2, TTL)


async def test_planning_is_one_process_s_turn_per_period(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    period = timedelta(minutes=10)
    async with unit_of_work(sessions) as session:
        turns = [await leases.take_turn(session, "plan:main", who, NOW, period) for who in "abc"]
        assert turns == [True, False, False]
        assert not await leases.take_turn(session, "plan:main", "a", NOW + period / 2, period)
        assert await leases.take_turn(session, "plan:main", "b", NOW + period, period)


async def test_a_person_is_held_by_one_claim_at_a_time(engine: AsyncEngine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serves one process: a claim there always holds")
    async with (
        person_claim(engine, "telegram", "an") as first,
        person_claim(engine, "telegram", "an") as second,
        person_claim(engine, "telegram", "binh") as other,
    ):
        assert (first.held, second.held, other.held) == (True, False, True)
    async with person_claim(engine, "telegram", "an") as again:
        assert again  # let go when the first claim ended


def test_lock_keys_are_signed_64_bit_and_differ_by_person() -> None:
    keys = {lock_key("telegram", str(n)) for n in range(10_000)}
    assert len(keys) == 10_000
    assert all(-(2**63) <= key < 2**63 for key in keys)


async def test_senders_are_recorded_for_updates_kept_without_them(engine: AsyncEngine) -> None:
    """Updates kept by an older version carry no sender: the start records them, all in one
    statement, and the person's rows are then found by who sent them."""
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        await inbox.keep(session, "telegram", [("1", {}), ("2", {}), ("3", {})], NOW)
    async with unit_of_work(sessions) as session:
        rows = await inbox.unclaimed(session)
        senders = {row.id: ("an" if row.update_id != "2" else "binh") for row in rows}
        await inbox.set_senders(session, senders)
    async with unit_of_work(sessions) as session:
        assert await inbox.unclaimed(session) == []
        an = await inbox.open_rows(session, "telegram", "an", None)
        assert [row.update_id for row in an] == ["1", "3"]
        assert [r.update_id for r in await inbox.open_rows(session, "telegram", "binh", None)] == [
            "2"
        ]
