"""Reading and settling the outbox: which message is due, and what became of it."""

from collections.abc import Collection
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.schedule import Schedule, end_of_quiet, is_quiet, with_value
from storage.db import on_postgresql
from storage.models import OutboxMessage
from storage.outbox import FAILED, PENDING, REFUSED, SENDING, SENT, UNREACHABLE

MAX_ATTEMPTS = 6
INTERRUPTED = "interrupted"
# A message left 'sending' this long was being sent when a process died.
STALE_CLAIM = timedelta(minutes=5)


async def claim_next(
    session: AsyncSession,
    channels: tuple[str, ...],
    now: datetime,
    user_ref: str | None = None,
    resting: Collection[str] = (),
) -> OutboxMessage | None:
    """Take one due message: marked 'sending' in this transaction so that no other sender
    takes it. One at a time, so a crash leaves at most one message in doubt. Chats in
    `resting` were written to a moment ago: their next message waits its turn."""
    query = select(OutboxMessage.id).where(
        OutboxMessage.channel.in_(channels),
        OutboxMessage.status == PENDING,
        OutboxMessage.next_attempt_at <= now,
    )
    if user_ref is not None:
        query = query.where(OutboxMessage.user_ref == user_ref)
    if resting:
        query = query.where(OutboxMessage.user_ref.not_in(list(resting)))
    if on_postgresql(session):
        # Two senders never take the same row: each skips what the other has locked.
        query = query.with_for_update(skip_locked=True)
    found = (await session.execute(query.order_by(OutboxMessage.id).limit(1))).scalar()
    if found is None:
        return None
    # The claim itself is conditional, so a message is never taken twice, whatever runs at
    # once (SQLite has no row locks).
    claimed = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == found, OutboxMessage.status == PENDING)
        .values(status=SENDING, claimed_at=now)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return None
    return await session.get(OutboxMessage, found, populate_existing=True)


def postpone_if_quiet(row: OutboxMessage, now: datetime, timezone: str) -> bool:
    """Messages to citizens wait for the end of quiet hours; True when postponed."""
    if not row.quiet_hours:
        return False
    start, _, end = row.quiet_hours.partition("-")
    schedule = with_value(with_value(Schedule(), "quiet_start", start), "quiet_end", end)
    local = now.astimezone(ZoneInfo(timezone))
    if not is_quiet(schedule, local):
        return False
    row.status, row.claimed_at = PENDING, None
    row.next_attempt_at = end_of_quiet(schedule, local)
    return True


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
    if outcome == REFUSED:  # the platform's "no" is final: never retried
        row.status, row.last_error = FAILED, REFUSED
        return
    # Transient failure: back off 1, 2, 4 … minutes, then give up.
    row.last_error = outcome[:200]
    row.status = PENDING
    if row.attempts >= MAX_ATTEMPTS:
        row.status = FAILED
    else:
        row.next_attempt_at = now + timedelta(minutes=2 ** (row.attempts - 1))


async def recover_interrupted(session: AsyncSession, now: datetime) -> int:
    """Messages a dead process was sending: never sent again (the platform may have them
    already), but counted as failed so leaders see them."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == SENDING, OutboxMessage.claimed_at <= now - STALE_CLAIM)
        .values(status=FAILED, last_error=INTERRUPTED, claimed_at=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def status_counts(session: AsyncSession) -> dict[str, int]:
    query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    return {status: count for status, count in await session.execute(query)}
