"""Outbound limits for every Telegram call that sends: the overall rate, a per-chat rate, and
429 RetryAfter waited out and retried instead of dropped."""

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
NEW_MESSAGES = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
# Edits count towards the overall limit only: the per-chat pace is about new messages.
SENDING = NEW_MESSAGES | {"editMessageText", "editMessageReplyMarkup"}
# getUpdates has its own retry loop in PTB; the calls that carry our messages are retried here.
RETRIED = SENDING | {"answerCallbackQuery", "setMyCommands"}
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


class ChatRateLimiter(BaseRateLimiter[None]):
    def __init__(
        self,
        overall_per_second: float = 30,
        per_chat_per_second: float = 1,
        per_chat_burst: int = 1,
        max_retries: int = 5,
        backoff: float = 0.5,
    ) -> None:
        self._backoff = backoff
        # Requests reach Telegram with network jitter, so aim a little below each limit.
        self._overall = Spacing(overall_per_second * SAFETY)
        self._per_chat_rate = per_chat_per_second * SAFETY
        self._per_chat_burst = per_chat_burst
        self._chats: dict[object, Spacing] = {}
        self._max_retries = max_retries

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        for attempt in range(self._max_retries + 1):
            if endpoint in SENDING:
                await self._wait_for_slot(data.get("chat_id"), endpoint in NEW_MESSAGES)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == self._max_retries:
                    raise
                delay = _seconds(error)
                log.warning("Telegram asked to slow down: waiting %.1f s", delay)
                await asyncio.sleep(delay)
            except BadRequest:
                raise  # a subclass of NetworkError, but Telegram's "no" is final
            except NetworkError as error:  # timeouts and 5xx: worth another try, a bit later
                if attempt == self._max_retries or endpoint not in RETRIED:
                    raise
                log.warning("Telegram call failed (%s): retrying", type(error).__name__)
                await asyncio.sleep(self._backoff * 2**attempt)
        raise AssertionError("unreachable")

    async def _wait_for_slot(self, chat_id: object, new_message: bool) -> None:
        now = time.monotonic()
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = Spacing(self._per_chat_rate, self._per_chat_burst)
        # One slot that suits both limits, booked in both, so neither is ever exceeded.
        slot = self._overall.earliest(now)
        if new_message:
            slot = max(slot, chat.earliest(now))
            chat.book(slot)
        self._overall.book(slot)
        if slot > now:
            await asyncio.sleep(slot - now)
        if len(self._chats) > 10_000:
            self._forget_idle_chats(now)

    def _forget_idle_chats(self, now: float) -> None:
        idle = [key for key, spacing in self._chats.items() if spacing._next < now]
        for key in idle:
            del self._chats[key]


def _seconds(error: RetryAfter) -> float:
    value = error._retry_after  # the timedelta; the public property warns until PTB 23
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
