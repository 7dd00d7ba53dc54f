"""Delivering the outbox through whichever channels are live, one claimed message at a
time: a crash leaves at most one message in doubt, and no message is sent twice."""

import logging
from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy import select

from bot.app import App
from conversations.events import OutboundMessage
from conversations.state import Status
from storage.db import unit_of_work
from storage.models import AssessmentRow, OutboxMessage, Person
from storage.outbox import SENT, as_message
from storage.outbox_queue import claim_next, postpone_if_quiet, settle

log = logging.getLogger(__name__)
# send(user_ref, message) -> SENT, UNREACHABLE, or a short reason for a transient failure
Send = Callable[[str, OutboundMessage], Awaitable[str]]
SKIPPED = "skipped"
REMINDERS = ("reminder:", "nudge:")
DONE = (Status.SUBMITTED.value, Status.CONFIRMED.value, Status.RECOGNISED.value)


async def deliver(app: App, channel: str, send: Send, user_ref: str | None = None) -> int:
    return await deliver_many(app, {channel: send}, user_ref)


async def deliver_many(app: App, senders: Mapping[str, Send], user_ref: str | None = None) -> int:
    """Send everything due on these channels; returns how many were sent."""
    sent = 0
    while True:
        async with unit_of_work(app.sessions) as session:
            row = await claim_next(session, tuple(senders), app.clock.now(), user_ref)
            if row is None:
                return sent
            if postpone_if_quiet(row, app.clock.now(), app.settings.timezone):
                continue
            if await _no_longer_needed(session, row):
                row.status = SKIPPED
                continue
            job = (row.id, row.channel, row.user_ref, as_message(row))
        outcome = await _attempt(senders[job[1]], job[2], job[3])
        async with unit_of_work(app.sessions) as session:
            await settle(session, job[0], outcome, app.clock.now())
        sent += outcome == SENT


async def _attempt(send: Send, user_ref: str, message: OutboundMessage) -> str:
    try:
        return await send(user_ref, message)
    except Exception as error:  # a failed send is retried later, never dropped
        log.warning("outbox send failed: %s", type(error).__name__)
        return type(error).__name__


async def _no_longer_needed(session: object, row: OutboxMessage) -> bool:
    """A reminder to someone who has sent their self-assessment meanwhile is not sent."""
    if not (row.campaign or "").startswith(REMINDERS):
        return False
    # Keys are "reminder:<commune>:<season>:<days>" and "nudge:<node>:<yyyy-mm-dd>".
    season = int((row.campaign or "").split(":")[2][:4])
    query = (
        select(AssessmentRow.id)
        .join(Person, Person.id == AssessmentRow.person_id)
        .where(Person.channel == row.channel, Person.user_ref == row.user_ref)
        .where(AssessmentRow.season == season, AssessmentRow.status.in_(DONE))
    )
    return (await session.execute(query)).first() is not None  # type: ignore[attr-defined]
