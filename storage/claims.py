"""Claims that span processes: one person's updates handled by one worker at a time.

On PostgreSQL a claim is a transaction-scoped advisory lock taken on a connection of its
own and held while the worker handles and answers that person; the server drops it the
moment the transaction ends or the connection is gone (a killed worker's claims return at
once). SQLite serves one process (bot/single.py refuses a second), so a claim there always
holds and the gateway's in-process bookkeeping keeps a person to one task."""

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


def lock_key(*parts: str) -> int:
    """A signed 64-bit key for pg_advisory_*: a BLAKE2b digest of the parts, so two people
    share a key with odds of about 2**-64 (and a shared key only delays one of them)."""
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@asynccontextmanager
async def person_claim(engine: AsyncEngine, channel: str, user_ref: str) -> AsyncIterator[bool]:
    """Yields True while this process holds the person, False when another one does (it
    sees what was kept for the person before it lets go). Raises the driver's error when
    the database is away."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    async with engine.connect() as connection:
        query = text("SELECT pg_try_advisory_xact_lock(:key)")
        held = (await connection.execute(query, {"key": lock_key(channel, user_ref)})).scalar()
        try:
            yield bool(held)
        finally:
            await connection.rollback()
