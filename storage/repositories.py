"""Stores behind the core's ports. They take a session and never commit."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person


@dataclass
class Reachability:
    """A person who blocked the bot is unreachable until they write again (see StateStore.load)."""

    session: AsyncSession

    async def unreachable(self, channel: str, user_ref: str, now: datetime) -> None:
        await self.session.execute(
            update(Person)
            .where(Person.channel == channel, Person.user_ref == user_ref)
            .values(unreachable_at=now)
        )
