"""Retention: personal data is kept no longer than its purpose needs (Law No. 91/2025/QH15
on Personal Data Protection). Unfinished self-assessments untouched for a period are
deleted; message payloads (inbox updates and their replies, outbox texts) are emptied after
another."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, null, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.state import Status
from storage.models import AnswerRow, AssessmentRow, Conversation, InboxUpdate, OutboxMessage
from storage.outbox import PENDING, SENDING


@dataclass(frozen=True)
class Purged:
    drafts: int = 0  # unfinished self-assessments deleted, with their answers
    inbox: int = 0  # inbox updates whose payload was emptied
    outbox: int = 0  # outbox messages whose text was emptied


async def purge(
    session: AsyncSession, drafts_before: datetime, payloads_before: datetime
) -> Purged:
    """Delete drafts last changed before `drafts_before`; empty the payloads of inbox
    updates received, and outbox messages created, before `payloads_before` (messages still
    to be sent are left alone: they would go out empty)."""
    stale = select(AssessmentRow.id, AssessmentRow.person_id).where(
        AssessmentRow.status == Status.DRAFT.value, AssessmentRow.updated_at < drafts_before
    )
    found = (await session.execute(stale)).all()
    ids, people = [row[0] for row in found], [row[1] for row in found]
    if ids:
        await session.execute(delete(AnswerRow).where(AnswerRow.assessment_id.in_(ids)))
        await session.execute(delete(AssessmentRow).where(AssessmentRow.id.in_(ids)))
        # Their conversation may stand on a question of the deleted draft: start over.
        await session.execute(
            update(Conversation).where(Conversation.person_id.in_(people)).values(step="idle")
        )
    # Handled updates are emptied at once (storage/inbox.py); one still unhandled after the
    # whole period is given up: emptied and ticked off, so the next prune drops it.
    inbox = await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.received_at < payloads_before, InboxUpdate.done_at.is_(None))
        .values(payload={}, done_at=payloads_before)
        .execution_options(synchronize_session=False)
    )
    # Replies not sent within the period are given up too; once sent, a reply needs no
    # recipient, so the user id goes at once.
    await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.received_at < payloads_before, InboxUpdate.replies.is_not(None))
        .values(replies=null(), replied_at=payloads_before)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.replied_at.is_not(None), InboxUpdate.user_ref.is_not(None))
        .values(user_ref=None)
        .execution_options(synchronize_session=False)
    )
    outbox = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.created_at < payloads_before,
            OutboxMessage.status.not_in((PENDING, SENDING)),
            OutboxMessage.text != "",
        )
        .values(text="", choices=[])
        .execution_options(synchronize_session=False)
    )
    return Purged(len(ids), _count(inbox), _count(outbox))


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
