"""Lists of people for reports: who holds the title, who is still pending, who started."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.digest import PersonRow
from conversations.state import Status
from storage.models import AssessmentRow, Person
from storage.scopes import visible

RECOGNISED = (Status.RECOGNISED.value,)
PENDING = (Status.SUBMITTED.value, Status.CONFIRMED.value, Status.RETURNED.value)
STARTED = (Status.DRAFT.value, Status.RETURNED.value)  # started, not (or no longer) sent
LIST_LIMIT = 5000  # a commune rarely has more; the Excel sheet stays usable
# People one walk reads for the three lists together: enough to fill each list when its
# statuses make a quarter of the walk or more (a province mid-season: a third each).
WALK_LIMIT = 4 * LIST_LIMIT
KINDS = (RECOGNISED, PENDING, STARTED)  # the lists, in PeopleLists' order
ORDER = (Person.place_name, Person.name)


@dataclass(frozen=True)
class PeopleLists:
    """A scope's people with an assessment this year, each list by place and name."""

    recognised: tuple[PersonRow, ...]
    pending: tuple[PersonRow, ...]  # waiting for a decision
    started: tuple[PersonRow, ...]  # started, not sent (or returned)


def _columns() -> tuple[Any, ...]:
    """PersonRow's columns, in its order: columns, not entities, as the lists of a province
    are thousands of rows."""
    return (
        Person.name,
        Person.birth_year,
        Person.place_name,
        AssessmentRow.target_group,
        AssessmentRow.total,
        AssessmentRow.digital_level,
        AssessmentRow.status,
        AssessmentRow.submitted_at,
        AssessmentRow.answered,
    )


def _assessed(in_scope: Any, year: int, statuses: Sequence[str]) -> Any:
    """People of the scope whose assessment of the year has one of these statuses."""
    return (
        select(*_columns())
        .join(AssessmentRow, AssessmentRow.person_id == Person.id)
        .where(in_scope, visible(), AssessmentRow.season == year)
        .where(AssessmentRow.status.in_(statuses))
    )


async def people_rows(
    session: AsyncSession, in_scope: Any, year: int, statuses: Sequence[str]
) -> tuple[PersonRow, ...]:
    """The first LIST_LIMIT people of the scope, by place and name, whose assessment this
    year has one of `statuses` (RECOGNISED, PENDING or STARTED)."""
    query = _assessed(in_scope, year, statuses).order_by(*ORDER).limit(LIST_LIMIT)
    return tuple(_row(row) for row in await session.execute(query))


async def people_lists(session: AsyncSession, in_scope: Any, year: int) -> PeopleLists:
    """people_rows' three lists of the scope, read in one walk by place and name (three
    walks read each person up to three times): each list is the first LIST_LIMIT rows of
    the walk with its statuses, and the walk's rows no list takes stay in the database.
    A list that the walk's first WALK_LIMIT rows do not fill, while there were more, is
    read on its own."""
    every = sorted({status for statuses in KINDS for status in statuses})
    # How many rows of each list the walk has met so far, this row included.
    met = [
        func.count()
        .filter(AssessmentRow.status.in_(statuses))
        .over(order_by=ORDER, rows=(None, 0))
        for statuses in KINDS
    ]
    walk = (
        _assessed(in_scope, year, every)
        .add_columns(func.count().over(order_by=ORDER, rows=(None, 0)), *met)
        .order_by(*ORDER)
        .limit(WALK_LIMIT)
        .subquery()
    )
    *listed, walked, recognised, pending, started = walk.c
    taken = [
        and_(walk.c.status.in_(statuses), seen <= LIST_LIMIT)
        for statuses, seen in zip(KINDS, (recognised, pending, started), strict=True)
    ]
    # The walk's last row too, if it has WALK_LIMIT rows: there may have been more.
    query = select(*listed, walked).where(or_(*taken, walked == WALK_LIMIT)).order_by(walked)
    lists: tuple[list[PersonRow], ...] = ([], [], [])
    into = {  # status -> the lists it belongs to
        status: [lists[i] for i, kind in enumerate(KINDS) if status in kind] for status in every
    }
    cut = False
    for row in await session.execute(query):
        person = _row(row)
        for found in into[person.status]:
            if len(found) < LIST_LIMIT:
                found.append(person)
        cut = row[-1] == WALK_LIMIT
    for found, statuses in zip(lists, KINDS, strict=True):
        if cut and len(found) < LIST_LIMIT:
            found[:] = await people_rows(session, in_scope, year, statuses)
    return PeopleLists(*(tuple(found) for found in lists))


def _row(row: Any) -> PersonRow:
    """The first columns are PersonRow's, in its order."""
    return PersonRow(row[0] or "", row[1], row[2] or "", *row[3:9])


async def unreachable_names(
    session: AsyncSession, in_scope: Any, limit: int = 50
) -> tuple[str, ...]:
    """Who blocked the bot, so a leader can visit them: "name (village)"."""
    query = (
        select(Person.name, Person.place_name)
        .where(in_scope, visible(), Person.unreachable_at.is_not(None))
        .order_by(Person.place_name, Person.name)
        .limit(limit)
    )
    rows = await session.execute(query)
    return tuple(f"{name or '?'} ({place})" if place else (name or "?") for name, place in rows)
