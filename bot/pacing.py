"""Send slots under two limits at once, a platform's overall rate and its per-chat rate."""

import asyncio
import time
from dataclasses import dataclass, field
from typing import Protocol

# Requests reach a platform with network jitter, so aim a little below each limit.
SAFETY = 0.9


@dataclass
class Spacing:
    """Hands out send slots at most `rate` per second, allowing a burst of `burst`."""

    rate: float
    burst: int = 1
    _next: float = field(default=0.0)

    def earliest(self, now: float) -> float:
        """The first moment a send is allowed (a past moment while burst credit is left)."""
        return max(self._next, now - (self.burst - 1) / self.rate)

    def book(self, slot: float) -> None:
        self._next = max(self._next, slot) + 1 / self.rate


class Overall(Protocol):
    """An overall rate shared with other processes (bot/budget.py): waits for a slot."""

    async def wait(self) -> None: ...


class SendPace:
    """Waits until a send suits both the overall and the chat's limit, booking both, so
    neither is ever exceeded (per second, aimed SAFETY below each). With `shared`, the
    overall limit is that shared budget's instead of this process's own."""

    def __init__(
        self,
        overall: float,
        per_chat: float,
        per_chat_burst: int = 1,
        shared: Overall | None = None,
    ) -> None:
        self._shared = shared
        self._overall = Spacing(overall * SAFETY)
        self._per_chat_rate = per_chat * SAFETY
        self._per_chat_burst = per_chat_burst
        self._chats: dict[object, Spacing] = {}

    async def wait(self, chat_id: object, new_message: bool = True) -> None:
        """Sleep until the send may go; `new_message` False counts only towards the overall
        limit (an edit, a chat action)."""
        now = time.monotonic()
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = Spacing(self._per_chat_rate, self._per_chat_burst)
        slot = self._overall.earliest(now) if self._shared is None else now
        if new_message:
            slot = max(slot, chat.earliest(now))
            chat.book(slot)
        if self._shared is None:
            self._overall.book(slot)
        if slot > now:
            await asyncio.sleep(slot - now)
        if self._shared is not None:
            await self._shared.wait()
        if len(self._chats) > 10_000:
            self._forget_idle_chats(now)

    def _forget_idle_chats(self, now: float) -> None:
        idle = [key for key, spacing in self._chats.items() if spacing._next < now]
        for key in idle:
            del self._chats[key]
