"""The season's calendar per node and year; the nearest ancestor's setting applies."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.schedule import KEYS, Schedule, ScheduleError, check_order, with_value
from storage.models import ScheduleSetting
from storage.scopes import ancestors

ORDINARY_YEAR = 2025  # settings for every year are checked on a year without 29/02


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
            try:
                schedule = with_value(schedule, row.key, row.value)
            except ScheduleError:
                continue  # a value saved by an older version that no longer parses
            found.add(row.key)
    return schedule


async def set_schedule(
    session: AsyncSession, org_id: int, year: int | None, key: str, raw: str
) -> None:
    """Validate and store one setting; raises ScheduleError with the expected form, or when
    the citizens' deadline would no longer come before the report date."""
    if key not in KEYS:
        raise ScheduleError(f"unknown setting {key!r}; one of {', '.join(KEYS)}")
    checked_year = ORDINARY_YEAR if year is None else year
    current = await schedule_for(session, org_id, checked_year)
    check_order(with_value(current, key, raw), checked_year)
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
    row.value = raw.strip()
