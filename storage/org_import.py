"""Villages, residential groups and units from a CSV file: all lines or none, with every
problem reported by line number."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.text import fold, whole_number
from storage.csv_text import find_columns, read_csv
from storage.models import OrgUnit
from storage.org_lookup import OrgLookupError, find_org

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
    errors: tuple[str, ...]


async def import_places(session: AsyncSession, text: str) -> ImportResult:
    reader = read_csv(text)
    columns = find_columns(list(reader.fieldnames or []), COLUMNS, optional=("population",))
    if isinstance(columns, str):
        return ImportResult(0, 0, (columns,))
    planned: list[tuple[int, OrgUnit, str, str, int | None]] = []
    errors: list[str] = []
    for number, line in enumerate(reader, start=2):
        try:
            planned.append((number, *await _parse(session, line, columns)))
        except ValueError as error:
            errors.append(f"line {number}: {error}")
    if errors:
        return ImportResult(0, 0, tuple(errors))
    added = updated = 0
    for _number, commune, kind, name, population in planned:
        was_new = await _upsert(session, commune, kind, name, population)
        added, updated = added + was_new, updated + (not was_new)
    return ImportResult(added, updated, ())


async def _parse(
    session: AsyncSession, line: dict[str, str], columns: dict[str, str]
) -> tuple[OrgUnit, str, str, int | None]:
    name = (line.get(columns["name"]) or "").strip()
    if not name:
        raise ValueError("the name is empty")
    kind = _kind(line.get(columns["kind"]) or "")
    try:
        commune = await find_org(session, line.get(columns["commune"]) or "", ("commune",))
    except OrgLookupError as error:
        raise ValueError(str(error)) from error
    raw = (line.get(columns.get("population", ""), "") or "").strip().replace(".", "")
    population = whole_number(raw, 9) if raw[:1].isdecimal() else None
    if raw and population is None:
        raise ValueError(f"population {raw!r} is not a whole number (at most 9 digits)")
    return commune, kind, name, population


def _kind(text: str) -> str:
    folded = fold(text)
    if folded in UNIT_WORDS or any(folded.startswith(w) for w in UNIT_WORDS[1:]):
        return "unit"
    if folded in VILLAGE_WORDS:
        return "village"
    raise ValueError(f"kind {text!r} is neither a village (thôn, xóm, tổ dân phố) nor a unit")


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
