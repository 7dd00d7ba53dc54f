"""Jobs one process does at a time among all that share the database: a lease renewed in
the background while the process lives (storage/leases.py), which another process takes
over within a few seconds of its holder dying."""

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from datetime import timedelta

from bot.app import App
from storage import leases
from storage.db import unit_of_work

log = logging.getLogger(__name__)
# A holder renews every second; its lease lapses five seconds after its last renewal.
RENEW_EVERY = 1.0
TTL = timedelta(seconds=5)


def process_id() -> str:
    """Who holds a lease: the machine, the process, and a nonce (pids are reused)."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class HeldLease:
    """Tries every RENEW_EVERY seconds to take or renew `name`; `held` says whether this
    process has it now. A renewal that fails (the database away) counts as not held once
    the lease would have lapsed, so two processes never both believe they hold it for long."""

    def __init__(self, app: App, name: str, holder: str | None = None) -> None:
        self.app, self.name = app, name
        self.holder = holder or process_id()
        self._held_until: float = 0.0
        self._task: asyncio.Task[None] | None = None

    @property
    def held(self) -> bool:
        return asyncio.get_running_loop().time() < self._held_until

    async def turn(self) -> bool:
        """Whether this process may do the job now (what a poller asks before a poll)."""
        return self.held

    async def start(self) -> None:
        await self._renew()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._held_until:
            with contextlib.suppress(Exception):
                async with unit_of_work(self.app.sessions) as session:
                    await leases.release(session, self.name, self.holder, self.app.clock.now())
        self._held_until = 0.0

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(RENEW_EVERY)
            await self._renew()

    async def _renew(self) -> None:
        started = asyncio.get_running_loop().time()
        try:
            async with unit_of_work(self.app.sessions) as session:
                now = self.app.clock.now()
                held = await leases.take(session, self.name, self.holder, now, TTL)
        except Exception as error:
            log.warning("could not renew the %s lease: %s", self.name, type(error).__name__)
            return
        was = self.held
        # Counted from before the attempt: the database's clock may be ahead of ours.
        self._held_until = started + TTL.total_seconds() - RENEW_EVERY if held else 0.0
        if held != was:
            log.info("%s: %s", self.name, "this process now does it" if held else "another does")
