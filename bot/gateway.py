"""The channel-neutral runtime every messenger shares, in one process or in many.

An update is kept in the inbox, with who sent it, before its platform is told it arrived.
Handling is by person: a worker claims a person (storage/claims.py: one worker at a time
across all processes), handles that person's waiting updates oldest first, each in one
transaction that also ticks off its inbox row and stores the replies, sends the replies
through the person's channel, and lets go. A worker that receives an update for a person
another worker holds leaves it in the inbox: the holder reads it before letting go. Every
second each worker also sweeps the inbox for people nobody is serving (their worker died,
or is busy), so a killed worker's people continue on the others within seconds. What cannot
be sent now goes to the outbox, which one sender per process drains when woken. One HTTP
server carries every channel's webhook and /healthz."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app import App
from bot.batches import Batch
from bot.channels.base import Channel, Delivery, Payload, Turn, always, backoff
from bot.leases import HeldLease
from bot.outbox import Sender
from bot.webhook import HttpServer
from conversations.events import EventKind, InboundEvent, OutboundMessage
from storage import inbox
from storage.claims import person_claim
from storage.db import StoreUnavailableError, unavailable, unit_of_work
from storage.outbox import REFUSED, SENT, UNREACHABLE

log = logging.getLogger(__name__)
# Replies stored but not sent before a crash are sent later if this recent.
RESEND_WITHIN = timedelta(hours=1)
# Seconds the last "replies sent" marks may take before they are left (they only mean a
# resend by the next worker that holds the person).
LAST_MARKS = 5.0
# How often the inbox is swept for people nobody serves, and how old a waiting update must
# be to count (younger ones are on their way to a worker).
SWEEP_EVERY = 1.0
SWEEP_AFTER = timedelta(seconds=2)
# People one sweep takes up at most.
SWEEP_LIMIT = 1000
# Seconds before a worker that found a person held elsewhere looks again.
CLAIM_RETRY = 0.2
# People handled at once by one process (each holds two database connections meanwhile).
HANDLERS = 6
Health = Callable[[], bool]
Person = tuple[str, str]  # (channel, user_ref)


@dataclass
class Intake:
    """One platform request's updates, with who sent each (update id -> user_ref)."""

    channel: str
    updates: list[tuple[str, Payload]]
    people: dict[str, str]


@dataclass
class Kept:
    """An update in the inbox, not handled yet; `event` is what it says once read (None:
    not read yet, or nothing a person said)."""

    update_id: str
    payload: Payload
    event: InboundEvent | None = None
    read: bool = False


class Gateway:
    """Keeps, orders, dispatches and sends for every channel given."""

    def __init__(
        self,
        app: App,
        channels: Sequence[Channel],
        health: Health | None = None,
        send_every: float = 5.0,
        handlers: int = HANDLERS,
    ) -> None:
        self.app = app
        self.channels = {channel.name: channel for channel in channels}
        self.sender = Sender(app, self.channels, idle_wait=send_every)
        # A leader's decision queued a message for someone else: send it soon.
        app.on_queued = self.sender.wake
        self._health = health or (lambda: True)
        self._delivered: Batch[tuple[str, str], None] = Batch(
            self._mark_delivered, "mark replies sent", retry=True
        )
        self._intake: Batch[Intake, list[str]] = Batch(self._keep_batch, "keep", retry=False)
        self.http: HttpServer | None = None
        self._stopping = False
        self._stopped = asyncio.Event()
        # People served by a task of this process; True: woken again meanwhile.
        self._serving: dict[Person, bool] = {}
        # Updates this process kept and has not handled yet, by person, with their events
        # read once at intake.
        self._kept: dict[Person, list[Kept]] = {}
        # People whose inbox rows may hold more than this process knows (a failure while
        # serving them): served from the database next time.
        self._unsure: set[Person] = set()
        # Until a sweep has seen every person with something waiting (a backlog larger
        # than one sweep takes in), nobody is answered from memory alone.
        self._swept_all = False
        # People another worker held: one look again is scheduled for each.
        self._retrying: set[Person] = set()
        # The marks of the last replies sent to a person, not yet committed.
        self._unmarked: dict[Person, list[asyncio.Future[None]]] = {}
        # SQLite has one process (bot/single.py): every update is kept here, so what
        # this process kept is the whole of a person's waiting updates.
        self._alone = app.engine.dialect.name != "postgresql"
        self.tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(handlers)
        self._sweeper: asyncio.Task[None] | None = None
        self._leases: list[HeldLease] = []

    async def start(self, host: str = "127.0.0.1", port: int = 8080) -> None:
        """Take up what was left waiting, then open every channel and the HTTP server."""
        self._intake.start()
        await self._resume()
        self._delivered.start()
        self.sender.start()
        self._sweeper = asyncio.create_task(self._sweep_forever())
        routes: list[BaseRoute] = []
        for channel in self.channels.values():
            routes += channel.routes(self.keep)
        if routes:
            routes.append(Route("/healthz", self._healthz, methods=["GET"]))
            self.http = HttpServer(Starlette(routes=routes), host, port)
            await self.http.start()
        for channel in self.channels.values():
            await channel.start(self.keep, await self._polling_turn(channel))

    async def _polling_turn(self, channel: Channel) -> Turn:
        """One process polls each bot: on PostgreSQL the holder of its lease (SQLite has one
        process)."""
        if channel.mode != "polling" or self.app.engine.dialect.name != "postgresql":
            return always
        lease = HeldLease(self.app, f"poll:{channel.name}")
        await lease.start()
        self._leases.append(lease)
        return lease.turn

    async def stop(self) -> None:
        """Stop receiving, finish and answer what was taken in, then close the channels."""
        self._stopping = True
        self._stopped.set()
        if self.http is not None:
            await self.http.stop()
        for channel in self.channels.values():
            await channel.stop()
        await self._intake.stop(LAST_MARKS)
        for lease in self._leases:
            await lease.stop()  # a standby process polls at once
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        await self._join_tasks()
        await self._delivered.stop(LAST_MARKS)
        await self.sender.stop()
        for channel in self.channels.values():
            await channel.close()

    async def idle(self) -> None:
        """Wait until every update kept so far is handled and answered (tests, benches)."""
        await self._join_tasks()
        await self._delivered.join()

    async def _join_tasks(self) -> None:
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    async def keep(self, channel: str, updates: Sequence[tuple[str, Payload]]) -> list[str]:
        """Write updates to the inbox, each with who sent it, and wake their people; returns
        the ids that were new. Requests arriving together are kept in one transaction.
        Raises StoreUnavailableError while the database is away, so the platform is not
        told the update arrived and sends it again."""
        read = [
            Kept(update_id, payload, self.channels[channel].to_event(payload), True)
            for update_id, payload in updates
        ]
        people = {kept.update_id: _sender(kept) for kept in read}
        try:
            new = await self._intake.add(Intake(channel, list(updates), people))
        except Exception as error:
            if unavailable(error):
                raise StoreUnavailableError from None
            raise
        fresh = set(new)
        for kept in read:
            if kept.update_id in fresh:  # a batch may carry the same id twice
                fresh.discard(kept.update_id)
                person = (channel, people[kept.update_id])
                self._kept.setdefault(person, []).append(kept)
                self.wake(person)
        return new

    async def _keep_batch(self, requests: list[Intake]) -> list[list[str] | BaseException]:
        """Keep several requests' updates in one transaction; when that fails for another
        reason than the database being away, each request alone, so that one bad request
        does not fail the others."""
        try:
            return list(await self._keep_together(requests))
        except Exception as error:
            if unavailable(error) or len(requests) == 1:
                return [error] * len(requests)
        results: list[list[str] | BaseException] = []
        for request in requests:
            try:
                results += await self._keep_together([request])
            except Exception as error:
                results.append(error)
        return results

    async def _keep_together(self, requests: list[Intake]) -> list[list[str]]:
        """The ids new to the inbox, per request; an id sent twice is new to the first."""
        new: set[tuple[str, str]] = set()
        now = self.app.clock.now()
        async with unit_of_work(self.app.sessions) as session:
            for channel in dict.fromkeys(request.channel for request in requests):
                mine = [request for request in requests if request.channel == channel]
                updates = [update for request in mine for update in request.updates]
                people = {k: v for request in mine for k, v in request.people.items()}
                kept = await inbox.keep(session, channel, updates, now, people)
                new.update((channel, update_id) for update_id in kept)
        results = []
        for request in requests:
            ids = []
            for update_id, _payload in request.updates:
                if (request.channel, update_id) in new:
                    new.discard((request.channel, update_id))
                    ids.append(update_id)
            results.append(ids)
        return results

    def wake(self, person: Person) -> None:
        """Serve this person soon: a task of its own unless one already runs for them."""
        if person in self._serving:
            self._serving[person] = True
            return
        self._serving[person] = False
        task = asyncio.create_task(self._serve(person))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _serve(self, person: Person) -> None:
        try:
            while True:
                self._serving[person] = False
                async with self._slots:
                    await self._drain(person)
                # The last reply's mark is waited for without a slot: under load the marks
                # queue behind other transactions, and the slots would sit idle meanwhile.
                await self._settle(self._unmarked.pop(person, []))
                if not self._serving[person]:
                    return
        except Exception as error:  # a bug must not end the process; the sweep comes back
            log.error("serving a person failed: %s", type(error).__name__)
        finally:
            del self._serving[person]
            self._unmarked.pop(person, None)

    async def _drain(self, person: Person) -> None:
        """Hold the person, answer everything they have waiting, let go; again while more
        arrived meanwhile. Returns at once when another worker holds them. While the
        database is away it waits and tries again (until the stop: then what is left stays
        in the inbox for the next worker)."""
        kept = {item.update_id: item for item in self._kept.pop(person, [])}
        if person[0] not in self.channels:
            return  # a channel this process does not run: a worker that runs it will
        attempt = 0
        while True:
            try:
                await self._round(person, kept)
                return
            except Exception as error:
                self._unsure.add(person)
                if not unavailable(error):
                    raise
                if not await self.wait_for_store(attempt):
                    return
                attempt += 1

    async def _round(self, person: Person, kept: dict[str, Kept]) -> None:
        """One hold of the person: everything waiting for them answered, in order."""
        if self._alone and self._swept_all and kept and person not in self._unsure:
            await self._answer_kept(person, list(kept.values()))
            return
        async with person_claim(self.app.engine, *person) as claim:
            if not claim:
                # The holder reads what was kept for them until it lets go; an update kept
                # just after its last read is taken here a moment later (once per person).
                if person not in self._retrying:
                    self._retrying.add(person)
                    asyncio.get_running_loop().call_later(CLAIM_RETRY, self._wake_again, person)
                return
            # From here the inbox is read in order; a failure during this round marks the
            # person again.
            self._unsure.discard(person)
            await self._answer_all(person, kept, claim.connection)

    def _busy(self, person: Person) -> bool:
        """Served by a task of this process, or to be looked at again soon."""
        return person in self._serving or person in self._retrying

    def _wake_again(self, person: Person) -> None:
        self._retrying.discard(person)
        if not self._stopping:
            self.wake(person)

    async def _answer_kept(self, person: Person, kept: list[Kept]) -> None:
        """Answer what this process kept for the person, in the order it was kept, without
        reading the inbox: the inbox holds nothing else for them (SQLite, no failure)."""
        channel = self.channels[person[0]]
        marks: list[asyncio.Future[None]] = []
        for item in kept:
            await self._settle(marks)
            if person in self._unsure:
                # A reply could not be sent nor queued: it is sent first, from the inbox,
                # and the rest of what was kept is answered after it.
                self._serving[person] = True
                break
            marks = await self._answer(channel, item)
        self._unmarked[person] = marks  # settled by _serve before this person's next turn

    async def _answer_all(
        self, person: Person, read: dict[str, Kept], holding: AsyncConnection | None
    ) -> None:
        """Send the person's replies stored but not marked sent (their worker died, or could
        not mark them), then answer every update waiting for them, oldest first, until none
        is left; `read` holds the events of updates this process read at intake. The inbox
        is read on the connection `holding` the claim (PostgreSQL), else in a transaction."""
        channel = self.channels[person[0]]
        since: datetime | None = self.app.clock.now() - RESEND_WITHIN
        marks: list[asyncio.Future[None]] = []
        while rows := await self._open_rows(person, since, holding):
            since = None  # resent once: what is handled from here on is marked by this run
            for row in rows:
                await self._settle(marks)
                if row.done_at is not None:
                    replies = inbox.stored_replies(row.replies)
                    marks = await self.deliver(channel, person[1], row.update_id, replies, None)
                else:
                    item = read.get(row.update_id) or Kept(row.update_id, row.payload)
                    marks = await self._answer(channel, item)
        # The next holder must not see these replies as unsent.
        await self._settle(marks)

    async def _open_rows(
        self, person: Person, unsent_since: datetime | None, holding: AsyncConnection | None
    ) -> list[inbox.OpenRow]:
        if holding is not None:
            return await inbox.open_rows(holding, *person, unsent_since)
        async with unit_of_work(self.app.sessions) as session:
            return await inbox.open_rows(session, *person, unsent_since)

    async def _settle(self, marks: list[asyncio.Future[None]]) -> None:
        """Wait until the replies sent last are marked sent, so that at a crash at most the
        one reply in flight to a person is in doubt (and sent again by the next holder);
        once the gateway stops, LAST_MARKS seconds at most (the marks may be failing)."""
        pending: set[asyncio.Future[Any]] = {mark for mark in marks if not mark.done()}
        if not pending:
            return
        if not self._stopping:
            stopped = asyncio.ensure_future(self._stopped.wait())
            try:
                while pending and not stopped.done():
                    _done, pending = await asyncio.wait(
                        pending | {stopped}, return_when=asyncio.FIRST_COMPLETED
                    )
                    pending.discard(stopped)
            finally:
                stopped.cancel()
        if pending:
            await asyncio.wait(pending, timeout=LAST_MARKS)
        for mark in marks:  # a mark left at the stop fails; it only means a resend later
            if mark.done() and not mark.cancelled():
                mark.exception()

    async def _answer(self, channel: Channel, item: Kept) -> list[asyncio.Future[None]]:
        """Handle one waiting update and send its replies; the marks to wait for."""
        key = (channel.name, item.update_id)
        event = item.event if item.read else _read(channel, item.payload)
        if event is None:  # kept, but nothing a person said: tick it off
            async with unit_of_work(self.app.sessions) as session:
                await inbox.handled(session, *key, "", [], self.app.clock.now())
            return []
        if event.kind == EventKind.DOCUMENT:
            event = await channel.read_document(event)
        replies = await self.app.dispatch(event, key)
        if not replies:
            return []
        return await self.deliver(channel, event.user_ref, item.update_id, replies, item.payload)

    async def _resume(self) -> None:
        """At the start: record who sent updates kept by an older version, then serve
        everyone with something waiting."""
        async with unit_of_work(self.app.sessions) as session:
            senders = {
                row.id: _sender(
                    Kept(
                        row.update_id, row.payload, _read(self.channels[row.channel], row.payload)
                    )
                )
                for row in await inbox.unclaimed(session)
                if row.channel in self.channels
            }
            await inbox.set_senders(session, senders)
        woken = await self._sweep(quiet=timedelta(0))
        if woken:
            log.info("resuming %d people with updates or replies waiting", woken)

    async def _sweep_forever(self) -> None:
        attempt = 0
        while not self._stopping:
            await asyncio.sleep(SWEEP_EVERY if not attempt else backoff(attempt))
            try:
                await self._sweep(SWEEP_AFTER)
                attempt = 0
            except Exception as error:
                log.warning("inbox sweep failed: %s", type(error).__name__)
                attempt += 1

    async def _sweep(self, quiet: timedelta) -> int:
        """Wake the people with an update waiting, or replies unsent, for `quiet` or longer;
        returns how many were woken."""
        now = self.app.clock.now()
        async with unit_of_work(self.app.sessions) as session:
            waiting = await inbox.waiting_people(session, now - quiet, SWEEP_LIMIT)
            unsent = await inbox.unsent_people(
                session, now - RESEND_WITHIN, now - quiet, SWEEP_LIMIT
            )
        woken = 0
        for person in dict.fromkeys([*waiting, *unsent]):
            if person[0] in self.channels and not self._busy(person):
                self._unsure.add(person)  # what waits for them is in the inbox only
                self.wake(person)
                woken += 1
        # Everyone with something older waiting has been seen (and is served in order
        # from the inbox); what arrives from now on is kept by this process.
        if len(waiting) < SWEEP_LIMIT and len(unsent) < SWEEP_LIMIT:
            self._swept_all = True
        return woken

    async def deliver(
        self,
        channel: Channel,
        user_ref: str,
        update_id: str,
        replies: list[OutboundMessage],
        payload: Payload | None,
    ) -> list[asyncio.Future[None]]:
        """Send the replies to one update; what cannot go now waits in the outbox. Returns
        the mark of their sending to wait for (none when it could not be recorded)."""
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
                self._unsure.add((channel.name, user_ref))
                return []  # still in the inbox with its replies: sent by the next holder
        mark = self._delivered.add((channel.name, update_id))
        if delivery.outcome != SENT:
            self.sender.wake()  # this reply may wait in the outbox: send it soon
        return [mark]

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

    async def _mark_delivered(self, keys: list[tuple[str, str]]) -> list[BaseException | None]:
        async with unit_of_work(self.app.sessions) as session:
            await inbox.delivered(session, keys, self.app.clock.now())
        return [None] * len(keys)

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


def _sender(kept: Kept) -> str:
    """Whose update it is; an update that is nobody's message is its own "person"."""
    return kept.event.user_ref if kept.event is not None else kept.update_id


def _read(channel: Channel, payload: Payload) -> InboundEvent | None:
    """The event a kept payload says; None for one no version of the adapter can read
    (logged, never retried: it is ticked off as nothing said)."""
    try:
        return channel.to_event(payload)
    except Exception as error:
        log.error("a kept %s update cannot be read: %s", channel.name, type(error).__name__)
        return None
