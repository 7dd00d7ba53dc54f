"""Yearly targets per organisation node; the nearest ancestor's target applies."""

import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.digest import METRICS, Target
from conversations.i18n import N_, ExplainedError
from storage.models import OrgUnit, TargetRow
from storage.org_tree import Node, as_node
from storage.scopes import ancestors

DATA_DIR = Path(__file__).parent / "data"
NATIONAL_FILE = DATA_DIR / "targets-national-qd677.toml"


class TargetsError(ExplainedError):
    """A targets file is broken; the message names the file and the entry."""


@dataclass(frozen=True)
class TargetEntry:
    year: int
    metric: str
    value: float


def read_targets(path: Path) -> tuple[str, list[TargetEntry]]:
    """(source description, entries) from a TOML file of [[targets]] year/metric/value."""
    data = _read_toml(path)
    entries = []
    for index, raw in enumerate(data.get("targets", [])):
        where = f"{path.name}: targets[{index}]"
        year, metric, value = raw.get("year"), raw.get("metric"), raw.get("value")
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            raise TargetsError(N_("{where}.year: write a year from 2000 to 2100"), where=where)
        if metric not in METRICS:
            raise TargetsError(
                N_("{where}.metric: write one of {metrics}"),
                where=where,
                metrics=", ".join(METRICS),
            )
        if not isinstance(value, int | float) or not 0 <= value <= 1:
            raise TargetsError(
                N_("{where}.value: write a share from 0 to 1, e.g. 0.55 for 55%"), where=where
            )
        entries.append(TargetEntry(year, metric, float(value)))
    if not entries:
        raise TargetsError(N_("{file}: has no [[targets]]"), file=path.name)
    return str(data.get("source", path.name)), entries


async def set_target(
    session: AsyncSession, org_id: int, entry: TargetEntry, source: str | None = None
) -> None:
    query = select(TargetRow).where(
        TargetRow.org_unit_id == org_id,
        TargetRow.year == entry.year,
        TargetRow.metric == entry.metric,
    )
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        row = TargetRow(org_unit_id=org_id, year=entry.year, metric=entry.metric)
        session.add(row)
    row.value, row.source = entry.value, source


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise TargetsError(N_("{file}: cannot be read as TOML text"), file=path.name) from error


def plan_communes(path: Path) -> list[str]:
    """The codes of the communes a plan file names ([[communes]] code = "W14215"), which
    took over the area the plan was written for; empty when it names none."""
    codes = []
    for index, raw in enumerate(_read_toml(path).get("communes", [])):
        code = raw.get("code") if isinstance(raw, dict) else None
        if not isinstance(code, str) or not code:
            raise TargetsError(
                N_("{file}: communes[{index}].code: write a commune code, e.g. W14215"),
                file=path.name,
                index=index,
            )
        codes.append(code)
    return codes


async def load_targets(session: AsyncSession, org_id: int, path: Path) -> int:
    source, entries = read_targets(path)
    for entry in entries:
        await set_target(session, org_id, entry, source)
    return len(entries)


async def load_plan(session: AsyncSession, path: Path) -> list[str]:
    """Load a plan file onto every commune it names; the names of those communes. A commune
    missing from the tree loads nothing anywhere (TargetsError naming it)."""
    read_targets(path)  # broken entries fail before anything is written
    codes = plan_communes(path)
    if not codes:
        raise TargetsError(N_("{file}: names no [[communes]]; add --org"), file=path.name)
    query = select(OrgUnit).where(OrgUnit.code.in_(codes), OrgUnit.kind == "commune")
    found = {unit.code: unit for unit in (await session.execute(query)).scalars()}
    missing = [code for code in codes if code not in found]
    if missing:
        raise TargetsError(
            N_("{file}: these communes are not in the tree: {codes}"),
            file=path.name,
            codes=", ".join(missing),
        )
    for code in codes:
        await load_targets(session, found[code].id, path)
    return [found[code].name for code in codes]


@dataclass(frozen=True)
class TargetBook:
    """The targets set on some nodes from a year on, read in one query, so that the nearest
    ancestor's target is found in memory (a digest asks for hundreds)."""

    rows: Mapping[int, Sequence[TargetRow]]  # node id -> its targets

    def find(self, chain: Sequence[Node], year: int, metric: str) -> Target | None:
        """This year's target from the nearest node of `chain` (the node, then its
        ancestors) that has one; if that node has none for this year, its next milestone
        (e.g. 2030 for 2026) is the target to work towards."""
        for node in chain:
            found = [
                row
                for row in self.rows.get(node.id, ())
                if row.metric == metric and row.year >= year
            ]
            if found:
                row = min(found, key=lambda r: r.year)
                return Target(metric, row.value, row.year, node.name, row.source)
        return None


async def target_book(
    session: AsyncSession, org_ids: Collection[int] | Select[int], from_year: int
) -> TargetBook:
    """Every target set on these nodes (ids, or a query of them) for `from_year` or later."""
    query = select(TargetRow).where(
        TargetRow.org_unit_id.in_(org_ids), TargetRow.year >= from_year
    )
    rows: dict[int, list[TargetRow]] = {}
    for row in (await session.execute(query)).scalars():
        rows.setdefault(row.org_unit_id, []).append(row)
    return TargetBook(rows)


async def target_for(session: AsyncSession, org_id: int, year: int, metric: str) -> Target | None:
    """The target of one node (TargetBook.find), read on its own."""
    chain = [as_node(unit) for unit in await ancestors(session, org_id)]
    book = await target_book(session, [node.id for node in chain], year)
    return book.find(chain, year, metric)


async def country(session: AsyncSession) -> OrgUnit | None:
    query = select(OrgUnit).where(OrgUnit.kind == "country")
    return (await session.execute(query)).scalars().first()
