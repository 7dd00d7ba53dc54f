"""`cdht run --workers N`: N `cdht run` processes on one machine, one database.

Each worker is an ordinary `cdht run` (they share people, polling and planning through
PostgreSQL, and the webhook port through SO_REUSEPORT, so the kernel spreads connections
over them). SIGTERM and SIGINT are passed on to every worker, which finish what they hold
and exit. A worker that dies is not restarted here: its people continue on the others
within seconds, and restarting is the service manager's job (systemd Restart=, a container
orchestrator), which also restarts this supervisor."""

import asyncio
import logging
import signal
import sys

from bot.single import sqlite_file
from bot.terminal import terminal
from conversations.i18n import N_, ExplainedError

log = logging.getLogger(__name__)


class WorkersError(ExplainedError):
    """Several workers asked for where only one can run."""


async def supervise(count: int, database_url: str) -> int:
    """Start `count` workers and wait for all; returns 0 when each exited cleanly, else the
    first failing status. Raises WorkersError for several workers on SQLite."""
    path = sqlite_file(database_url)
    if path is not None and count > 1:
        raise WorkersError(
            N_(
                "{path} is SQLite, which serves one process: several workers need PostgreSQL"
                " (README: Several workers)."
            ),
            path=str(path),
        )
    workers = [await _start(number) for number in range(1, count + 1)]
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, _pass_on, workers, signal_number)
    statuses = await asyncio.gather(*(_watch(number, w) for number, w in enumerate(workers, 1)))
    return next((status for status in statuses if status != 0), 0)


async def _start(number: int) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", stdin=asyncio.subprocess.DEVNULL
    )
    t = terminal()
    print(
        t("worker {number} started (pid {pid})", number=number, pid=process.pid), file=sys.stderr
    )
    return process


async def _watch(number: int, process: asyncio.subprocess.Process) -> int:
    status = await process.wait()
    if status != 0:
        log.warning("worker %d exited with status %d; it is not restarted", number, status)
    return status


def _pass_on(workers: list[asyncio.subprocess.Process], signal_number: int) -> None:
    for process in workers:
        if process.returncode is None:
            process.send_signal(signal_number)
