"""Vietnam's 2025 administrative units (34 provinces, 3,321 communes) as org tree roots."""

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from vietnam_provinces import Province, Ward

from conversations.text import fold
from storage.former import search_words
from storage.models import OrgUnit

COUNTRY_CODE = "VN"


async def load_admin_units(session: AsyncSession, province: str | None = None) -> int:
    """Insert the country, provinces and communes not there yet (of one province, if named);
    returns how many were added."""
    root = await _country(session)
    known = set(
        (await session.execute(select(OrgUnit.code).where(OrgUnit.code.is_not(None)))).scalars()
    )
    chosen = [p for p in Province.iter_all() if province is None or fold(p.name) == fold(province)]
    provinces = [p for p in chosen if f"P{int(p.code)}" not in known]
    if provinces:
        await session.execute(insert(OrgUnit), [_province_row(p, root.id) for p in provinces])
    province_ids = select(OrgUnit.code, OrgUnit.id).where(OrgUnit.kind == "province")
    ids = {code: unit_id for code, unit_id in await session.execute(province_ids)}
    names = {int(p.code): p.name for p in Province.iter_all()}
    wanted = {int(p.code) for p in chosen}
    wards = [
        w
        for w in Ward.iter_all()
        if int(w.province_code) in wanted and f"W{int(w.code)}" not in known
    ]
    if wards:
        rows = [
            _ward_row(w, ids[f"P{int(w.province_code)}"], names[int(w.province_code)])
            for w in wards
        ]
        await session.execute(insert(OrgUnit), rows)
    await _refresh_search_keys(session)
    return len(provinces) + len(wards)


async def _refresh_search_keys(session: AsyncSession) -> None:
    """Communes loaded before the former names were known get them on the next upgrade."""
    statement = select(OrgUnit.id, OrgUnit.name).where(OrgUnit.kind == "province")
    provinces = {unit_id: name for unit_id, name in await session.execute(statement)}
    communes = select(
        OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.parent_id, OrgUnit.search_key
    )
    for unit_id, code, name, parent_id, key in await session.execute(
        communes.where(OrgUnit.kind == "commune", OrgUnit.code.like("W%"))
    ):
        province = provinces.get(parent_id, "") if parent_id is not None else ""
        wanted = search_words(name, province, int((code or "W0")[1:]))
        if wanted != key:
            await session.execute(
                update(OrgUnit).where(OrgUnit.id == unit_id).values(search_key=wanted)
            )


async def count_communes(session: AsyncSession) -> int:
    query = select(func.count()).select_from(OrgUnit).where(OrgUnit.kind == "commune")
    return (await session.execute(query)).scalar_one()


def find_province(name: str) -> Province | None:
    return next((p for p in Province.iter_all() if fold(p.name) == fold(name)), None)


async def _country(session: AsyncSession) -> OrgUnit:
    """The root of the tree, where the national targets (QĐ 677) are set."""
    query = select(OrgUnit).where(OrgUnit.code == COUNTRY_CODE)
    root = (await session.execute(query)).scalar_one_or_none()
    if root is None:
        root = OrgUnit(kind="country", code=COUNTRY_CODE, name="Việt Nam", search_key="viet nam")
        session.add(root)
        await session.flush()
    orphans = update(OrgUnit).where(OrgUnit.kind == "province", OrgUnit.parent_id.is_(None))
    await session.execute(orphans.values(parent_id=root.id))
    return root


def _province_row(province: Province, country_id: int) -> dict[str, object]:
    return {
        "parent_id": country_id,
        "kind": "province",
        "code": f"P{int(province.code)}",
        "name": province.name,
        "search_key": fold(province.name),
    }


def _ward_row(ward: Ward, province_id: int, province_name: str) -> dict[str, object]:
    return {
        "parent_id": province_id,
        "kind": "commune",
        "code": f"W{int(ward.code)}",
        "name": ward.name,
        "search_key": search_words(ward.name, province_name, int(ward.code)),
    }
