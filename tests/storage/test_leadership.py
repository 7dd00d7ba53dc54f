"""Every role x every leader action x inside or outside its scope, on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from conversations.roles import Grant, RoleName
from storage.db import make_sessionmaker, unit_of_work
from storage.leadership import SqlLeadership, create_invite, revoke_invite
from storage.models import Role
from tests.storage.leaders_world import NOW, World, build_world

# Which citizens each leader may see and decide on (their subtree, nothing else).
IN_SCOPE = {
    "village": {"an"},
    "unit": {"chi"},
    "commune": {"an", "binh", "chi"},
    "province": {"an", "binh", "chi", "dung"},
}
CITIZENS = ("an", "binh", "chi", "dung", "ha")


async def world_and_sessions(engine: AsyncEngine) -> tuple[World, object]:
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        world = await build_world(session)
    return world, sessions


def leadership(session: object, leader: str) -> SqlLeadership:
    return SqlLeadership(session, ("console", f"lead-{leader}"))  # type: ignore[arg-type]


@pytest.mark.parametrize("leader", IN_SCOPE)
async def test_each_leader_sees_and_decides_only_inside_their_scope(
    engine: AsyncEngine, leader: str
) -> None:
    world, sessions = await world_and_sessions(engine)
    grant = world.grants[leader]
    async with unit_of_work(sessions) as session:  # type: ignore[attr-defined]
        port = leadership(session, leader)
        assert await port.grants("console", f"lead-{leader}") == [grant]
        queue, total = await port.queue(grant, 0, 50)
        assert {item.person_name for item in queue} == {
            f"Người {c.title()}" for c in IN_SCOPE[leader]
        }
        assert total == len(IN_SCOPE[leader])
        for citizen in CITIZENS:
            assessment_id = world.assessments[citizen].id
            visible = await port.submission(grant, assessment_id)
            assert (visible is not None) == (citizen in IN_SCOPE[leader]), citizen
            if visible is not None:
                assert visible.summary.assessment_id == assessment_id


@pytest.mark.parametrize("leader", IN_SCOPE)
@pytest.mark.parametrize("citizen", CITIZENS)
async def test_decisions_outside_the_scope_are_refused_and_change_nothing(
    engine: AsyncEngine, leader: str, citizen: str
) -> None:
    world, sessions = await world_and_sessions(engine)
    grant = world.grants[leader]
    assessment_id = world.assessments[citizen].id
    async with unit_of_work(sessions) as session:  # type: ignore[attr-defined]
        port = leadership(session, leader)
        returned = await port.decide(
            grant, assessment_id, "returned", "thiếu minh chứng", port.who, NOW
        )
        assert (returned is not None) == (citizen in IN_SCOPE[leader])
        if returned is not None:
            assert returned.summary.status == "returned"
            assert returned.return_reason == "thiếu minh chứng"
            assert returned.user_ref == citizen


@pytest.mark.parametrize(
    ("leader", "may_recognise"),
    [("village", False), ("unit", False), ("commune", True), ("province", True)],
)
async def test_only_commune_and_province_leaders_recognise(
    engine: AsyncEngine, leader: str, may_recognise: bool
) -> None:
    world, sessions = await world_and_sessions(engine)
    target = "an"  # in every leader's scope but the unit leader's
    async with unit_of_work(sessions) as session:  # type: ignore[attr-defined]
        port = leadership(session, leader)
        done = await port.decide(
            world.grants[leader], world.assessments[target].id, "recognised", None, port.who, NOW
        )
    in_scope = target in IN_SCOPE[leader]
    assert (done is not None) == (may_recognise and in_scope)


async def test_a_decision_happens_once_even_if_two_leaders_try(engine: AsyncEngine) -> None:
    world, sessions = await world_and_sessions(engine)
    assessment_id = world.assessments["an"].id
    async with unit_of_work(sessions) as session:  # type: ignore[attr-defined]
        village = leadership(session, "village")
        first = await village.decide(
            world.grants["village"], assessment_id, "confirmed", None, village.who, NOW
        )
        commune = leadership(session, "commune")
        second = await commune.decide(
            world.grants["commune"], assessment_id, "confirmed", None, commune.who, NOW
        )
    assert first is not None
    assert second is None


async def test_a_revoked_role_can_do_nothing(engine: AsyncEngine) -> None:
    world, sessions = await world_and_sessions(engine)
    grant = world.grants["commune"]
    async with unit_of_work(sessions) as session:  # type: ignore[attr-defined]
        await session.execute(
            update(Role).where(Role.org_unit_id == grant.org_id).values(revoked_at=NOW)
        )
    async with unit_of_work(sessions) as session:  # type: ignore[attr-defined]
        port = leadership(session, "commune")
        assert await port.grants("console", "lead-commune") == []
        assert await port.submission(grant, world.assessments["an"].id) is None
        assert await port.digest(grant, 2026, NOW) is None


@pytest.mark.parametrize(
    ("leader", "role", "unit", "allowed"),
    [
        ("commune", RoleName.VILLAGE, "xom1", True),
        ("commune", RoleName.UNIT, "school", True),
        ("commune", RoleName.VILLAGE, "school", False),  # a village role on a unit
        ("commune", RoleName.VILLAGE, "anh_xom", False),  # another commune's village
        ("commune", RoleName.COMMUNE, "hai_hau", False),  # not below one's own role
        ("province", RoleName.COMMUNE, "hai_anh", True),
        ("province", RoleName.COMMUNE, "ba_dinh", False),  # another province
        ("village", RoleName.VILLAGE, "xom1", False),
        ("unit", RoleName.UNIT, "school", False),
    ],
)
async def test_invitations_follow_rank_kind_and_scope(
    engine: AsyncEngine, leader: str, role: RoleName, unit: str, allowed: bool
) -> None:
    world, sessions = await world_and_sessions(engine)
    async with unit_of_work(sessions) as session:  # type: ignore[attr-defined]
        port = leadership(session, leader)
        code = await port.invite(world.grants[leader], role, world.units[unit].id, NOW)
    assert (code is not None) == allowed


@pytest.mark.parametrize(
    ("leader", "unit", "allowed"),
    [
        ("commune", "xom2", True),
        ("commune", "anh_xom", False),
        ("village", "xom1", True),
        ("village", "xom2", False),
        ("province", "anh_xom", True),
        ("unit", "xom1", False),
    ],
)
async def test_invitation_links_only_for_places_in_scope(
    engine: AsyncEngine, leader: str, unit: str, allowed: bool
) -> None:
    world, sessions = await world_and_sessions(engine)
    async with unit_of_work(sessions) as session:  # type: ignore[attr-defined]
        port = leadership(session, leader)
        code = await port.link_code(world.grants[leader], world.units[unit].id, NOW)
    assert (code is not None) == allowed


@pytest.mark.parametrize(
    ("leader", "allowed"), [("commune", True), ("village", False), ("unit", False)]
)
async def test_only_commune_leaders_add_places(
    engine: AsyncEngine, leader: str, allowed: bool
) -> None:
    world, sessions = await world_and_sessions(engine)
    async with unit_of_work(sessions) as session:  # type: ignore[attr-defined]
        port = leadership(session, leader)
        place = await port.add_place(world.grants[leader], "village", "Xóm 9", 150)
    assert (place is not None) == allowed


async def test_an_invitation_code_works_once(engine: AsyncEngine) -> None:
    world, sessions = await world_and_sessions(engine)
    async with unit_of_work(sessions) as session:  # type: ignore[attr-defined]
        code = await create_invite(session, RoleName.VILLAGE, world.units["xom2"].id, NOW)
        port = leadership(session, "new")
        grant = await port.redeem(code, "telegram", "777", NOW)
        again = await port.redeem(code, "telegram", "888", NOW)
    assert grant == Grant(RoleName.VILLAGE, world.units["xom2"].id, "Xóm 2")
    assert again is None


async def test_an_invitation_code_expires(engine: AsyncEngine) -> None:
    world, sessions = await world_and_sessions(engine)
    async with unit_of_work(sessions) as session:  # type: ignore[attr-defined]
        code = await create_invite(session, RoleName.VILLAGE, world.units["xom2"].id, NOW, days=7)
        port = leadership(session, "new")
        assert (
            await port.redeem(code, "telegram", "777", NOW + timedelta(days=7, seconds=1)) is None
        )
        assert await port.redeem(code, "telegram", "777", NOW + timedelta(days=6)) is not None


async def test_a_revoked_invitation_code_is_refused(engine: AsyncEngine) -> None:
    world, sessions = await world_and_sessions(engine)
    async with unit_of_work(sessions) as session:  # type: ignore[attr-defined]
        code = await create_invite(session, RoleName.VILLAGE, world.units["xom2"].id, NOW)
        assert await revoke_invite(session, code, NOW)
        port = leadership(session, "new")
        assert await port.redeem(code, "telegram", "777", NOW) is None
        assert await port.redeem("no-such-code", "telegram", "777", NOW) is None
