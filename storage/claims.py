"""Claims that span processes: one person's updates handled by one worker at a time.

On PostgreSQL a claim is a transaction-scoped advisory lock taken on a connection of its
own and held while the worker handles and answers that person; the server drops it the
moment the transaction ends or the connection is gone (a killed worker's claims return at
once). SQLite serves one process (bot/single.py refuses a second), so a claim there always
holds and the gateway's in-process bookkeeping keeps a person to one task."""

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


@dataclass
class Claim:
    """Whether this process holds the person; on PostgreSQL also the connection holding
    them, in whose transaction the holder reads the person's inbox rows (no transaction
    of its own for a read)."""

    held: bool
    connection: AsyncConnection | None = None

    def __bool__(self) -> bool:
        return self.held


def lock_key(*parts: str) -> int:
    """A signed 64-bit key for pg_advisory_*: a BLAKE2b digest of the parts, so two people
    share a key with odds of about 2**-64 (and a shared key only delays one of them)."""
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


_TRY = text("SELECT pg_try_advisory_xact_lock(:key)")


@asynccontextmanager
async def person_claim(engine: AsyncEngine, channel: str, user_ref: str) -> AsyncIterator[Claim]:
    """Yields a true Claim while this process holds the person, a false one when another
    process does. Raises the driver's error when the database is away."""
    if engine.dialect.name != "postgresql":
        yield Claim(True)
        return
    async with engine.connect() as connection:
        held = (await connection.execute(_TRY, {"key": lock_key(channel, user_ref)})).scalar()
        try:
            yield Claim(bool(held), connection)
        finally:
            await connection.rollback()
