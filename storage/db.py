"""Engine and sessions from a URL; one unit of work = one transaction, committed or rolled back."""

import asyncio
import re
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4
from weakref import WeakKeyDictionary

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.sqlite_inline import creator

# Connections per process on PostgreSQL: a worker holds two per person it serves (six at
# once), plus intake, sender, sweep, leases and the scheduler.
POOL_SIZE, POOL_OVERFLOW = 10, 10
# How long a unit of work waits for another process's SQLite write lock before it counts as
# "database is locked" (then the work waits in memory or the platform is told to retry).
SQLITE_BUSY_SECONDS = 30


def make_engine(url: str) -> AsyncEngine:
    """An engine for `url`. A PostgreSQL URL with `?prepared_statement_cache_size=0` is taken
    to go through a pooler in transaction mode (PgBouncer): asyncpg then keeps no statement
    cache and names each prepared statement uniquely, as SQLAlchemy's asyncpg docs advise,
    because consecutive transactions may reach different server connections."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        pool: dict[str, Any] = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
        if parsed.query.get("prepared_statement_cache_size") == "0":
            pool["connect_args"] = _POOLER_ARGS
        return create_async_engine(url, pool_pre_ping=True, **pool)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # Calls run on the loop's thread and never wait inside SQLite: see storage/sqlite_inline.py.
    sqlite = parsed.set(drivername="sqlite+aiosqlite")
    engine = create_async_engine(sqlite, async_creator=creator(parsed.database or ":memory:"))
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


_POOLER_ARGS: dict[str, Any] = {
    "statement_cache_size": 0,
    "prepared_statement_name_func": lambda: f"__asyncpg_{uuid4()}__",
}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (exports, digests) run while the bot writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL survives a crash of the process (only power loss can drop the last
    # commits) and saves an fsync per message.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# sqlite3 would begin a transaction only at the first write, so a unit of work would read
# outside it; the connections leave BEGIN to us (SQLAlchemy's documented recipe), and a unit
# of work's connection carries this execution option: BEGIN IMMEDIATE takes SQLite's one
# write lock before the first read, so the state read is the state written over.
BEGIN = "cdht_sqlite_begin"


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql(f"BEGIN {connection.get_execution_options().get(BEGIN, '')}")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def unit_of_work(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """Everything inside is one transaction: committed at the end, rolled back on any error.

    On SQLite it is a write transaction from its start (BEGIN IMMEDIATE), and this process's
    units of work take turns for it in arrival order: SQLite has one writer at a time, and a
    queue in memory wakes the next one at once, where SQLite's busy handler would sleep."""
    async with sessions() as session, _writer_turn(session):
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()


_turns: "WeakKeyDictionary[Engine, asyncio.Lock]" = WeakKeyDictionary()
_holders: "WeakKeyDictionary[Engine, asyncio.Task[Any]]" = WeakKeyDictionary()


@asynccontextmanager
async def _writer_turn(session: AsyncSession) -> AsyncIterator[None]:
    engine = session.bind
    if not isinstance(engine, AsyncEngine) or engine.dialect.name != "sqlite":
        yield  # PostgreSQL has row locks and many writers
        return
    me = asyncio.current_task()
    if _holders.get(engine.sync_engine) is me:
        # A unit of work opened inside another by the same task: SQLite's deferred BEGIN,
        # rather than wait forever for its own caller's turn.
        yield
        return
    async with _turns.setdefault(engine.sync_engine, asyncio.Lock()):
        if me is not None:
            _holders[engine.sync_engine] = me
        try:
            await _begin_immediate(session)
            yield
        finally:
            _holders.pop(engine.sync_engine, None)


async def _begin_immediate(session: AsyncSession) -> None:
    """Take SQLite's write lock, waiting (without blocking the loop) while another process
    holds it, for SQLITE_BUSY_SECONDS at most; then "database is locked" is raised."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SQLITE_BUSY_SECONDS
    pause = 0.001
    while True:
        try:
            await session.connection(execution_options={BEGIN: "IMMEDIATE"})
            return
        except OperationalError as error:
            if not _SQLITE_BUSY.search(str(error.orig).lower()) or loop.time() >= deadline:
                raise
        await session.rollback()
        await asyncio.sleep(min(pause, max(0.0, deadline - loop.time())))
        pause = min(pause * 2, 0.1)


@asynccontextmanager
async def exclusive(engine: AsyncEngine, name: str) -> AsyncIterator[None]:
    """One process at a time inside (PostgreSQL advisory lock); SQLite serialises writers
    by itself, and one file has one bot."""
    if engine.dialect.name != "postgresql":
        yield
        return
    key = zlib.crc32(name.encode())
    async with engine.connect() as connection:
        await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        try:
            yield
        finally:
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            await connection.commit()


def on_postgresql(session: AsyncSession) -> bool:
    """Whether the session's database is PostgreSQL (row locks, SKIP LOCKED, its INSERT
    dialect), rather than SQLite."""
    return session.bind is not None and session.bind.dialect.name == "postgresql"


class StoreUnavailableError(Exception):
    """The database cannot be reached or is locked for now: the work waits and is retried,
    it is not refused."""


def unavailable(error: BaseException) -> bool:
    """True for errors that say the database is away or busy (a lost or refused connection,
    SQLite's "database is locked"), not that a statement was wrong."""
    if isinstance(error, StoreUnavailableError | OSError | TimeoutError | InterfaceError):
        return True
    if isinstance(error, OperationalError):
        message = str(error.orig).lower()
        return not _SQLITE_ERROR.search(message) or bool(_SQLITE_BUSY.search(message))
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


# SQLite reports both a busy file and a bad statement as OperationalError: only the first waits.
_SQLITE_ERROR = re.compile(r"no such|syntax error|has no column|constraint")
_SQLITE_BUSY = re.compile(r"locked|busy|unable to open|disk i/o")
