"""The channel-neutral runtime every messenger shares.

An update is kept in the inbox before its platform is told it arrived; each person's updates
are handled in arrival order, different people side by side; each is handled in one
transaction that also ticks off its inbox row and stores the replies; the replies are sent
through the person's channel, and what cannot be sent now goes to the outbox, which one
sender per process drains when woken. One HTTP server carries every channel's webhook and
/healthz. A crash anywhere leaves rows that the next start finishes.

Replies are sent at least once: a reply stored but not yet marked sent at a crash is sent
after the restart, even if the platform had it (nothing tells the two apart, and losing it
would leave the person waiting for an answer). A person's next reply is sent only once the
previous one is marked, so a crash repeats at most the one reply in flight to each person."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app import App
from bot.channels.base import Channel, Delivery, Payload, backoff
from bot.outbox import Sender
from bot.sequencer import Sequencer
from bot.webhook import HttpServer
from conversations.events import EventKind, InboundEvent, OutboundMessage
from storage import inbox
from storage.db import StoreUnavailableError, unavailable, unit_of_work
from storage.outbox import REFUSED, SENT, UNREACHABLE

log = logging.getLogger(__name__)
# Replies stored but not sent before a crash are sent at the next start if this recent.
RESEND_WITHIN = timedelta(hours=1)
# Seconds the last "replies sent" marks may take at a stop before they are left (they only
# mean a resend at the next start).
LAST_MARKS = 5.0
Health = Callable[[], bool]


class Gateway:
    """Keeps, orders, dispatches and sends for every channel given."""

    def __init__(
        self,
        app: App,
        channels: Sequence[Channel],
        health: Health | None = None,
        send_every: float = 5.0,
    ) -> None:
        self.app = app
        self.channels = {channel.name: channel for channel in channels}
        self.sequencer = Sequencer()
        self.sender = Sender(app, self.channels, idle_wait=send_every)
        self._health = health or (lambda: True)
        self._delivered = _Batch(self._mark_delivered)
        self.http: HttpServer | None = None
        self._stopping = False
        self._stopped = asyncio.Event()
        # Each person's last reply sent, until it is marked delivered (see `_after_previous`).
        self._marks: dict[tuple[str, str], asyncio.Future[None]] = {}
        # People whose update could not be handled before the stop: their later updates
        # wait too (all stay in the inbox), so none is handled before an earlier one.
        self.abandoned: set[tuple[str, str]] = set()

    async def start(self, host: str = "127.0.0.1", port: int = 8080) -> None:
        """Finish what a previous run left, then open every channel and the HTTP server."""
        await self._resume()
        self._delivered.start()
        self.sender.start()
        routes: list[BaseRoute] = []
        for channel in self.channels.values():
            routes += channel.routes(self.keep)
        if routes:
            routes.append(Route("/healthz", self._healthz, methods=["GET"]))
            self.http = HttpServer(Starlette(routes=routes), host, port)
            await self.http.start()
        for channel in self.channels.values():
            await channel.start(self.keep)

    async def stop(self) -> None:
        """Stop receiving, finish and answer what was taken in, then close the channels."""
        self._stopping = True
        self._stopped.set()
        if self.http is not None:
            await self.http.stop()
        for channel in self.channels.values():
            await channel.stop()
        await self.sequencer.join()
        await self._delivered.stop()
        await self.sender.stop()
        for channel in self.channels.values():
            await channel.close()

    async def idle(self) -> None:
        """Wait until every update kept so far is handled and answered (tests, benches)."""
        await self.sequencer.join()
        await self._delivered.join()

    async def keep(self, channel: str, updates: Sequence[tuple[str, Payload]]) -> list[str]:
        """Write updates to the inbox (one transaction) and queue the new ones for handling;
        returns the ids that were new. Raises StoreUnavailableError while the database is away,
        so the platform is not told the update arrived and sends it again."""
        try:
            async with unit_of_work(self.app.sessions) as session:
                new = await inbox.keep(session, channel, updates, self.app.clock.now())
        except Exception as error:
            if unavailable(error):
                raise StoreUnavailableError from None
            raise
        fresh = set(new)
        for update_id, payload in updates:
            if update_id in fresh:
                fresh.discard(update_id)  # a batch may carry the same id twice
                self._submit(channel, update_id, payload)
        return new

    def _submit(self, name: str, update_id: str, payload: Payload) -> None:
        channel = self.channels[name]
        event = channel.to_event(payload)
        person = event.user_ref if event is not None else update_id
        job = _Job(self, channel, update_id, payload, event)
        self.sequencer.submit((name, person), job.run)

    async def _resume(self) -> None:
        """Updates kept but not handled, and replies stored but not sent, before a restart."""
        since = self.app.clock.now() - RESEND_WITHIN
        async with unit_of_work(self.app.sessions) as session:
            waiting = [(r.channel, r.update_id, r.payload) for r in await inbox.unhandled(session)]
            unsent = [
                (r.channel, r.user_ref or "", r.update_id, inbox.stored_replies(r))
                for r in await inbox.undelivered(session, since)
            ]
        for name, user_ref, update_id, replies in unsent:
            if name in self.channels:
                channel = self.channels[name]
                resend = partial(self.deliver, channel, user_ref, update_id, replies, None)
                self.sequencer.submit((name, user_ref), resend)
        for name, update_id, payload in waiting:
            if name in self.channels:
                self._submit(name, update_id, payload)
        if waiting or unsent:
            log.info("resuming %d updates and %d unsent replies", len(waiting), len(unsent))

    async def deliver(
        self,
        channel: Channel,
        user_ref: str,
        update_id: str,
        replies: list[OutboundMessage],
        payload: Payload | None,
    ) -> None:
        """Send the replies to one update; what cannot go now waits in the outbox. Waits first
        until the person's previous reply is marked sent; left for the next start when the
        gateway stops meanwhile."""
        person = (channel.name, user_ref)
        if not await self._after_previous(person):
            return
        try:
            delivery = await channel.send(user_ref, replies, payload)
        except Exception as error:  # a bug in a renderer must not lose the reply
            log.error("sending a reply failed: %s", type(error).__name__)
            delivery = Delivery(type(error).__name__)
        if delivery.outcome == UNREACHABLE:
            await self._quietly(partial(self.app.mark_unreachable, channel.name, user_ref))
        if delivery.outcome not in (SENT, UNREACHABLE, REFUSED):
            log.warning("reply not sent (%s): queued for retry", delivery.outcome)
            rest = list(delivery.rest) or replies
            key = f"reply:{channel.name}:{update_id}"
            queue = partial(self.app.queue_replies, channel.name, user_ref, rest, key)
            if not await self._quietly(queue):
                return  # still in the inbox with its replies: sent at the next start
        self._remember(person, self._delivered.add((channel.name, update_id)))
        # A leader's decision may have queued a message for someone else: send it soon.
        self.sender.wake()

    async def _after_previous(self, person: tuple[str, str]) -> bool:
        """Wait until the person's last reply is marked delivered (so at a crash at most one
        reply per person is in doubt); False when the gateway stops and the mark still
        cannot be written LAST_MARKS seconds later (the database away)."""
        mark = self._marks.get(person)
        if mark is None or mark.done():
            return True
        stop = asyncio.ensure_future(self._stopped.wait())
        await asyncio.wait((mark, stop), return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not mark.done():
            await asyncio.wait((mark,), timeout=LAST_MARKS)
        return mark.done()

    def _remember(self, person: tuple[str, str], mark: asyncio.Future[None]) -> None:
        self._marks[person] = mark

        def forget(done: asyncio.Future[None]) -> None:
            if self._marks.get(person) is done:
                del self._marks[person]

        mark.add_done_callback(forget)

    async def _quietly(self, work: Callable[[], Awaitable[None]]) -> bool:
        """Database work after an answer: retried while the database is away and the
        gateway runs; False when it could not be done."""
        attempt = 0
        while True:
            try:
                await work()
                return True
            except Exception as error:
                if not unavailable(error) or not await self.wait_for_store(attempt):
                    log.warning("could not record a send: %s", type(error).__name__)
                    return False
                attempt += 1

    async def _mark_delivered(self, keys: list[tuple[str, str]]) -> None:
        async with unit_of_work(self.app.sessions) as session:
            await inbox.delivered(session, keys, self.app.clock.now())

    async def _healthz(self, request: Request) -> Response:
        """200 "ok" while the sender and whatever `health` watches (the scheduler) run."""
        if self.sender.healthy() and self._health():
            return PlainTextResponse("ok")
        return PlainTextResponse("stalled", status_code=503)

    async def wait_for_store(self, attempt: int) -> bool:
        """Pause before another try while the database is away; False when stopping."""
        if self._stopping:
            return False
        await asyncio.sleep(backoff(attempt))
        return not self._stopping


class _Job:
    """One kept update: dispatched (retried while the database is away), then answered."""

    def __init__(
        self,
        gateway: Gateway,
        channel: Channel,
        update_id: str,
        payload: Payload,
        event: InboundEvent | None,
    ) -> None:
        self.gateway, self.channel, self.update_id = gateway, channel, update_id
        self.payload, self.event = payload, event

    async def run(self) -> None:
        key = (self.channel.name, self.update_id)
        person = (self.channel.name, self.event.user_ref if self.event else self.update_id)
        if person in self.gateway.abandoned:
            return
        app = self.gateway.app
        if self.event is not None and self.event.kind == EventKind.DOCUMENT:
            self.event = await self.channel.read_document(self.event)
        attempt = 0
        while True:
            try:
                if self.event is None:  # kept, but nothing a person said: tick it off
                    async with unit_of_work(app.sessions) as session:
                        await inbox.handled(session, *key, "", [], app.clock.now())
                    return
                replies = await app.dispatch(self.event, key)
                break
            except StoreUnavailableError:
                if not await self.gateway.wait_for_store(attempt):
                    self.gateway.abandoned.add(person)
                    return  # stays in the inbox: handled at the next start
                attempt += 1
        if replies:
            await self.gateway.deliver(
                self.channel, self.event.user_ref, self.update_id, replies, self.payload
            )


class _Batch:
    """Items marked in one transaction per batch: alone, one each; under load, many."""

    def __init__(self, flush: Callable[[list[Any]], Any]) -> None:
        self._flush = flush
        self._items: list[tuple[Any, asyncio.Future[None]]] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    def add(self, item: Any) -> asyncio.Future[None]:
        """Queue an item; the future is done once a flush carried it."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._items.append((item, done))
        self._idle.clear()
        self._wake.set()
        return done

    async def join(self) -> None:
        await self._idle.wait()

    async def stop(self) -> None:
        if self._task is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.join(), LAST_MARKS)
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        attempt = 0
        while True:
            await self._wake.wait()
            self._wake.clear()
            items, self._items = self._items, []
            try:
                await self._flush([item for item, _ in items])
            except Exception as error:
                # Lost marks only mean a resend after a restart; keep them and try again.
                log.warning("could not mark replies as sent: %s", type(error).__name__)
                self._items = items + self._items
                self._wake.set()
                await asyncio.sleep(backoff(attempt))
                attempt += 1
                continue
            attempt = 0
            for _, done in items:
                done.set_result(None)
            if not self._items:
                self._idle.set()
