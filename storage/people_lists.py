"""Lists of people for reports: who holds the title, who is still pending."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.digest import PersonRow
from conversations.state import Status
from storage.models import AssessmentRow, Person
from storage.scopes import visible

PENDING = (Status.SUBMITTED.value, Status.CONFIRMED.value, Status.RETURNED.value)
STARTED = (Status.DRAFT.value, Status.RETURNED.value)  # started, not (or no longer) sent
LIST_LIMIT = 5000  # a commune rarely has more; the Excel sheet stays usable


async def people_rows(
    session: AsyncSession,
    in_scope: Any,
    year: int,
    *,
    recognised: bool,
    statuses: tuple[str, ...] = (),
) -> tuple[PersonRow, ...]:
    """People of the scope with an assessment this year: recognised, pending a decision, or
    (with statuses=STARTED) started but not sent."""
    statuses = statuses or ((Status.RECOGNISED.value,) if recognised else PENDING)
    # Columns (PersonRow's, in order), not entities: a province's lists are thousands of rows.
    query = (
        select(
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
        .join(AssessmentRow, AssessmentRow.person_id == Person.id)
        .where(in_scope, visible(), AssessmentRow.season == year)
        .where(AssessmentRow.status.in_(statuses))
        .order_by(Person.place_name, Person.name)
        .limit(LIST_LIMIT)
    )
    return tuple(_row(row) for row in await session.execute(query))


def _row(row: Any) -> PersonRow:
    """The columns are PersonRow's, in its order."""
    name, birth_year, place, *rest = row
    return PersonRow(name or "", birth_year, place or "", *rest)


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
