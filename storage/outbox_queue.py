"""Reading and settling the outbox: which messages are due, and what became of them."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage
from storage.outbox import FAILED, PENDING, SENDING, SENT, UNREACHABLE

MAX_ATTEMPTS = 6


async def claim(
    session: AsyncSession,
    channel: str,
    now: datetime,
    user_ref: str | None = None,
    limit: int = 100,
) -> Sequence[OutboxMessage]:
    """Take the due messages for sending: marked 'sending' in this transaction, so no other
    sender (another process, or a later run) takes them while they are in flight."""
    rows = await due(session, channel, now, user_ref, limit)
    for row in rows:
        row.status = SENDING
        row.claimed_at = now
    return rows


async def due(
    session: AsyncSession,
    channel: str,
    now: datetime,
    user_ref: str | None = None,
    limit: int = 100,
) -> Sequence[OutboxMessage]:
    query = select(OutboxMessage).where(
        OutboxMessage.channel == channel,
        OutboxMessage.status == PENDING,
        OutboxMessage.next_attempt_at <= now,
    )
    if user_ref is not None:
        query = query.where(OutboxMessage.user_ref == user_ref)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # Two senders never take the same row: each skips what the other has locked.
        query = query.with_for_update(skip_locked=True)
    return (await session.execute(query.order_by(OutboxMessage.id).limit(limit))).scalars().all()


async def settle(session: AsyncSession, message_id: int, outcome: str, now: datetime) -> None:
    """Record a send: sent, unreachable (blocked, no channel), or a failure to retry later."""
    row = await session.get(OutboxMessage, message_id)
    if row is None:
        return
    row.attempts += 1
    row.claimed_at = None
    if outcome in (SENT, UNREACHABLE):
        row.status = outcome
        row.sent_at = now if outcome == SENT else None
        return
    # Transient failure: back off 1, 2, 4 … minutes, then give up.
    row.last_error = outcome[:200]
    row.status = PENDING
    if row.attempts >= MAX_ATTEMPTS:
        row.status = FAILED
    else:
        row.next_attempt_at = now + timedelta(minutes=2 ** (row.attempts - 1))


async def mark_channel_unreachable(session: AsyncSession, channel: str, user_ref: str) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.user_ref == user_ref,
            OutboxMessage.status == PENDING,
        )
        .values(status=UNREACHABLE)
    )
