"""Villages, residential groups and units from a CSV file: all lines or none, with every
problem reported by line number."""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.i18n import N_, ExplainedError
from conversations.text import fold, whole_number
from storage.csv_text import parse_lines
from storage.models import OrgUnit
from storage.org_lookup import find_org

COLUMNS = {
    "commune": ("commune", "xa", "xa phuong"),
    "kind": ("kind", "loai"),
    "name": ("name", "ten"),
    "population": ("population", "so nguoi"),
}
VILLAGE_WORDS = ("village", "thon", "xom", "to dan pho", "ap", "ban", "khu pho", "to")
UNIT_WORDS = ("unit", "don vi", "co quan", "truong", "doanh nghiep", "cong ty")


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    errors: tuple[ExplainedError, ...]


async def import_places(session: AsyncSession, text: str) -> ImportResult:
    """CSV lines commune, kind, name[, population] (Vietnamese headers too: xa, loai, ten,
    so nguoi). Every line is checked first; one bad line stores nothing, and every problem
    is reported with its line number."""

    async def parse(cells: Mapping[str, str]) -> tuple[OrgUnit, str, str, int | None]:
        return await _parse(session, cells)

    planned, errors = await parse_lines(text, COLUMNS, ("population",), parse)
    if errors:
        return ImportResult(0, 0, tuple(errors))
    added = updated = 0
    for commune, kind, name, population in planned:
        was_new = await _upsert(session, commune, kind, name, population)
        added, updated = added + was_new, updated + (not was_new)
    return ImportResult(added, updated, ())


async def _parse(
    session: AsyncSession, cells: Mapping[str, str]
) -> tuple[OrgUnit, str, str, int | None]:
    name = cells["name"]
    if not name:
        raise ExplainedError(N_("the name is empty"))
    kind = _kind(cells["kind"])
    commune = await find_org(session, cells["commune"], ("commune",))
    raw = cells.get("population", "").replace(".", "")
    population = whole_number(raw, 9) if raw[:1].isdecimal() else None
    if raw and population is None:
        raise ExplainedError(
            N_("population “{value}” is not a whole number (at most 9 digits)"),
            value=cells["population"][:20],
        )
    return commune, kind, name, population


def _kind(text: str) -> str:
    folded = fold(text)
    if folded in UNIT_WORDS or any(folded.startswith(w) for w in UNIT_WORDS[1:]):
        return "unit"
    if folded in VILLAGE_WORDS:
        return "village"
    raise ExplainedError(
        N_(
            "kind “{value}” is neither a village (thôn, xóm, tổ dân phố) nor a unit (trường, "
            "cơ quan, công ty)"
        ),
        value=text[:40],
    )


async def _upsert(
    session: AsyncSession, commune: OrgUnit, kind: str, name: str, population: int | None
) -> bool:
    query = select(OrgUnit).where(
        OrgUnit.parent_id == commune.id, OrgUnit.search_key == fold(name)
    )
    unit = (await session.execute(query)).scalar_one_or_none()
    if unit is None:
        session.add(
            OrgUnit(
                parent_id=commune.id,
                kind=kind,
                name=name,
                search_key=fold(name),
                population=population,
            )
        )
        return True
    unit.kind = kind
    if population is not None:
        unit.population = population
    return False
