"""SQLite for the async engine, called on the event loop's own thread.

aiosqlite hands every cursor call to a worker thread and back (about 28 crossings for one
answer), and on a busy machine each crossing waits for the scheduler: the answer path spent
more time crossing than in SQLite (issue 13). SQLite is a library in this process; a
statement takes microseconds, as in any synchronous bot. So the engine keeps SQLAlchemy's
aiosqlite dialect and is given, through create_async_engine's documented `async_creator`,
connections with aiosqlite's interface that run each call at once instead of in a thread.

Nothing here may wait on a lock: connections have busy_timeout 0, and storage/db.py waits
for SQLite's write lock asynchronously (BEGIN IMMEDIATE retried with asyncio.sleep), so
another process holding the lock never blocks the loop. A very long query (a province
digest) does hold the loop while it runs: a province-size database belongs on PostgreSQL."""

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

Row = tuple[Any, ...]


class InlineCursor:
    """aiosqlite's Cursor interface over a sqlite3 cursor."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> "InlineCursor":
        return self

    async def __aexit__(self, *_: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> "InlineCursor":
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> "InlineCursor":
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Row | None:
        row: Row | None = self._cursor.fetchone()
        return row

    async def fetchmany(self, size: int | None = None) -> list[Row]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Row]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class InlineConnection:
    """aiosqlite's Connection interface (the part SQLAlchemy's dialect calls) over sqlite3."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        # SQLAlchemy's adapter reads `_connection` to tell an open connection from a closed one.
        self._connection: sqlite3.Connection | None = connection

    @property
    def _live(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    @property
    def isolation_level(self) -> str | None:
        return self._live.isolation_level

    @property
    def in_transaction(self) -> bool:
        return self._live.in_transaction

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._live.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        self._live.commit()

    async def rollback(self) -> None:
        self._live.rollback()

    async def create_function(
        self, name: str, num_params: int, func: Callable[..., Any], deterministic: bool = False
    ) -> None:
        self._live.create_function(name, num_params, func, deterministic=deterministic)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def creator(path: str) -> Callable[[], Any]:
    """create_async_engine's `async_creator` for the SQLite file at `path`: connections that
    never wait for a lock and leave BEGIN to SQLAlchemy (storage/db.py emits it)."""

    async def connect() -> InlineConnection:
        connection = sqlite3.connect(
            path, timeout=0, isolation_level=None, check_same_thread=False
        )
        return InlineConnection(connection)

    return connect
