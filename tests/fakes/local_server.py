"""Pieces every fake platform server shares: serving on 127.0.0.1, rate windows, waiting."""

import asyncio
import contextlib
import time
from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, Self, TypeVar

import uvicorn
from starlette.types import ASGIApp


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling (Ctrl-C) to pytest."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class LocalServer:
    """Serves an ASGI app with uvicorn on 127.0.0.1 inside the running event loop.

    The first start takes a free port; a start after ``stop()`` takes the same port again, so
    a test can make the platform unreachable for a while.
    """

    def __init__(self, app: ASGIApp, name: str) -> None:
        self._app = app
        self._name = name
        self._port = 0
        self._server: uvicorn.Server | None = None
        self._serving: asyncio.Task[None] | None = None
        self.root = ""

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def busy(self) -> int:
        """Open client connections plus requests still being answered."""
        if self._server is None:
            return 0
        state = self._server.server_state
        return len(state.connections) + len(state.tasks)

    async def start(self) -> str:
        """Serve and return the root URL (no trailing slash)."""
        if self._server is not None:
            raise RuntimeError(f"{self._name} is already running")
        config = uvicorn.Config(
            self._app,
            host="127.0.0.1",
            port=self._port,
            log_level="warning",
            log_config=None,
            access_log=False,
            lifespan="off",
            http="h11",
            ws="none",
        )
        self._server = _QuietServer(config)
        self._serving = asyncio.create_task(self._server.serve(), name=self._name)
        while not self._server.started:
            if self._serving.done():
                self._serving.result()
                raise RuntimeError(f"{self._name} stopped while starting")
            await asyncio.sleep(0.005)
        self._port = self._server.servers[0].sockets[0].getsockname()[1]
        self.root = f"http://127.0.0.1:{self._port}"
        return self.root

    async def stop(self) -> None:
        """Finish open requests and close the listening socket (callers wake long polls first)."""
        if self._server is None or self._serving is None:
            return
        self._server.should_exit = True
        await self._serving
        self._server = self._serving = None


Key = TypeVar("Key", bound=Hashable)


class RateLimits(Generic[Key]):
    """Sliding one-second windows of accepted sends, overall and per chat."""

    WINDOW = 1.0

    def __init__(self, overall: int | None, per_chat: int | None) -> None:
        self.overall = overall
        self.per_chat = per_chat
        self._all: deque[float] = deque()
        self._by_chat: defaultdict[Key, deque[float]] = defaultdict(deque)

    def _recent(self, times: deque[float], now: float) -> int:
        while times and times[0] <= now - self.WINDOW:
            times.popleft()
        return len(times)

    def exceeded(self, chat: Key, now: float, per_chat: bool = True) -> bool:
        """Would one more send now go over a limit? ``per_chat=False``: only the overall one."""
        if self.overall is not None and self._recent(self._all, now) >= self.overall:
            return True
        if not per_chat or self.per_chat is None:
            return False
        return self._recent(self._by_chat[chat], now) >= self.per_chat

    def record(self, chat: Key, now: float, per_chat: bool = True) -> None:
        self._all.append(now)
        if per_chat:
            self._by_chat[chat].append(now)


async def wait_until(condition: Callable[[], object], *, seconds: float, what: str) -> None:
    """Let the code under test work until ``condition()`` is true.

    ``seconds`` only stops a stuck test (AssertionError); it is not a timing assertion.
    """
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")
        await asyncio.sleep(0.01)


class ServedFake:
    """What the fake platforms share around their ``LocalServer``: start, stop (ending long
    polls first), ``root`` and ``async with``. Subclasses set ``_server`` and define
    ``_wake_pollers``."""

    _server: LocalServer
    _closing = False

    def _wake_pollers(self) -> None:
        raise NotImplementedError

    @property
    def root(self) -> str:
        """The root URL, e.g. ``http://127.0.0.1:PORT`` (empty before ``start``)."""
        return self._server.root

    @property
    def busy(self) -> int:
        """Open client connections plus requests still being answered: after a client process
        is killed, 0 means every request it had written has been read and answered."""
        return self._server.busy

    async def start(self) -> str:
        """Serve on 127.0.0.1 and return the root URL (no trailing slash).

        The first start takes a free port; a start after ``stop()`` takes the same port again,
        so a test can make the platform unreachable for a while.
        """
        self._closing = False
        return await self._server.start()

    async def stop(self) -> None:
        """Wake pending long polls, finish open requests and close the listening socket."""
        if not self._server.running:
            return
        self._closing = True
        self._wake_pollers()
        await self._server.stop()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
