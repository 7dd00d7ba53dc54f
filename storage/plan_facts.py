"""Yearly facts against the plan's columns (group titles of QĐ 387, the association's own
numbers): stored per node and summed over a subtree, where a village's named households and
clans (storage/named_units.py) stand in for its typed counts of them."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from conversations.i18n import ExplainedError
from conversations.plan import check_fact
from storage.models import NamedUnit, OrgUnit, PlanFact
from storage.named_units import kept_by_name, named_counts


class FactError(ExplainedError):
    """A fact that cannot be stored; the message is an English msgid for t()."""


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


def subtree(node: OrgUnit, column: Any) -> ColumnElement[bool]:
    """SQL condition on an org id column: the node, its children and grandchildren (a
    province's communes and their villages and units)."""
    children = select(OrgUnit.id).where(OrgUnit.parent_id == node.id)
    grandchildren = select(OrgUnit.id).where(OrgUnit.parent_id.in_(children))
    return or_(column == node.id, column.in_(children), column.in_(grandchildren))


def _yearly(node: OrgUnit, year: int) -> Any:
    """(org_id, metric, done, total) in the subtree for the year: the typed counts, except
    where the village keeps that kind by name, and the named units' counts."""
    typed = select(
        PlanFact.org_unit_id.label("org_id"),
        PlanFact.metric.label("metric"),
        PlanFact.done.label("done"),
        PlanFact.total.label("total"),
    ).where(
        PlanFact.year == year,
        subtree(node, PlanFact.org_unit_id),
        ~kept_by_name(year, PlanFact.org_unit_id, PlanFact.metric),
    )
    named = named_counts(year, subtree(node, NamedUnit.village_id))
    return union_all(typed, named).subquery()


async def fact_totals(
    session: AsyncSession, node: OrgUnit, year: int
) -> Mapping[str, tuple[int, int]]:
    """metric -> (done, total) summed over the node's subtree for the year."""
    facts = _yearly(node, year)
    query = select(facts.c.metric, func.sum(facts.c.done), func.sum(facts.c.total)).group_by(
        facts.c.metric
    )
    return {
        metric: (int(done), int(total)) for metric, done, total in await session.execute(query)
    }


async def facts_by_place(
    session: AsyncSession, node: OrgUnit, year: int
) -> Mapping[tuple[int, str], tuple[int, int]]:
    """(org id, metric) -> (done, total) for every fact in the subtree."""
    facts = _yearly(node, year)
    query = select(facts.c.org_id, facts.c.metric, facts.c.done, facts.c.total)
    return {
        (org_id, metric): (int(done), int(total))
        for org_id, metric, done, total in await session.execute(query)
    }


def _dated(node: OrgUnit, year: int) -> Any:
    """(year, org_id, metric, done, total): _yearly with its year."""
    facts = _yearly(node, year)
    return select(literal(year).label("year"), *facts.c)


async def facts_by_row(
    session: AsyncSession, node: OrgUnit, years: Sequence[int]
) -> Mapping[tuple[int, int], Mapping[str, tuple[int, int]]]:
    """(org id, year) -> metric -> (done, total) for the rows of the node's digest, summed in
    one grouped query: the node's own facts; each child's, and a commune child's with its
    children's (a province's row is a commune's subtree); the rare node further down, not
    under a commune, on its own. Together they are the node's subtree."""
    facts = union_all(*(_dated(node, year) for year in years)).subquery()
    org, up = aliased(OrgUnit), aliased(OrgUnit)
    row = case(
        (or_(org.id == node.id, org.parent_id == node.id), org.id),
        (up.kind == "commune", up.id),
        else_=org.id,
    )
    query = (
        select(facts.c.year, row, facts.c.metric, func.sum(facts.c.done), func.sum(facts.c.total))
        .join(org, org.id == facts.c.org_id)
        .outerjoin(up, up.id == org.parent_id)
        .group_by(facts.c.year, row, facts.c.metric)
    )
    found: dict[tuple[int, int], dict[str, tuple[int, int]]] = {}
    for year, org_id, metric, done, total in await session.execute(query):
        found.setdefault((org_id, year), {})[metric] = (int(done), int(total))
    return found
