"""Typed places put into the tree, people with them: the Leadership port's contract on
SQLite and PostgreSQL (issue 9, item 1)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from conversations.ports import TypedPlace
from storage.db import make_sessionmaker, unit_of_work
from storage.leadership import SqlLeadership
from storage.models import OrgUnit, Person
from tests.storage.leaders_world import NOW, World, build_world

# (user, commune, typed place, gave consent): in Hải Hậu, three spellings of one village,
# one other place, one person who withdrew; in Hải Anh, the same name (another commune).
TYPED = [
    ("t1", "hai_hau", "xom moi", True),
    ("t2", "hai_hau", "Xóm Mới", True),
    ("t3", "hai_hau", "XÓM MỚI", True),
    ("t4", "hai_hau", "Đội 7", True),
    ("t5", "hai_hau", "xom moi", False),
    ("t6", "hai_anh", "xom moi", True),
]


async def typed_world(engine: AsyncEngine) -> tuple[World, object]:
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        world = await build_world(session)
        for user, commune, place, consent in TYPED:
            person = Person(
                channel="console",
                user_ref=user,
                locale="vi",
                name=user,
                commune_id=world.units[commune].id,
                place_name=place,
                consent_at=NOW if consent else None,
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(person)
            world.people[user] = person
        hai_hau = world.units["hai_hau"].id
        session.add(OrgUnit(parent_id=hai_hau, kind="village", name="Xóm Mới", search_key=""))
        await session.flush()
    return world, sessions


def port(session: object, leader: str) -> SqlLeadership:
    return SqlLeadership(session, ("console", f"lead-{leader}"))  # type: ignore[arg-type]


async def places_of(session: object, *users: str) -> dict[str, tuple[int | None, str | None]]:
    query = select(Person).where(Person.user_ref.in_(users))
    found = (await session.execute(query)).scalars()  # type: ignore[attr-defined]
    return {p.user_ref: (p.place_id, p.place_name) for p in found}


async def test_a_commune_leader_sees_typed_places_by_spelling_key_and_count(
    engine: AsyncEngine,
) -> None:
    world, sessions = await typed_world(engine)
    async with unit_of_work(sessions) as session:  # type: ignore[attr-defined]
        found = await port(session, "commune").typed_places(world.grants["commune"])
    handle = world.people["t1"].id
    assert found == [
        TypedPlace(handle, "xom moi", 3),  # t1..t3; not t5 (withdrew), not t6 (Hải Anh)
        TypedPlace(world.people["t4"].id, "Đội 7", 1),
    ]


async def test_attaching_moves_the_communes_people_and_nobody_else(engine: AsyncEngine) -> None:
    world, sessions = await typed_world(engine)
    grant = world.grants["commune"]
    async with unit_of_work(sessions) as session:  # type: ignore[attr-defined]
        village = (
            await session.execute(select(OrgUnit).where(OrgUnit.name == "Xóm Mới"))
        ).scalar_one()
        moved = await port(session, "commune").attach_typed(grant, "Xom moi", village.id)
    assert moved == 3
    async with unit_of_work(sessions) as session:  # type: ignore[attr-defined]
        places = await places_of(session, "t1", "t2", "t3", "t4", "t5", "t6")
        left = await port(session, "commune").typed_places(grant)
    assert {places[u] for u in ("t1", "t2", "t3")} == {(village.id, "Xóm Mới")}
    assert places["t4"] == (None, "Đội 7")
    assert places["t5"] == (None, "xom moi")  # withdrew: left as it was
    assert places["t6"] == (None, "xom moi")  # another commune
    assert [p.name for p in left] == ["Đội 7"]


async def test_attaching_is_refused_outside_the_commune_leaders_own_villages(
    engine: AsyncEngine,
) -> None:
    world, sessions = await typed_world(engine)
    async with unit_of_work(sessions) as session:  # type: ignore[attr-defined]
        commune = port(session, "commune")
        grant = world.grants["commune"]
        assert await commune.attach_typed(grant, "xom moi", world.units["anh_xom"].id) is None
        assert await commune.attach_typed(grant, "xom moi", world.units["hai_hau"].id) is None
        for leader in ("village", "province"):
            other = port(session, leader)
            assert await other.typed_places(world.grants[leader]) == []
            xom1 = world.units["xom1"].id
            assert await other.attach_typed(world.grants[leader], "xom moi", xom1) is None
    async with unit_of_work(sessions) as session:  # type: ignore[attr-defined]
        places = await places_of(session, "t1", "t2", "t3")
    assert set(places.values()) == {(None, "xom moi"), (None, "Xóm Mới"), (None, "XÓM MỚI")}


async def test_adding_a_place_spelled_otherwise_finds_the_one_there(engine: AsyncEngine) -> None:
    world, sessions = await typed_world(engine)
    async with unit_of_work(sessions) as session:  # type: ignore[attr-defined]
        commune = port(session, "commune")
        again = await commune.add_place(world.grants["commune"], "village", "xóm 01", None)
    assert again is not None
    assert (again.id, again.name) == (world.units["xom1"].id, "Xóm 1")
