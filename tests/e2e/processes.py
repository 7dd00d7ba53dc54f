"""Helpers for tests that run `cdht run` as a real process and do harm to it: start, SIGKILL,
restart; post a webhook update the way Telegram does (again until it gets 200); a TCP proxy
that can cut the database away and bring it back."""

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.fakes.local_server import wait_until
from tests.fakes.telegram_api import TOKEN, FakeTelegram, webhook_headers

ROOT = Path(__file__).resolve().parents[2]
SECRET = "kill_test-secret"
HOOK = "https://bot.example.vn/telegram/hook"
PATIENCE = 600.0  # seconds: only stops a stuck test


def free_port() -> int:
    """A port nobody listens on now, so a restarted process can take the same one again."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_environment(database: str, fake: FakeTelegram, webhook_port: int | None) -> dict[str, str]:
    """`cdht run` on Telegram through the fake, unthrottled, by polling or by webhook."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "ZALO_", "CDHT_", "DATABASE_URL"))
    }
    env |= {
        "DATABASE_URL": database,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": fake.root,
        "TELEGRAM_POLL_TIMEOUT": "1",
        "TELEGRAM_RATE_OVERALL": "100000",
        "TELEGRAM_RATE_PER_CHAT": "100000",
        "CDHT_LOG_LEVEL": "WARNING",
    }
    if webhook_port is not None:
        env |= {
            "TELEGRAM_WEBHOOK_URL": HOOK,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "CDHT_HTTP_PORT": str(webhook_port),
        }
    return env


class BotProcess:
    """`cdht run` in a child process; every start appends its output to one log file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self) -> None:
        with self.log.open("ab") as output:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                cwd=ROOT,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=output,
                stderr=output,
            )
        self.starts += 1

    async def kill(self) -> None:
        """SIGKILL: no cleanup of any kind runs in the child."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> int:
        """SIGTERM and wait for a clean exit; returns the exit status."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), PATIENCE)

    async def ensure_dead(self) -> None:
        if self.process is not None and self.process.returncode is None:
            await self.kill()

    @property
    def exited(self) -> bool:
        return self.process is not None and self.process.returncode is not None

    async def wait_for(self, condition: Callable[[], object], what: str) -> None:
        """Wait for `condition`; fail at once, with the log's end, if the process ends."""
        await wait_until(lambda: condition() or self.exited, seconds=PATIENCE, what=what)
        tail = self.output()[-3000:]
        assert not self.exited, f"cdht run ended while waiting for {what}:\n{tail}"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


async def post_until_accepted(
    client: httpx.AsyncClient, url: str, update: dict[str, Any], retry: float = 0.05
) -> int:
    """Deliver one update as Telegram's webhook does: again and again until the answer is 200
    (a refused connection, a reset, a 5xx all mean "try later"). Returns how many tries."""
    tries = 0
    while True:
        tries += 1
        try:
            response = await client.post(url, json=update, headers=webhook_headers(SECRET))
        except httpx.TransportError:
            await asyncio.sleep(retry)
            continue
        if response.status_code == 200:
            return tries
        assert response.status_code >= 500, f"the webhook refused an update: {response}"
        await asyncio.sleep(retry)


class TcpProxy:
    """127.0.0.1:<port> forwarded to a server (PostgreSQL); `cut()` closes every connection
    and refuses new ones, as a database gone away; `restore()` serves again on the same port."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.refused = 0  # connections turned away while cut
        self._server: asyncio.Server | None = None
        self._streams: set[asyncio.StreamWriter] = set()
        self._cut = False

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def cut(self) -> None:
        self._cut = True
        for writer in list(self._streams):
            writer.transport.abort()
        self._streams.clear()

    async def restore(self) -> None:
        self._cut = False

    async def close(self) -> None:
        await self.cut()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._cut:
            self.refused += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._streams |= {writer, up_writer}
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            self._streams -= {writer, up_writer}
            for stream in (writer, up_writer):
                stream.transport.abort()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()
