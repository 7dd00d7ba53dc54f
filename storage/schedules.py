"""The season's calendar per node and year; the nearest ancestor's setting applies."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.schedule import (
    KEYS,
    Schedule,
    ScheduleError,
    as_text,
    check_order,
    unknown_setting,
    with_value,
)
from storage.models import ScheduleSetting
from storage.scopes import ancestors

ORDINARY_YEAR = 2025  # settings for every year are checked on a year without 29/02
# Stored by versions that wrote English weekday abbreviations; "thu" is refused when typed
# (it is also Vietnamese "thứ") but a stored one meant Thursday.
STORED_BEFORE = {("digest_weekday", "thu"): "thursday"}


async def schedule_for(session: AsyncSession, org_id: int, year: int) -> Schedule:
    """Each setting from the nearest node that has it (this year's first, then every year's)."""
    schedule = Schedule()
    found: set[str] = set()
    for node in await ancestors(session, org_id):
        query = select(ScheduleSetting).where(ScheduleSetting.org_unit_id == node.id)
        rows = sorted(
            (await session.execute(query)).scalars(), key=lambda r: r.year is None
        )  # this year's before every year's
        for row in rows:
            if row.key in found or row.year not in (year, None):
                continue
            value = STORED_BEFORE.get((row.key, row.value.strip().lower()), row.value)
            try:
                schedule = with_value(schedule, row.key, value)
            except ScheduleError:
                continue  # a value saved by an older version that no longer parses
            found.add(row.key)
    return schedule


async def set_schedule(
    session: AsyncSession, org_id: int, year: int | None, key: str, raw: str
) -> None:
    """Validate and store one setting in its one written form ("thứ 2" is stored "T2",
    "5/1/2027" "05/01"); raises ScheduleError with the expected form, or when the citizens'
    deadline would no longer come before the report date. `year` None: every year."""
    if key not in KEYS:
        raise unknown_setting(key)
    checked_year = ORDINARY_YEAR if year is None else year
    current = await schedule_for(session, org_id, checked_year)
    changed = with_value(current, key, raw, year)
    check_order(changed, checked_year)
    query = select(ScheduleSetting).where(
        ScheduleSetting.org_unit_id == org_id, ScheduleSetting.key == key
    )
    query = query.where(
        ScheduleSetting.year.is_(None) if year is None else ScheduleSetting.year == year
    )
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        row = ScheduleSetting(org_unit_id=org_id, year=year, key=key)
        session.add(row)
    row.value = as_text(changed, key)
