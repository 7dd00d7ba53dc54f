"""Yearly facts against the plan's columns (group titles of QĐ 387, the association's own
numbers): stored per node, summed over a subtree, imported from CSV all or nothing."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.i18n import N_, ExplainedError
from conversations.plan import BY_ID, SINGLE, check_fact
from conversations.text import fold, whole_number
from storage.csv_text import parse_lines
from storage.models import OrgUnit, PlanFact
from storage.org_lookup import find_org

COLUMNS = {
    "commune": ("commune", "xa", "xa phuong"),
    "place": ("place", "noi", "thon don vi", "thon, don vi", "ten"),
    "metric": ("metric", "loai", "danh hieu", "chi so"),
    "year": ("year", "nam"),
    "done": ("done", "dat", "so dat", "cong nhan"),
    "total": ("total", "tong", "tong so"),
}
# Words people write for each column (folded), besides the metric ids themselves.
METRIC_WORDS = {
    "gia dinh": "households",
    "ho gia dinh": "households",
    "dong ho": "clans",
    "cong dong": "communities",
    "don vi": "units",
    "hoi vien tap huan": "members_trained",
    "quan triet": "members_briefed",
    "chu tich": "chairs_cltc",
    "can bo": "officers_cltc",
}


class FactError(ExplainedError):
    """A fact that cannot be stored; the message is an English msgid for t()."""


@dataclass(frozen=True)
class FactsImport:
    stored: int
    errors: tuple[ExplainedError, ...]


async def set_fact(
    session: AsyncSession,
    node: OrgUnit,
    year: int,
    metric: str,
    done: int,
    total: int,
    now: datetime,
) -> None:
    """Store `done` of `total` for one column, node and year (replacing what was there)."""
    problem = check_fact(node.kind, metric, done, total)
    if problem is not None:
        raise FactError(problem)
    query = select(PlanFact).where(
        PlanFact.org_unit_id == node.id, PlanFact.year == year, PlanFact.metric == metric
    )
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        row = PlanFact(org_unit_id=node.id, year=year, metric=metric)
        session.add(row)
    row.done, row.total, row.updated_at = done, total, now
    await session.flush()


def _subtree(node: OrgUnit) -> ColumnElement[bool]:
    """SQL condition on PlanFact: the node, its children and grandchildren (a province's
    communes and their villages and units)."""
    children = select(OrgUnit.id).where(OrgUnit.parent_id == node.id)
    grandchildren = select(OrgUnit.id).where(OrgUnit.parent_id.in_(children))
    return or_(
        PlanFact.org_unit_id == node.id,
        PlanFact.org_unit_id.in_(children),
        PlanFact.org_unit_id.in_(grandchildren),
    )


async def fact_totals(
    session: AsyncSession, node: OrgUnit, year: int
) -> Mapping[str, tuple[int, int]]:
    """metric -> (done, total) summed over the node's subtree for the year."""
    query = (
        select(PlanFact.metric, func.sum(PlanFact.done), func.sum(PlanFact.total))
        .where(PlanFact.year == year, _subtree(node))
        .group_by(PlanFact.metric)
    )
    return {
        metric: (int(done), int(total)) for metric, done, total in await session.execute(query)
    }


async def facts_by_place(
    session: AsyncSession, node: OrgUnit, year: int
) -> Mapping[tuple[int, str], tuple[int, int]]:
    """(org id, metric) -> (done, total) for every fact in the subtree."""
    query = select(PlanFact).where(PlanFact.year == year, _subtree(node))
    return {
        (row.org_unit_id, row.metric): (row.done, row.total)
        for row in (await session.execute(query)).scalars()
    }


async def import_facts(session: AsyncSession, text: str, now: datetime) -> FactsImport:
    """CSV lines commune;place;metric;year;done;total (Vietnamese headers too: xa, noi, loai,
    nam, dat, tong). Every line is checked first; one bad line stores nothing, and every
    problem is reported with its line number."""

    async def parse(cells: Mapping[str, str]) -> tuple[OrgUnit, int, str, int, int]:
        return await _parse(session, cells)

    planned, errors = await parse_lines(text, COLUMNS, ("place", "total"), parse)
    if errors:
        return FactsImport(0, tuple(errors))
    for node, year, metric, done, total in planned:
        await set_fact(session, node, year, metric, done, total, now)
    return FactsImport(len(planned), ())


async def _parse(
    session: AsyncSession, cells: Mapping[str, str]
) -> tuple[OrgUnit, int, str, int, int]:
    commune = await find_org(session, cells["commune"], ("commune",))
    node = await _place(session, commune, cells.get("place", ""))
    metric = _metric(cells["metric"])
    year, done = _number(cells["year"], N_("year")), _number(cells["done"], N_("done"))
    if not 2000 <= year <= 2100:
        raise ExplainedError(N_("the year {year} is not from 2000 to 2100"), year=year)
    given = cells.get("total", "")
    total = _number(given, N_("total")) if given else (1 if metric in SINGLE else -1)
    if total < 0:
        raise ExplainedError(N_("the total is empty"))
    problem = check_fact(node.kind, metric, done, total)
    if problem is not None:
        raise ExplainedError(
            N_("{place}: {problem}"), place=node.name, problem=ExplainedError(problem)
        )
    return node, year, metric, done, total


async def _place(session: AsyncSession, commune: OrgUnit, name: str) -> OrgUnit:
    if not name:
        return commune
    query = select(OrgUnit).where(
        OrgUnit.parent_id == commune.id, OrgUnit.search_key == fold(name)
    )
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise ExplainedError(
            N_("no village or unit named “{name}” in {commune}"),
            name=name[:60],
            commune=commune.name,
        )
    return found


def _metric(text: str) -> str:
    if text.strip().lower() in BY_ID:
        return text.strip().lower()
    folded = fold(text)
    for words, metric in METRIC_WORDS.items():
        if folded.startswith(words):
            return metric
    raise ExplainedError(
        N_(
            "“{value}” is not a title or column: gia đình, dòng họ, cộng đồng, đơn vị, or one "
            "of {ids}"
        ),
        value=text[:40],
        ids=", ".join(BY_ID),
    )


def _number(text: str, field: str) -> int:
    """A count as written in a sheet ("1.250" is 1250): ExplainedError naming the column if not."""
    cleaned = text.replace(".", "").replace(" ", "")
    number = whole_number(cleaned, 9) if cleaned[:1].isdecimal() else None
    if number is None:
        raise ExplainedError(
            N_("{column} “{value}” is not a whole number"),
            column=ExplainedError(field),
            value=text[:20],
        )
    return number
