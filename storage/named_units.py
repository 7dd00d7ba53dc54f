"""Households and clans a village leader keeps by name (QĐ 387/QĐ-TTg: "Gia đình học tập",
"Dòng họ học tập"): added, recognised in a year, removed. Where a village has named units of
a kind counted in a year, their numbers replace the typed count of that kind and year."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.plan import VILLAGE_ENTERS
from conversations.ports import Named
from conversations.text import fold
from storage.models import NamedUnit, NamedUnitTitle, OrgUnit


def counted_in(year: int) -> ColumnElement[bool]:
    """Named units that count in `year`: added by then, not removed by then."""
    return and_(
        NamedUnit.since <= year,
        or_(NamedUnit.removed_in.is_(None), NamedUnit.removed_in > year),
    )


def named_counts(year: int, villages: ColumnElement[bool]) -> Select[int, str, int, int]:
    """(org id, metric, done, total) per village and kind, for the villages `villages`
    selects (a condition on NamedUnit.village_id): the same columns as a typed count."""
    title = and_(NamedUnitTitle.unit_id == NamedUnit.id, NamedUnitTitle.year == year)
    return (
        select(
            NamedUnit.village_id.label("org_id"),
            NamedUnit.kind.label("metric"),
            func.count(NamedUnitTitle.unit_id).label("done"),
            func.count(NamedUnit.id).label("total"),
        )
        .outerjoin(NamedUnitTitle, title)
        .where(counted_in(year), villages)
        .group_by(NamedUnit.village_id, NamedUnit.kind)
    )


def kept_by_name(year: int, org_id: Any, metric: Any) -> ColumnElement[bool]:
    """True where the village `org_id` has named units of `metric` counted in `year`."""
    named = select(literal(1)).where(
        NamedUnit.village_id == org_id, NamedUnit.kind == metric, counted_in(year)
    )
    return named.exists()


async def named_in(
    session: AsyncSession, village_id: int, kind: str, year: int
) -> Sequence[Named]:
    """The village's named units of a kind counted in the year, by name."""
    title = and_(NamedUnitTitle.unit_id == NamedUnit.id, NamedUnitTitle.year == year)
    query = (
        select(NamedUnit.id, NamedUnit.name, NamedUnitTitle.unit_id.is_not(None))
        .outerjoin(NamedUnitTitle, title)
        .where(NamedUnit.village_id == village_id, NamedUnit.kind == kind, counted_in(year))
        .order_by(NamedUnit.search_key, NamedUnit.id)
    )
    return [Named(id_, name, bool(done)) for id_, name, done in await session.execute(query)]


async def recognised_names(
    session: AsyncSession, villages: ColumnElement[bool], year: int
) -> tuple[tuple[str, str, str], ...]:
    """(village, metric, name) of the named units recognised in `year`, in the villages
    `villages` selects (a condition on NamedUnit.village_id), by village, kind and name."""
    query = (
        select(OrgUnit.name, NamedUnit.kind, NamedUnit.name)
        .join(NamedUnitTitle, NamedUnitTitle.unit_id == NamedUnit.id)
        .join(OrgUnit, OrgUnit.id == NamedUnit.village_id)
        .where(NamedUnitTitle.year == year, counted_in(year), villages)
        .order_by(OrgUnit.name, NamedUnit.kind.desc(), NamedUnit.search_key)
    )
    return tuple((village, kind, name) for village, kind, name in await session.execute(query))


async def households_of(session: AsyncSession, village_id: int) -> Sequence[Named]:
    """The households the village keeps by name now (not removed), by name."""
    query = (
        select(NamedUnit.id, NamedUnit.name)
        .where(
            NamedUnit.village_id == village_id,
            NamedUnit.kind == "households",
            NamedUnit.removed_in.is_(None),
        )
        .order_by(NamedUnit.search_key, NamedUnit.id)
    )
    return [Named(id_, name) for id_, name in await session.execute(query)]


@dataclass(frozen=True)
class NameEntry:
    """One household or clan to keep from `year` on, and (unless None) whether it is
    recognised in that year."""

    village_id: int
    kind: str  # households or clans
    name: str  # already unit_name's
    year: int
    recognised: bool | None = None


async def record_names(
    session: AsyncSession, entries: Sequence[NameEntry], now: datetime
) -> list[NamedUnit]:
    """Keep each name from its year on (a removed one comes back; one kept from a later
    year now counts from this one) and set its title for that year; the units in the
    entries' order. A few statements for any number of entries (a whole CSV file)."""
    villages = {entry.village_id for entry in entries}
    query = select(NamedUnit).where(NamedUnit.village_id.in_(villages))
    kept = {
        _key(u.village_id, u.kind, u.name): u for u in (await session.execute(query)).scalars()
    }
    units = []
    for entry in entries:
        assert entry.kind in VILLAGE_ENTERS
        key = _key(entry.village_id, entry.kind, entry.name)
        unit = kept.get(key)
        if unit is None:
            unit = NamedUnit(
                village_id=entry.village_id,
                kind=entry.kind,
                name=entry.name,
                search_key=fold(entry.name),
                since=entry.year,
                created_at=now,
            )
            session.add(unit)
            kept[key] = unit
        elif unit.removed_in is not None and unit.removed_in <= entry.year:
            unit.removed_in, unit.since = None, entry.year
        else:
            unit.since = min(unit.since, entry.year)
        units.append(unit)
    await session.flush()
    await _set_titles(session, villages, list(zip(units, entries, strict=True)), now)
    return units


def _key(village_id: int, kind: str, name: str) -> tuple[int, str, str]:
    return village_id, kind, fold(name)


async def _set_titles(
    session: AsyncSession,
    villages: set[int],
    pairs: list[tuple[NamedUnit, NameEntry]],
    now: datetime,
) -> None:
    query = (
        select(NamedUnitTitle)
        .join(NamedUnit, NamedUnit.id == NamedUnitTitle.unit_id)
        .where(NamedUnit.village_id.in_(villages))
    )
    titles = {(t.unit_id, t.year): t for t in (await session.execute(query)).scalars()}
    for unit, entry in pairs:
        found = titles.get((unit.id, entry.year))
        if entry.recognised and found is None:
            titles[(unit.id, entry.year)] = NamedUnitTitle(
                unit_id=unit.id, year=entry.year, recorded_at=now
            )
            session.add(titles[(unit.id, entry.year)])
        elif entry.recognised is False and found is not None:
            await session.delete(found)
            del titles[(unit.id, entry.year)]
    await session.flush()


async def add_named(
    session: AsyncSession, village_id: int, kind: str, name: str, year: int, now: datetime
) -> NamedUnit:
    """record_names for one name, its title left as it is."""
    return (await record_names(session, [NameEntry(village_id, kind, name, year)], now))[0]


async def set_recognised(
    session: AsyncSession, unit_id: int, year: int, recognised: bool, now: datetime
) -> None:
    """Mark the named unit recognised in the year, or take the mark back."""
    found = await session.get(NamedUnitTitle, (unit_id, year))
    if recognised and found is None:
        session.add(NamedUnitTitle(unit_id=unit_id, year=year, recorded_at=now))
    if not recognised and found is not None:
        await session.delete(found)
    await session.flush()


async def remove_named(session: AsyncSession, unit: NamedUnit, year: int) -> None:
    """No longer counted from `year` on; earlier years keep it. One added this year
    (a typo, say) goes altogether."""
    if unit.since >= year:
        await session.delete(unit)
    else:
        unit.removed_in = year
    await session.flush()
