"""Group commit: work handed in by many tasks, written in one transaction per batch.

Alone, an item is written at once, in a batch of one; under load, the items that arrive
while a batch is being written form the next one, so a hundred people answering at once
cost a few transactions, not a hundred. The gateway keeps updates in the inbox this way
(each platform request learns whether its updates were new once their batch is committed)
and marks replies sent."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from bot.channels.base import backoff

log = logging.getLogger(__name__)
Item = TypeVar("Item")
Result = TypeVar("Result")
# A flush gives one result per item, in order, or the error that item met.
Flush = Callable[[list[Item]], Awaitable[list[Result | BaseException]]]


class BatchStoppedError(Exception):
    """The batch stopped before the item was written."""


class Batch(Generic[Item, Result]):
    """Items written together; `add` gives a future done when its item's batch is.

    With `retry`, a batch that fails is tried again with backoff until it is written
    (work that must happen, such as marks); without, each item's future gets the error
    (work whose caller answers for it, such as a platform request)."""

    def __init__(self, flush: Flush[Item, Result], what: str, *, retry: bool) -> None:
        self._flush = flush
        self._what = what  # for the log: "mark replies sent"
        self._retry = retry
        self._items: list[tuple[Item, asyncio.Future[Result]]] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())
        self._task.add_done_callback(self._ended)

    def add(self, item: Item) -> "asyncio.Future[Result]":
        """Queue an item for the next batch; after the stop, the future fails at once."""
        done: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        if self._task is None or self._task.done():
            done.set_exception(BatchStoppedError(self._what))
            return done
        self._items.append((item, done))
        self._idle.clear()
        self._wake.set()
        return done

    async def join(self) -> None:
        """Wait until everything added so far is written."""
        await self._idle.wait()

    async def stop(self, grace: float) -> None:
        """Write what is queued (for `grace` seconds at most), then stop."""
        if self._task is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.join(), grace)
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    def _ended(self, _task: "asyncio.Task[None]") -> None:
        # Stopped (or, by a bug, ended): nobody may wait forever for what was queued.
        items, self._items = self._items, []
        for _item, done in items:
            if not done.done():
                done.set_exception(BatchStoppedError(self._what))
        self._idle.set()

    async def _run(self) -> None:
        attempt = 0
        while True:
            await self._wake.wait()
            self._wake.clear()
            items, self._items = self._items, []
            try:
                results = await self._flush([item for item, _done in items])
                attempt = 0
            except Exception as error:
                if not self._retry:
                    results = [error] * len(items)
                else:
                    log.warning("could not %s: %s", self._what, type(error).__name__)
                    self._items = items + self._items
                    self._wake.set()
                    await asyncio.sleep(backoff(attempt))
                    attempt += 1
                    continue
            for (_item, done), result in zip(items, results, strict=True):
                if done.done():
                    continue
                if isinstance(result, BaseException):
                    done.set_exception(result)
                else:
                    done.set_result(result)
            if not self._items:
                self._idle.set()
