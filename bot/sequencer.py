"""Per-key ordering with concurrency across keys: one person's events run in arrival order,
never two at a time, while different people are served side by side."""

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable

log = logging.getLogger(__name__)
Job = Callable[[], Awaitable[None]]


class Sequencer:
    def __init__(self) -> None:
        self._queues: dict[Hashable, deque[Job]] = {}
        self._workers: set[asyncio.Task[None]] = set()

    def submit(self, key: Hashable, job: Job) -> None:
        """Queue a job without waiting; the caller's order is the order of execution."""
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(job)
            return
        self._queues[key] = deque([job])
        worker = asyncio.create_task(self._drain(key))
        self._workers.add(worker)
        worker.add_done_callback(self._workers.discard)

    async def _drain(self, key: Hashable) -> None:
        queue = self._queues[key]
        try:
            while queue:
                job = queue[0]
                try:
                    await job()
                except Exception as error:  # one failed job must not stall the person's queue
                    log.error("a queued job failed: %s", type(error).__name__)
                queue.popleft()
        finally:
            del self._queues[key]

    async def join(self) -> None:
        """Wait until every queued job has run (used at shutdown and in tests)."""
        while self._workers:
            await asyncio.gather(*list(self._workers), return_exceptions=True)

    @property
    def busy(self) -> int:
        return len(self._queues)
