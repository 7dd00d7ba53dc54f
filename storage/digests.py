"""The digest of one organisation node for one year. The people are counted grouped by commune
and place (the weekly digest in one query; the full one in two, the people and then their
assessments of this year and last in one join), giving this year's counts now and a week
ago and last year's titles; the node's totals, rows and shares are sums of those groups (the
roll-up GROUP BY ROLLUP would make, done in memory so SQLite gets it too). The tree, the
targets and the facts are each read once per digest, not once per row, and the lists of
people in one walk (storage/people_lists.py)."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

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
    Target,
    by_lag,
)
from conversations.state import Status
from storage.models import AssessmentRow, NamedUnit, OrgUnit, Person
from storage.named_units import recognised_names
from storage.org_tree import PLACE_KINDS, Node, Tree, load_tree, subtree_ids
from storage.people_lists import PeopleLists, people_lists, unreachable_names
from storage.plan_facts import facts_by_row
from storage.schedules import schedule_for
from storage.targets import TargetBook, target_book

COUNTED = (ADULTS, STAFF, DIGITAL, PROFICIENT)  # counted from assessments, not entered
ENTERED = tuple(metric for metric in METRICS if metric not in COUNTED)
SENT = (Status.SUBMITTED.value, Status.CONFIRMED.value, Status.RECOGNISED.value)
CONFIRMED = (Status.CONFIRMED.value, Status.RECOGNISED.value)
WITH_SKILLS = ("basic", "proficient")

Group = tuple[int | None, int | None]  # (commune id, place id) of the people counted
Recorded = Mapping[tuple[int, int], Mapping[str, tuple[int, int]]]  # (row, year) -> facts


def _flag(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def count_columns(cutoff: datetime | None) -> list[Any]:
    """The Counts fields an assessment gives (assessed to proficient), as conditions on its
    row; with a cutoff, as they stood at that moment."""
    assessment = AssessmentRow

    def until(column: Any) -> Any:
        return (
            column.is_not(None) if cutoff is None else and_(column.is_not(None), column <= cutoff)
        )

    recognised = and_(
        assessment.status == Status.RECOGNISED.value, until(assessment.recognised_at)
    )
    return [
        until(assessment.completed_at),
        and_(assessment.status.in_(SENT), until(assessment.submitted_at)),
        and_(assessment.status.in_(CONFIRMED), until(assessment.confirmed_at)),
        recognised,
        and_(recognised, assessment.digital_level.in_(WITH_SKILLS)),
        and_(recognised, assessment.digital_level == "proficient"),
    ]


def people_in(node: OrgUnit | Node, communes: Sequence[int] | None = None) -> Any:
    """SQL condition: the people of the node's subtree. Above a commune, the ids of its
    communes (when known) stand in for a subquery: PostgreSQL misjudges how many people
    such a subquery selects (2,400 for 285,000) and picks a plan for a few."""
    if node.kind in PLACE_KINDS:
        return Person.place_id == node.id
    if node.kind == "commune":
        return Person.commune_id == node.id
    if communes is None:
        return Person.commune_id.in_(select(OrgUnit.id).where(OrgUnit.parent_id == node.id))
    return Person.commune_id.in_(communes)


# A group's tally: its Counts now, a week ago and last year (titles only), field after
# field. Plain tuples of ints: Python's garbage collector stops visiting them, where it
# would visit thousands of objects again and again (a province has 3,000 groups).
Tally = tuple[int, ...]
NOW, WEEK_AGO, LAST_YEAR = slice(0, 8), slice(8, 16), slice(16, 24)  # of a Tally
ZEROS: Tally = (0,) * 24


def counts(tally: Tally, part: slice) -> Counts:
    """One part of a tally (NOW, WEEK_AGO or LAST_YEAR) as Counts."""
    return Counts(*tally[part])


async def tally(
    session: AsyncSession, scope: Any, year: int, cutoff: datetime, *, last_year: bool
) -> dict[Group, Tally]:
    """People who gave consent in `scope`, counted per (commune, place): this year's Counts
    now and at `cutoff`, and (last_year=True) last year's titles. Without last year, one
    query; with it, two: the people alone, then their assessments of both years in one
    join (a join per year costs PostgreSQL a second pass over every person)."""
    grouped = (Person.commune_id, Person.place_id)
    consented = and_(Person.consent_at.is_not(None), scope)
    person = [
        func.count(),
        _flag(Person.consent_at <= cutoff),
        _flag(Person.unreachable_at.is_not(None)),
    ]
    this = AssessmentRow.season == year
    flags = [and_(this, flag) for flag in (*count_columns(None), *count_columns(cutoff))]
    if not last_year:
        joined = and_(AssessmentRow.person_id == Person.id, this)
        query = (
            select(*grouped, *person, *map(_flag, flags))
            .outerjoin(AssessmentRow, joined)
            .where(consented)
            .group_by(*grouped)
        )
        return {
            (row[0], row[1]): _tally(row[2:5], row[5:]) for row in await session.execute(query)
        }
    before = AssessmentRow.season == year - 1
    flags += [and_(before, flag) for flag in count_columns(None)[3:]]
    people = select(*grouped, *person).where(consented).group_by(*grouped)
    assessed = (
        select(*grouped, *map(_flag, flags))
        .join(AssessmentRow, AssessmentRow.person_id == Person.id)
        .where(consented, AssessmentRow.season.in_((year, year - 1)))
        .group_by(*grouped)
    )
    found = {(row[0], row[1]): row[2:] for row in await session.execute(assessed)}
    none = (0,) * len(flags)
    return {
        (row[0], row[1]): _tally(row[2:5], found.get((row[0], row[1]), none))
        for row in await session.execute(people)
    }


def _tally(person: Sequence[int], assessed: Sequence[int]) -> Tally:
    """A group's Tally from its people's counts (registered, registered at the cutoff,
    blocked) and its assessments' (6 now, 6 at the cutoff, 3 last year or none)."""
    registered, before_cutoff, blocked = person
    titles = tuple(assessed[12:15]) or (0, 0, 0)
    now = (registered, *assessed[:6], blocked)
    week_ago = (before_cutoff, *assessed[6:12], blocked)
    return (*now, *week_ago, 0, 0, 0, 0, *titles, 0)


def rolled(tallies: Sequence[Tally]) -> Tally:
    """The sum of some groups' tallies, field by field."""
    if len(tallies) == 1:
        return tallies[0]
    return tuple(map(sum, zip(*tallies, strict=True))) or ZEROS


@dataclass(frozen=True)
class Numbers:
    """What a digest is made of, read once: the tree, the groups of people, the kind of each
    place they are in, the facts of this year and last, and the targets from last year on."""

    tree: Tree
    groups: Mapping[Group, Tally]
    kinds: Mapping[int, str]  # place id -> "village", "unit"...
    recorded: Recorded
    targets: TargetBook

    def target(self, node_id: int, year: int, metric: str) -> Target | None:
        return self.targets.find(self.tree.chain(node_id), year, metric)

    def by(self, key: Callable[[Group], Any]) -> dict[Any, Tally]:
        """The groups' tallies summed by a key."""
        parts: dict[Any, list[Tally]] = defaultdict(list)
        for group, found in self.groups.items():
            parts[key(group)].append(found)
        return {found: rolled(tallies) for found, tallies in parts.items()}

    @cached_property
    def total(self) -> Tally:
        return rolled(list(self.groups.values()))

    @cached_property
    def by_place(self) -> dict[int | None, Tally]:
        return self.by(lambda group: group[1])

    @cached_property
    def by_kind(self) -> dict[str, Tally]:
        return self.by(self.kind)

    def kind(self, group: Group) -> str:
        """People with a place typed by hand count as adults in villages."""
        return "village" if group[1] is None else self.kinds[group[1]]


async def read_numbers(
    session: AsyncSession, org_id: int, year: int, now: datetime, *, full: bool
) -> Numbers | None:
    """Everything a digest of the node is made of, in a few reads (none per row); None
    without the node. full=False leaves last year out."""
    tree = await load_tree(session, org_id)
    if tree is None:
        return None
    node = tree.node
    scope = people_in(node, tree.child_ids())
    groups = await tally(session, scope, year, now - timedelta(days=7), last_year=full)
    kinds = {n.id: n.kind for n in (node, *tree.below)}
    unknown = {place for _, place in groups if place is not None and place not in kinds}
    if unknown:  # people whose place lies outside the subtree (moved in the tree)
        query = select(OrgUnit.id, OrgUnit.kind).where(OrgUnit.id.in_(unknown))
        kinds.update({place: kind for place, kind in await session.execute(query)})
    recorded = await _recorded(session, org_id, (year, year - 1) if full else (year,))
    nodes = subtree_ids(node.id, also=[n.id for n in tree.above])
    return Numbers(tree, groups, kinds, recorded, await target_book(session, nodes, year - 1))


async def _recorded(session: AsyncSession, org_id: int, years: Sequence[int]) -> Recorded:
    unit = await session.get(OrgUnit, org_id)  # read with the tree already
    assert unit is not None
    return await facts_by_row(session, unit, years)


def summed(recorded: Recorded, org_ids: Iterable[int], year: int) -> dict[str, tuple[int, int]]:
    """metric -> (done, total) summed over these rows' facts of the year (facts_by_row)."""
    sums: dict[str, tuple[int, int]] = {}
    for org in org_ids:
        for metric, (done, total) in recorded.get((org, year), {}).items():
            before = sums.get(metric, (0, 0))
            sums[metric] = (before[0] + done, before[1] + total)
    return sums


def bases(numbers: Numbers) -> dict[str, int]:
    """Adults and staff to count against: each village or unit's population when known,
    else the people registered there; people with a place typed by hand count as adults."""
    node = numbers.tree.node
    registered = numbers.by_place
    if node.kind in PLACE_KINDS:
        units = [node]
    elif node.kind == "commune":
        units = numbers.tree.children(node.id, PLACE_KINDS)
    else:  # a province's villages and units, one level further down
        below = numbers.tree.below
        units = [n for n in below if n.kind in PLACE_KINDS and n.parent_id != node.id]
    found: dict[str, int] = defaultdict(int)
    for unit in units:
        people = registered.get(unit.id, ZEROS)[0]  # registered now
        found[unit.kind] += unit.population if unit.population is not None else people
    found["village"] += registered.get(None, ZEROS)[0]
    return found


def plan(numbers: Numbers, year: int, part: slice) -> dict[str, Share]:
    """Every plan column's share for the node: metric id -> Share, the counted ones first;
    counted from one part of the tallies (NOW, or LAST_YEAR for last year's)."""
    node_id = numbers.tree.node.id
    totals = counts(numbers.total, part)
    by_kind = {kind: counts(found, part) for kind, found in numbers.by_kind.items()}
    whole = bases(numbers)
    parts = {
        ADULTS: (by_kind.get("village", Counts()).recognised, whole.get("village", 0)),
        STAFF: (by_kind.get("unit", Counts()).recognised, whole.get("unit", 0)),
        DIGITAL: (totals.digital, totals.recognised),
        PROFICIENT: (totals.proficient, totals.recognised),
    }
    rows = {org for org, _ in numbers.recorded}  # all of them make the node's subtree
    recorded = summed(numbers.recorded, rows, year)
    for metric in ENTERED:  # with its target even when nothing is entered
        parts[metric] = recorded.get(metric, (0, 0))
    return {m: Share(*part, numbers.target(node_id, year, m)) for m, part in parts.items()}


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
    year's shares."""
    numbers = await read_numbers(session, org_id, year, now, full=full)
    if numbers is None:
        return None
    tree = numbers.tree
    node = tree.node
    shares = plan(numbers, year, NOW)
    previous = plan(numbers, year - 1, LAST_YEAR) if full else {}
    scope = people_in(node, tree.child_ids())
    schedule = await schedule_for(session, node.id, year)
    lists = await people_lists(session, scope, year) if full else PeopleLists((), (), ())
    parent = tree.above[0] if tree.above else None
    return Digest(
        org_id=node.id,
        org_name=node.name,
        level=node.kind,
        year=year,
        as_of=now.astimezone(ZoneInfo(timezone)),
        totals=counts(numbers.total, NOW),
        week_ago=counts(numbers.total, WEEK_AGO),
        adults=shares[ADULTS],
        staff=shares[STAFF],
        digital=shares[DIGITAL],
        proficient=shares[PROFICIENT],
        rows=place_rows(numbers, year),
        recognised_people=lists.recognised,
        pending_people=lists.pending,
        unreachable_people=await unreachable_names(session, scope),
        deadline=schedule.deadline_in(year),
        report_date=schedule.report_date_in(year),
        facts=tuple((metric, shares[metric]) for metric in ENTERED),
        started_people=lists.started,
        parent_name=parent.name if parent is not None and parent.kind != "country" else None,
        previous=tuple(previous.items()),
        titled_names=(
            await recognised_names(session, NamedUnit.village_id.in_(subtree_ids(node.id)), year)
            if full
            else ()
        ),
    )


def place_rows(numbers: Numbers, year: int) -> tuple[PlaceRow, ...]:
    """A province's communes, or a commune's villages and units (and the people whose place
    was typed by hand), the furthest behind its target first."""
    tree, node = numbers.tree, numbers.tree.node
    if node.kind == "province":
        found = numbers.by(lambda group: group[0])
        units = tree.children(node.id, ("commune",))
    else:
        found = numbers.by_place
        units = [node] if node.kind in PLACE_KINDS else tree.children(node.id, PLACE_KINDS)
    rows = [
        place_row(numbers, unit, counts(found.get(unit.id, ZEROS), NOW), year) for unit in units
    ]
    if node.kind == "commune" and None in found:
        unplaced = counts(found[None], NOW)
        target = numbers.target(node.id, year, ADULTS)
        share = Share(unplaced.recognised, unplaced.registered, target)
        rows.append(PlaceRow(None, "", "other", None, unplaced, share))
    return by_lag(rows)


def place_row(numbers: Numbers, unit: Node, found: Counts, year: int) -> PlaceRow:
    metric = STAFF if unit.kind == "unit" else ADULTS
    whole = unit.population if unit.population is not None else found.registered
    share = Share(found.recognised, whole, numbers.target(unit.id, year, metric))
    sums = summed(numbers.recorded, [unit.id], year)  # a commune's: its subtree's
    facts = tuple((m, done, total) for m, (done, total) in sorted(sums.items()))
    return PlaceRow(unit.id, unit.name, unit.kind, unit.population, found, share, facts)
