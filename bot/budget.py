"""Global send budgets: the overall rate a platform allows one bot, shared by every process
on PostgreSQL (storage/send_budget.py), so four senders don't send four times the limit.
Per-chat pacing stays in each process: one person's replies come from the process that
holds the person."""

import asyncio
import logging
from collections.abc import Callable

from bot.app import App
from bot.pacing import SAFETY, Spacing
from storage.db import unit_of_work
from storage.send_budget import book

log = logging.getLogger(__name__)


class SharedRate:
    """Waits for this bot's next overall slot among all processes. While the database
    cannot be asked, this process paces itself alone at the full rate (logged)."""

    def __init__(self, app: App, bot: str, per_second: float) -> None:
        self.app, self.bot = app, bot
        self.per_second = per_second * SAFETY
        self._alone = Spacing(self.per_second)

    async def wait(self) -> None:
        try:
            async with unit_of_work(self.app.sessions) as session:
                delay = await book(session, self.bot, self.per_second)
        except Exception as error:
            log.warning("send budget unavailable (%s): pacing alone", type(error).__name__)
            now = asyncio.get_running_loop().time()
            slot = self._alone.earliest(now)
            self._alone.book(slot)
            delay = slot - now
        if delay > 0:
            await asyncio.sleep(delay)


RateShare = Callable[[str, str, float], SharedRate]


def shared_rates(app: App) -> RateShare | None:
    """Makes a channel's shared rate from (channel, token, per second); None on SQLite,
    whose one process paces alone."""
    if app.engine.dialect.name != "postgresql":
        return None

    def make(channel: str, token: str, per_second: float) -> SharedRate:
        # The bot id before the token's colon is public (it is in every link to the bot).
        return SharedRate(app, f"{channel}:{token.partition(':')[0]}", per_second)

    return make
