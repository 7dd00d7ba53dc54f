"""A bot's overall send rate shared by every process (PostgreSQL): each send books the next
free slot in one statement, under the row's lock, on the database's clock (so the workers'
clocks need not agree)."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_BOOK = text(
    "INSERT INTO send_budgets (bot, next_slot_at)"
    " VALUES (:bot, clock_timestamp() + make_interval(secs => :step))"
    " ON CONFLICT (bot) DO UPDATE SET next_slot_at ="
    " GREATEST(send_budgets.next_slot_at, clock_timestamp()) + make_interval(secs => :step)"
    " RETURNING EXTRACT(EPOCH FROM"
    " (send_budgets.next_slot_at - make_interval(secs => :step) - clock_timestamp()))"
)


async def book(session: AsyncSession, bot: str, per_second: float) -> float:
    """Book one send for `bot` at `per_second` overall; returns the seconds to wait before
    sending (0 or less: at once). Slots are 1/per_second apart whoever books them."""
    wait = (await session.execute(_BOOK, {"bot": bot, "step": 1 / per_second})).scalar()
    return float(wait or 0.0)
