"""The durable outbox: messages that are not direct replies, sent after commit, once."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.events import Choice, OutboundMessage
from storage.models import Campaign, OutboxMessage

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
UNREACHABLE = "unreachable"
# The platform refused the message for good (a 400): retrying would only fail again.
REFUSED = "refused"


@dataclass
class SqlOutbox:
    session: AsyncSession
    queued: int = 0  # messages this one queued (the sender is woken only when some were)

    async def put(
        self,
        key: str,
        channel: str,
        user_ref: str,
        message: OutboundMessage,
        now: datetime,
        campaign: str | None = None,
        quiet_hours: str | None = None,
    ) -> bool:
        """Queue a message under an idempotency key; False when that key was queued before."""
        if (
            await self.session.execute(select(OutboxMessage.id).where(OutboxMessage.key == key))
        ).first():
            return False
        choices = [[choice.id, choice.label] for choice in message.choices]
        self.session.add(
            OutboxMessage(
                key=key[:200],
                campaign=campaign,
                quiet_hours=quiet_hours,
                channel=channel,
                user_ref=user_ref,
                text=message.text,
                choices=choices,
                status=PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
        self.queued += 1
        return True

    async def open_campaign(self, key: str, kind: str, org_id: int, now: datetime) -> bool:
        existing = await self.session.execute(select(Campaign.id).where(Campaign.key == key))
        if existing.first() is not None:
            return False
        self.session.add(Campaign(key=key, kind=kind, org_unit_id=org_id, created_at=now))
        await self.session.flush()
        return True


def as_message(row: OutboxMessage) -> OutboundMessage:
    return OutboundMessage(row.text, tuple(Choice(str(i), str(label)) for i, label in row.choices))
