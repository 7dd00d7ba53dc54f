"""The digest of one organisation node for one year: every count a SQL aggregate."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from conversations.digest import (
    ADULTS,
    DIGITAL,
    METRICS,
    PROFICIENT,
    STAFF,
    Counts,
    Digest,
    PlaceRow,
    Share,
    by_lag,
    plan_shares,
)
from conversations.state import Status
from storage.models import AssessmentRow, NamedUnit, OrgUnit, Person
from storage.named_units import recognised_names
from storage.people_lists import STARTED, people_rows, unreachable_names
from storage.plan_facts import fact_totals, facts_by_place, subtree
from storage.schedules import schedule_for
from storage.targets import target_for

COUNTED = (ADULTS, STAFF, DIGITAL, PROFICIENT)  # counted from assessments, not entered
SENT = (Status.SUBMITTED.value, Status.CONFIRMED.value, Status.RECOGNISED.value)
CONFIRMED = (Status.CONFIRMED.value, Status.RECOGNISED.value)
WITH_SKILLS = ("basic", "proficient")
Place = aliased(OrgUnit)  # the village or unit a person belongs to


def _flag(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def count_columns(cutoff: datetime | None) -> list[Any]:
    """The Counts fields as aggregates; with a cutoff, as they stood at that moment."""

    def until(column: Any) -> Any:
        return (
            column.is_not(None) if cutoff is None else and_(column.is_not(None), column <= cutoff)
        )

    recognised = and_(
        AssessmentRow.status == Status.RECOGNISED.value, until(AssessmentRow.recognised_at)
    )
    return [
        _flag(until(Person.consent_at)),
        _flag(until(AssessmentRow.completed_at)),
        _flag(and_(AssessmentRow.status.in_(SENT), until(AssessmentRow.submitted_at))),
        _flag(and_(AssessmentRow.status.in_(CONFIRMED), until(AssessmentRow.confirmed_at))),
        _flag(recognised),
        _flag(and_(recognised, AssessmentRow.digital_level.in_(WITH_SKILLS))),
        _flag(and_(recognised, AssessmentRow.digital_level == "proficient")),
        _flag(Person.unreachable_at.is_not(None)),
    ]


def _scoped(columns: list[Any], year: int, where: Any) -> Select[Any]:
    return (
        select(*columns)
        .select_from(Person)
        .outerjoin(
            AssessmentRow,
            and_(AssessmentRow.person_id == Person.id, AssessmentRow.season == year),
        )
        .outerjoin(Place, Place.id == Person.place_id)
        .where(Person.consent_at.is_not(None), where)
    )


def people_in(node: OrgUnit) -> Any:
    if node.kind in ("village", "unit"):
        return Person.place_id == node.id
    if node.kind == "commune":
        return Person.commune_id == node.id
    communes = select(OrgUnit.id).where(OrgUnit.parent_id == node.id)
    return Person.commune_id.in_(communes)


def _group_key(node: OrgUnit) -> Any:
    """Rows of the digest: communes of a province, else villages and units."""
    return Person.commune_id if node.kind == "province" else Person.place_id


async def _counts_by(
    session: AsyncSession, node: OrgUnit, year: int, key: Any, cutoff: datetime | None
) -> dict[Any, Counts]:
    query = _scoped([key, *count_columns(cutoff)], year, people_in(node)).group_by(key)
    return {row[0]: Counts(*row[1:]) for row in await session.execute(query)}


async def _row_nodes(session: AsyncSession, node: OrgUnit) -> Sequence[OrgUnit]:
    if node.kind in ("village", "unit"):
        return [node]
    kinds = ("commune",) if node.kind == "province" else ("village", "unit")
    query = select(OrgUnit).where(OrgUnit.parent_id == node.id, OrgUnit.kind.in_(kinds))
    return (await session.execute(query.order_by(OrgUnit.name))).scalars().all()


async def _populations(session: AsyncSession, node: OrgUnit) -> dict[str, int]:
    """Adults and staff to count against: each village or unit's population when known,
    else the people registered there; people with a place typed by hand count as adults."""
    unit = aliased(OrgUnit)
    base = func.coalesce(unit.population, func.count(Person.id))
    per_unit = (
        select(unit.kind.label("kind"), base.label("base"))
        .select_from(unit)
        .outerjoin(Person, and_(Person.place_id == unit.id, Person.consent_at.is_not(None)))
        .where(unit.kind.in_(("village", "unit")), _units_in(node, unit))
        .group_by(unit.id, unit.kind, unit.population)
        .subquery()
    )
    totals = select(per_unit.c.kind, func.sum(per_unit.c.base)).group_by(per_unit.c.kind)
    found = {kind: int(total or 0) for kind, total in await session.execute(totals)}
    unplaced = select(func.count(Person.id)).where(
        people_in(node), Person.place_id.is_(None), Person.consent_at.is_not(None)
    )
    found["village"] = found.get("village", 0) + (await session.execute(unplaced)).scalar_one()
    return found


def _units_in(node: OrgUnit, unit: Any) -> Any:
    if node.kind in ("village", "unit"):
        return unit.id == node.id
    if node.kind == "commune":
        return unit.parent_id == node.id
    communes = select(OrgUnit.id).where(OrgUnit.parent_id == node.id)
    return unit.parent_id.in_(communes)


async def build_digest(
    session: AsyncSession,
    org_id: int,
    year: int,
    now: datetime,
    timezone: str,
    *,
    full: bool = True,
) -> Digest | None:
    """The node's numbers for the year. full=False leaves out the lists of people and last
    year (it is how last year's shares are made)."""
    node = await session.get(OrgUnit, org_id)
    if node is None:
        return None
    week_ago = now - timedelta(days=7)
    everyone = _scoped(count_columns(None), year, people_in(node))
    totals = Counts(*(await session.execute(everyone)).one())
    before = _scoped(count_columns(week_ago), year, people_in(node))
    kind = func.coalesce(Place.kind, "village")
    by_kind = await _counts_by(session, node, year, kind, None)
    bases = await _populations(session, node)

    async def share(metric: str, part: int, whole: int) -> Share:
        return Share(part, whole, await target_for(session, node.id, year, metric))

    adults, staff = by_kind.get("village", Counts()), by_kind.get("unit", Counts())
    schedule = await schedule_for(session, node.id, year)
    recorded = await fact_totals(session, node, year)
    facts = [  # every column leaders enter, with its target even when nothing is entered
        (metric, await share(metric, *recorded.get(metric, (0, 0))))
        for metric in METRICS
        if metric not in COUNTED
    ]
    scope = people_in(node)
    previous = None
    if full:
        previous = await build_digest(session, org_id, year - 1, now, timezone, full=False)
    parent = await session.get(OrgUnit, node.parent_id) if node.parent_id else None
    return Digest(
        org_id=node.id,
        org_name=node.name,
        level=node.kind,
        year=year,
        as_of=now.astimezone(ZoneInfo(timezone)),
        totals=totals,
        week_ago=Counts(*(await session.execute(before)).one()),
        adults=await share(ADULTS, adults.recognised, bases.get("village", 0)),
        staff=await share(STAFF, staff.recognised, bases.get("unit", 0)),
        digital=await share(DIGITAL, totals.digital, totals.recognised),
        proficient=await share(PROFICIENT, totals.proficient, totals.recognised),
        rows=await _rows(session, node, year),
        recognised_people=await people_rows(session, scope, year, recognised=True) if full else (),
        pending_people=await people_rows(session, scope, year, recognised=False) if full else (),
        unreachable_people=await unreachable_names(session, scope),
        deadline=schedule.deadline_in(year),
        report_date=schedule.report_date_in(year),
        facts=tuple(facts),
        started_people=(
            await people_rows(session, scope, year, recognised=False, statuses=STARTED)
            if full
            else ()
        ),
        parent_name=parent.name if parent is not None and parent.kind != "country" else None,
        previous=tuple(plan_shares(previous).items()) if previous is not None else (),
        titled_names=(
            await recognised_names(session, subtree(node, NamedUnit.village_id), year)
            if full
            else ()
        ),
    )


async def _rows(session: AsyncSession, node: OrgUnit, year: int) -> tuple[PlaceRow, ...]:
    counts = await _counts_by(session, node, year, _group_key(node), None)
    recorded = await facts_by_place(session, node, year)
    rows = []
    for unit in await _row_nodes(session, node):
        found = counts.get(unit.id, Counts())
        metric = STAFF if unit.kind == "unit" else ADULTS
        whole = unit.population if unit.population is not None else found.registered
        target = await target_for(session, unit.id, year, metric)
        share = Share(found.recognised, whole, target)
        if unit.kind == "commune":  # a province's row: the commune's subtree summed
            sums = await fact_totals(session, unit, year)
            facts = tuple((m, done, total) for m, (done, total) in sorted(sums.items()))
        else:
            facts = tuple(
                (m, done, total) for (org, m), (done, total) in recorded.items() if org == unit.id
            )
        rows.append(PlaceRow(unit.id, unit.name, unit.kind, unit.population, found, share, facts))
    unplaced = counts.get(None)
    if node.kind == "commune" and unplaced is not None:
        target = await target_for(session, node.id, year, ADULTS)
        share = Share(unplaced.recognised, unplaced.registered, target)
        rows.append(PlaceRow(None, "", "other", None, unplaced, share))
    return by_lag(rows)
