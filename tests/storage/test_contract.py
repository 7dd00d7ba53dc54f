"""One contract, run on SQLite and on PostgreSQL: what the stores promise the core."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from conversations.events import Choice, OutboundMessage
from conversations.model import default_criteria, default_digital
from conversations.state import Assessment, Profile, Status, UserState
from storage import inbox
from storage.admin_units import count_communes, load_admin_units
from storage.db import make_sessionmaker, unit_of_work
from storage.directory import SqlDirectory
from storage.models import AssessmentRow, OrgUnit, Person
from storage.state_store import StateStore

NOW = datetime(2026, 11, 2, 3, 4, 5, tzinfo=UTC)


def store(session: object) -> StateStore:
    return StateStore(session, default_criteria(), default_digital())  # type: ignore[arg-type]


async def hai_hau(engine: AsyncEngine) -> int:
    async with unit_of_work(make_sessionmaker(engine)) as session:
        found = await SqlDirectory(session).search_communes("hai hau", 5)
    return found[0].id


def full_state(commune_id: int) -> UserState:
    return UserState(
        locale="vi",
        step="ev:3",
        profile=Profile(
            name="Lê Thị Hoa",
            birth_year=1970,
            commune_id=commune_id,
            commune_name="Xã Hải Hậu, Ninh Bình",
            place_id=None,
            place_name="Xóm 5",
            group="a",
            consent_at=NOW,
        ),
        assessment=Assessment(
            season=2026,
            questionnaire="cdht-2023",
            group="a",
            scores={"1": 7, "2": 0, "3": 10},
            notes={"1": "Lớp tin học", "3": "Câu lạc bộ dưỡng sinh"},
            digital={"d1": "self"},
            started_at=NOW,
        ),
        candidates=(1, 2),
        proposed_group="a",
        return_to="summary",
    )


async def test_a_saved_state_loads_back_equal(engine: AsyncEngine) -> None:
    state = full_state(await hai_hau(engine))
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        await store(session).save("telegram", "42", state, NOW)
    async with unit_of_work(sessions) as session:
        loaded = await store(session).load("telegram", "42")
        missing = await store(session).load("telegram", "43")
    assert loaded == state
    assert missing is None
    assert loaded.profile.consent_at is not None
    assert loaded.profile.consent_at.tzinfo is not None


async def test_saving_again_replaces_answers_and_notes(engine: AsyncEngine) -> None:
    state = full_state(await hai_hau(engine))
    sessions = make_sessionmaker(engine)
    assert state.assessment is not None
    changed = state.with_assessment(scores={"1": 9}, notes={}, status=Status.SUBMITTED)
    changed = changed.with_assessment(submitted_at=NOW + timedelta(hours=1))
    for version in (state, changed):
        async with unit_of_work(sessions) as session:
            await store(session).save("console", "a", version, NOW)
    async with unit_of_work(sessions) as session:
        assert await store(session).load("console", "a") == changed
        row = (await session.execute(select(AssessmentRow))).scalar_one()
    assert (row.total, row.answered, row.recognised, row.status) == (9, 1, False, "submitted")


async def test_dropping_a_draft_deletes_it_but_keeps_sent_ones(engine: AsyncEngine) -> None:
    state = full_state(await hai_hau(engine))
    sessions = make_sessionmaker(engine)
    last_year = state.with_assessment(season=2025, status=Status.SUBMITTED)
    for version in (last_year, state, state.at("idle", assessment=None)):
        async with unit_of_work(sessions) as session:
            await store(session).save("console", "a", version, NOW)
    async with unit_of_work(sessions) as session:
        loaded = await store(session).load("console", "a")
        seasons = (await session.execute(select(AssessmentRow.season))).scalars().all()
    assert seasons == [2025]
    assert loaded is not None
    assert loaded.assessment is not None
    assert loaded.assessment.season == 2025


async def test_a_rolled_back_unit_of_work_leaves_nothing(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)

    async def crash_before_commit() -> None:
        async with unit_of_work(sessions) as session:
            await store(session).save("console", "a", UserState(locale="vi", step="name"), NOW)
            raise RuntimeError("crash between save and commit")

    with pytest.raises(RuntimeError):
        await crash_before_commit()
    async with unit_of_work(sessions) as session:
        count = (await session.execute(select(func.count()).select_from(Person))).scalar_one()
    assert count == 0


async def test_the_directory_has_every_commune_and_finds_them_without_accents(
    engine: AsyncEngine,
) -> None:
    async with unit_of_work(make_sessionmaker(engine)) as session:
        assert await count_communes(session) == 3321
        assert await load_admin_units(session) == 0
        directory = SqlDirectory(session)
        found = await directory.search_communes("hai hau", 5)
        # By its own name first; the others took in communes of the former district Hải Hậu.
        assert (found[0].name, found[0].parent_name, found[0].former) == (
            "Xã Hải Hậu",
            "Ninh Bình",
            None,
        )
        assert all(p.former and "Huyện Hải Hậu" in p.former for p in found[1:])
        assert (await directory.search_communes("HẢI HẬU", 5)) == found
        assert await directory.search_communes("100%_", 5) == []
        assert await directory.commune(found[0].id) == found[0]
        many = await directory.search_communes("phu", 9)
        assert len(many) == 9


async def test_villages_and_units_of_a_commune_are_listed(engine: AsyncEngine) -> None:
    commune_id = await hai_hau(engine)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        for kind, name in [
            ("village", "Xóm 2"),
            ("unit", "Trường THCS Hải Hậu"),
            ("village", "Xóm 1"),
        ]:
            session.add(OrgUnit(parent_id=commune_id, kind=kind, name=name, search_key=name))
    async with unit_of_work(make_sessionmaker(engine)) as session:
        places = await SqlDirectory(session).places_in(commune_id)
        assert await SqlDirectory(session).commune(places[0].id) is None
    assert [p.name for p in places] == ["Trường THCS Hải Hậu", "Xóm 1", "Xóm 2"]


async def test_an_update_is_kept_once_and_handled_once(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    reply = OutboundMessage("Câu 1", (Choice("s=1", "1"), Choice("s=/lai", "« Back", nav=True)))
    people = {"1001": "7", "1002": "7", "1003": "7"}
    async with unit_of_work(sessions) as session:
        kept = await inbox.keep(
            session, "telegram", [("1001", {"a": 1}), ("1002", {})], NOW, people
        )
        assert kept == ["1001", "1002"]
    async with unit_of_work(sessions) as session:
        # A redelivery, and the same id on another channel, in one statement.
        again = [("1001", {}), ("1003", {})]
        assert await inbox.keep(session, "telegram", again, NOW, people) == ["1003"]
        assert await inbox.keep(session, "zalo", [("1001", {})], NOW, people) == ["1001"]
    async with unit_of_work(sessions) as session:
        waiting = await inbox.open_rows(session, "telegram", "7", None)
        assert [r.update_id for r in waiting] == ["1001", "1002", "1003"]
        assert [r.update_id for r in await inbox.open_rows(session, "zalo", "7", None)] == ["1001"]
        assert await inbox.handled(session, "telegram", "1001", "7", [reply], NOW)
        assert not await inbox.handled(session, "telegram", "1001", "7", [reply], NOW)
    async with unit_of_work(sessions) as session:
        rows = await inbox.open_rows(session, "telegram", "7", NOW)
        unsent = [row for row in rows if row.done_at is not None]
        assert [inbox.stored_replies(row.replies) for row in unsent] == [[reply]]
        await inbox.delivered(session, [("telegram", "1001")], NOW)
    async with unit_of_work(sessions) as session:
        rows = await inbox.open_rows(session, "telegram", "7", NOW)
        assert [(r.update_id, r.done_at) for r in rows] == [("1002", None), ("1003", None)]
        assert len(await inbox.open_rows(session, "zalo", "7", NOW)) == 1
