"""Outbound limits for every Telegram call that sends: the overall rate, a per-chat rate, and
429 RetryAfter waited out and retried instead of dropped."""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from bot.pacing import Overall, SendPace

log = logging.getLogger(__name__)
NEW_MESSAGES = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
# Edits count towards the overall limit only: the per-chat pace is about new messages.
SENDING = NEW_MESSAGES | {"editMessageText", "editMessageReplyMarkup"}
# getUpdates has its own retry loop in PTB; the calls that carry our messages are retried here.
RETRIED = SENDING | {"answerCallbackQuery", "setMyCommands"}


class ChatRateLimiter(BaseRateLimiter[None]):
    def __init__(
        self,
        overall_per_second: float = 30,
        per_chat_per_second: float = 1,
        per_chat_burst: int = 1,
        max_retries: int = 5,
        backoff: float = 0.5,
        shared: Overall | None = None,
    ) -> None:
        self._backoff = backoff
        self._pace = SendPace(overall_per_second, per_chat_per_second, per_chat_burst, shared)
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
        await self._pace.wait(chat_id, new_message)


def _seconds(error: RetryAfter) -> float:
    value = error._retry_after  # the timedelta; the public property warns until PTB 23
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
