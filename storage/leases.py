"""Leases: a job only one process may do at a time, held until a time and renewed while
the holder lives (polling a bot), or taken once per period (planning a tick)."""

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import on_postgresql
from storage.models import Lease


async def take(
    session: AsyncSession, name: str, holder: str, now: datetime, ttl: timedelta
) -> bool:
    """Take the lease `name` for `holder` until now + ttl, or renew it; True when `holder`
    has it. It is free when unheld, expired, or held by `holder` already."""
    insert = pg_insert if on_postgresql(session) else sqlite_insert
    created = await session.execute(
        insert(Lease)
        .values(name=name, holder=holder, expires_at=now + ttl)
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(Lease.name)
    )
    if created.first() is not None:
        return True
    renewed = await session.execute(
        update(Lease)
        .where(Lease.name == name, or_(Lease.holder == holder, Lease.expires_at <= now))
        .values(holder=holder, expires_at=now + ttl)
    )
    return bool(renewed.rowcount)  # type: ignore[attr-defined]


async def release(session: AsyncSession, name: str, holder: str, now: datetime) -> None:
    """Let the lease go at once (a clean stop), if `holder` still has it."""
    await session.execute(
        update(Lease).where(Lease.name == name, Lease.holder == holder).values(expires_at=now)
    )


async def take_turn(
    session: AsyncSession, name: str, holder: str, now: datetime, period: timedelta
) -> bool:
    """True for the one process whose turn it is to do `name` now: the lease is taken for
    most of a period and not renewed, so whoever comes first after it ends does the next."""
    return await take(session, name, f"{holder}:{now.isoformat()}", now, period * 0.9)
