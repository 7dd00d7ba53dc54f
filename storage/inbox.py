"""The inbox: updates are written down on arrival and ticked off once handled."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboxUpdate, ProcessedEvent


async def keep(
    session: AsyncSession, channel: str, update_id: str, payload: dict[str, Any], now: datetime
) -> bool:
    """Write the update down; False when it was already there (a redelivery)."""
    query = select(InboxUpdate.id).where(
        InboxUpdate.channel == channel, InboxUpdate.update_id == update_id
    )
    if (await session.execute(query)).first() is not None:
        return False
    session.add(
        InboxUpdate(channel=channel, update_id=update_id, payload=payload, received_at=now)
    )
    return True


async def done(session: AsyncSession, channel: str, update_id: str, now: datetime) -> None:
    await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.channel == channel, InboxUpdate.update_id == update_id)
        .values(done_at=now, payload={})
    )


async def unhandled(session: AsyncSession, channel: str) -> Sequence[InboxUpdate]:
    query = select(InboxUpdate).where(
        InboxUpdate.channel == channel, InboxUpdate.done_at.is_(None)
    )
    return (await session.execute(query.order_by(InboxUpdate.id))).scalars().all()


async def prune(session: AsyncSession, before: datetime) -> None:
    """Handled updates and the record of processed events are kept a month, then dropped."""
    await session.execute(
        delete(InboxUpdate).where(InboxUpdate.done_at.is_not(None), InboxUpdate.done_at < before)
    )
    await session.execute(delete(ProcessedEvent).where(ProcessedEvent.processed_at < before))
