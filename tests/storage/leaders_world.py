"""A small world for leader tests: two communes of one province and one of another, with
villages and units, a few citizens at each status, and one leader per role."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.roles import Grant, RoleName
from conversations.text import fold
from storage.models import AssessmentRow, OrgUnit, Person, Role

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


@dataclass
class World:
    units: dict[str, OrgUnit] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    assessments: dict[str, AssessmentRow] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)


async def commune(session: AsyncSession, name: str, province: str) -> OrgUnit:
    parent = select(OrgUnit.id).where(OrgUnit.kind == "province", OrgUnit.name == province)
    query = select(OrgUnit).where(
        OrgUnit.kind == "commune", OrgUnit.name == name, OrgUnit.parent_id.in_(parent)
    )
    return (await session.execute(query)).scalar_one()


async def build_world(session: AsyncSession) -> World:
    world = World()
    hai_hau = await commune(session, "Xã Hải Hậu", "Ninh Bình")
    hai_anh = await commune(session, "Xã Hải Anh", "Ninh Bình")
    ba_dinh = await commune(session, "Phường Ba Đình", "Thành phố Hà Nội")
    world.units.update(hai_hau=hai_hau, hai_anh=hai_anh, ba_dinh=ba_dinh)
    world.units["ninh_binh"] = await session.get(OrgUnit, hai_hau.parent_id)  # type: ignore[assignment]
    for key, parent, kind, name, population in [
        ("xom1", hai_hau, "village", "Xóm 1", 100),
        ("xom2", hai_hau, "village", "Xóm 2", None),
        ("school", hai_hau, "unit", "Trường THCS Hải Hậu", 40),
        ("anh_xom", hai_anh, "village", "Xóm Đông", 80),
        ("tdp", ba_dinh, "village", "Tổ dân phố 5", 200),
    ]:
        unit = OrgUnit(
            parent_id=parent.id, kind=kind, name=name, search_key=fold(name), population=population
        )
        session.add(unit)
        world.units[key] = unit
    await session.flush()
    for key, place, status in [
        ("an", "xom1", "submitted"),
        ("binh", "xom2", "confirmed"),
        ("chi", "school", "submitted"),
        ("dung", "anh_xom", "submitted"),
        ("ha", "tdp", "submitted"),
    ]:
        await _citizen(session, world, key, place, status)
    for key, role, unit in [
        ("village", RoleName.VILLAGE, "xom1"),
        ("unit", RoleName.UNIT, "school"),
        ("commune", RoleName.COMMUNE, "hai_hau"),
        ("province", RoleName.PROVINCE, "ninh_binh"),
    ]:
        leader = Person(
            channel="console", user_ref=f"lead-{key}", locale="en", created_at=NOW, updated_at=NOW
        )
        session.add(leader)
        await session.flush()
        org = world.units[unit]
        session.add(Role(person_id=leader.id, role=role.value, org_unit_id=org.id, granted_at=NOW))
        world.grants[key] = Grant(role, org.id, org.name)
    await session.flush()
    return world


async def _citizen(session: AsyncSession, world: World, key: str, place: str, status: str) -> None:
    unit = world.units[place]
    person = Person(
        channel="console",
        user_ref=key,
        locale="vi",
        name=f"Người {key.title()}",
        birth_year=1970,
        commune_id=unit.parent_id,
        place_id=unit.id,
        place_name=unit.name,
        target_group="a",
        consent_at=NOW,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(person)
    await session.flush()
    row = AssessmentRow(
        person_id=person.id,
        season=2026,
        questionnaire="cdht-2023",
        target_group="a",
        status=status,
        total=85,
        answered=10,
        recognised=True,
        digital_level="basic",
        started_at=NOW,
        completed_at=NOW,
        submitted_at=NOW,
        confirmed_at=NOW if status == "confirmed" else None,
        updated_at=NOW,
    )
    session.add(row)
    await session.flush()
    world.people[key] = person
    world.assessments[key] = row
