"""Delivering the outbox through whichever channels are live, one claimed message at a
time: a crash leaves at most one message in doubt, and no message is sent twice."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.channels.base import Delivery, Limits, Payload
from bot.pacing import SAFETY
from conversations.events import OutboundMessage
from conversations.state import Status
from storage.db import unit_of_work
from storage.models import AssessmentRow, OutboxMessage, Person
from storage.outbox import SENT, SqlOutbox, as_message
from storage.outbox_queue import claim_next, postpone_if_quiet, settle

log = logging.getLogger(__name__)
# send(user_ref, message) -> SENT, UNREACHABLE, REFUSED or a transient reason (a bare string
# from the console and tests; a Delivery, with the unsent rest, from a messenger)
Send = Callable[[str, OutboundMessage], Awaitable["str | Delivery"]]
SKIPPED = "skipped"
REMINDERS = ("reminder:", "nudge:")
DONE = (Status.SUBMITTED.value, Status.CONFIRMED.value, Status.RECOGNISED.value)


async def deliver(app: App, channel: str, send: Send, user_ref: str | None = None) -> int:
    """Send what is due on one channel, unpaced (the console, `cdht outbox drain`)."""
    return await deliver_many(app, {channel: send}, user_ref)


class ChatPacer:
    """Remembers which chats were written to in the last interval, so the sender picks a
    message for another chat instead of waiting (no head-of-line blocking)."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1 / (per_second * SAFETY)
        self._last: dict[str, float] = {}

    def resting(self) -> list[str]:
        now = time.monotonic()
        self._last = {chat: at for chat, at in self._last.items() if now - at < self.interval}
        return list(self._last)

    def wrote(self, chat: str) -> None:
        self._last[chat] = time.monotonic()

    def next_free(self) -> float:
        return (
            min(self._last.values(), default=time.monotonic()) + self.interval - time.monotonic()
        )


async def deliver_many(
    app: App,
    senders: Mapping[str, Send],
    user_ref: str | None = None,
    per_chat: Mapping[str, float] | None = None,
    stopping: asyncio.Event | None = None,
) -> int:
    """Send everything due on these channels; returns how many were sent. `per_chat` gives
    each paced channel's messages per second into one chat (unpaced when absent); once
    `stopping` is set, no further message is claimed."""
    pacers = {name: ChatPacer(rate) for name, rate in (per_chat or {}).items()}
    sent = 0
    while stopping is None or not stopping.is_set():
        resting = [chat for pacer in pacers.values() for chat in pacer.resting()]
        async with unit_of_work(app.sessions) as session:
            row = await claim_next(session, tuple(senders), app.clock.now(), user_ref, resting)
            job = await _prepare(app, session, row) if row is not None else None
        if row is None:
            if not resting:
                return sent
            await asyncio.sleep(max(0.01, min(p.next_free() for p in pacers.values())))
            continue
        if job is None:
            continue
        message_id, channel, recipient, message = job
        delivery = await _attempt(senders[channel], recipient, message)
        if channel in pacers:
            pacers[channel].wrote(recipient)
        async with unit_of_work(app.sessions) as session:
            await _settle(session, message_id, delivery, app.clock.now())
        sent += delivery.outcome == SENT
    return sent


class Outlet(Protocol):
    """What the sender needs of a channel (bot.channels.base.Channel has it)."""

    @property
    def limits(self) -> Limits: ...

    async def send(
        self, user_ref: str, replies: Sequence[OutboundMessage], payload: Payload | None
    ) -> Delivery: ...


class Sender:
    """The one outbox sender of a process: drains when woken (something was queued) and
    every `idle_wait` seconds (retries and quiet hours coming due). A failed pass, such as
    the database being away, is logged and tried again at the next wake."""

    def __init__(self, app: App, channels: Mapping[str, Outlet], idle_wait: float = 5.0) -> None:
        self.app = app
        self.senders: dict[str, Send] = {
            name: partial(_send_one, c) for name, c in channels.items()
        }
        self.per_chat = {name: c.limits.rate_per_chat for name, c in channels.items()}
        self.idle_wait = idle_wait
        self.last_pass: float | None = None  # time.monotonic() of the last completed pass
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.senders:
            self._task = asyncio.create_task(self._run())

    def wake(self) -> None:
        self._wake.set()

    def healthy(self, intervals: int = 3) -> bool:
        """False when no pass has completed for `intervals` waits (a stuck or dying sender);
        a process with nothing to send through is healthy."""
        if self._task is None:
            return True
        if self.last_pass is None:
            return not self._task.done()
        return time.monotonic() - self.last_pass < intervals * self.idle_wait + 1

    async def stop(self, grace: float = 30.0) -> None:
        """Finish the message being sent (a message cut off mid-send would be in doubt,
        never sent again), then stop."""
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._task), grace)
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def drain(self) -> int:
        """One pass: everything due now."""
        return await deliver_many(
            self.app, self.senders, per_chat=self.per_chat, stopping=self._stopping
        )

    async def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                await self.drain()
                self.last_pass = time.monotonic()
            except Exception as error:
                log.warning("outbox pass failed: %s", type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.idle_wait)


async def _send_one(channel: Outlet, user_ref: str, message: OutboundMessage) -> Delivery:
    return await channel.send(user_ref, [message], None)


async def _prepare(
    app: App, session: AsyncSession, row: OutboxMessage
) -> tuple[int, str, str, OutboundMessage] | None:
    """The claimed message ready to send, or None when it waits (quiet hours) or is moot."""
    if postpone_if_quiet(row, app.clock.now(), app.settings.timezone):
        return None
    if await _no_longer_needed(session, row):
        row.status = SKIPPED
        return None
    return row.id, row.channel, row.user_ref, as_message(row)


async def _attempt(send: Send, user_ref: str, message: OutboundMessage) -> Delivery:
    try:
        result = await send(user_ref, message)
    except Exception as error:  # a failed send is retried later, never dropped
        log.warning("outbox send failed: %s", type(error).__name__)
        return Delivery(type(error).__name__)
    return Delivery(result) if isinstance(result, str) else result


async def _settle(
    session: AsyncSession, message_id: int, delivery: Delivery, now: datetime
) -> None:
    """Record the send. When part of a long message went out before a failure, the message
    counts as sent and only its rest is queued again, so no piece arrives twice."""
    if not delivery.rest:
        await settle(session, message_id, delivery.outcome, now)
        return
    row = await session.get(OutboxMessage, message_id)
    await settle(session, message_id, SENT, now)
    if row is None:
        return
    outbox = SqlOutbox(session)
    for number, piece in enumerate(delivery.rest):
        key = f"{row.key}:rest{row.attempts}.{number}"
        await outbox.put(key, row.channel, row.user_ref, piece, now, row.campaign)


async def _no_longer_needed(session: AsyncSession, row: OutboxMessage) -> bool:
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
    return (await session.execute(query)).first() is not None
