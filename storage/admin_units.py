"""Vietnam's 2025 administrative units (34 provinces, 3,321 communes) as org tree roots."""

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from vietnam_provinces import Province, Ward

from conversations.text import fold
from storage.models import OrgUnit


async def load_admin_units(session: AsyncSession) -> int:
    """Insert the provinces and communes that are not there yet; returns how many were added."""
    known = set(
        (await session.execute(select(OrgUnit.code).where(OrgUnit.code.is_not(None)))).scalars()
    )
    provinces = [p for p in Province.iter_all() if f"P{int(p.code)}" not in known]
    if provinces:
        await session.execute(insert(OrgUnit), [_province_row(p) for p in provinces])
    province_ids = select(OrgUnit.code, OrgUnit.id).where(OrgUnit.kind == "province")
    ids = {code: unit_id for code, unit_id in await session.execute(province_ids)}
    names = {int(p.code): p.name for p in Province.iter_all()}
    wards = [w for w in Ward.iter_all() if f"W{int(w.code)}" not in known]
    if wards:
        rows = [
            _ward_row(w, ids[f"P{int(w.province_code)}"], names[int(w.province_code)])
            for w in wards
        ]
        await session.execute(insert(OrgUnit), rows)
    return len(provinces) + len(wards)


async def count_communes(session: AsyncSession) -> int:
    query = select(func.count()).select_from(OrgUnit).where(OrgUnit.kind == "commune")
    return (await session.execute(query)).scalar_one()


def _province_row(province: Province) -> dict[str, object]:
    return {
        "parent_id": None,
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
        "search_key": f"{fold(ward.name)} {fold(province_name)}",
    }
