"""Delivering the outbox through whichever channels are live. Messages are claimed in one
transaction and each is settled in its own right after its send."""

import logging
from collections.abc import Awaitable, Callable

from bot.app import App
from conversations.events import OutboundMessage
from storage.db import unit_of_work
from storage.outbox import SENT, as_message
from storage.outbox_queue import claim, settle

log = logging.getLogger(__name__)
# send(user_ref, message) -> SENT, UNREACHABLE, or a short reason for a transient failure
Send = Callable[[str, OutboundMessage], Awaitable[str]]


async def deliver(app: App, channel: str, send: Send, user_ref: str | None = None) -> int:
    """Send what is due on one channel (to one person, if named); returns how many were sent."""
    async with unit_of_work(app.sessions) as session:
        claimed = await claim(session, channel, app.clock.now(), user_ref)
        batch = [(row.id, row.user_ref, as_message(row)) for row in claimed]
    sent = 0
    for message_id, recipient, message in batch:
        try:
            outcome = await send(recipient, message)
        except Exception as error:  # a failed send is retried later, never dropped
            log.warning("outbox send failed: %s", type(error).__name__)
            outcome = type(error).__name__
        async with unit_of_work(app.sessions) as session:
            await settle(session, message_id, outcome, app.clock.now())
        sent += outcome == SENT
    return sent
