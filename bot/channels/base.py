"""What every messenger adapter is: limits as data, conversion both ways, platform calls.

The channel-neutral runtime (bot/gateway.py) keeps, orders, dispatches and sends; an adapter
only turns a platform update into an InboundEvent and OutboundMessages into platform calls.
A channel without buttons gets the plain-text rendering below for free, in the spirit of
Rasa's OutputChannel: choices become a short numbered list, answered by number or by label
(the engine matches both, accents optional)."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from starlette.routing import BaseRoute

from conversations.engine import COMMAND_BUTTON as COMMAND_CHOICE
from conversations.events import InboundEvent, OutboundMessage
from storage.db import StoreUnavailableError
from storage.outbox import REFUSED, SENT, UNREACHABLE

log = logging.getLogger(__name__)
Payload = dict[str, Any]
Update = TypeVar("Update")
# What became of a send: SENT, UNREACHABLE (blocked, gone), REFUSED (the platform said no for
# good: never retried), or a short reason for a transient failure (retried via the outbox).
__all__ = ["REFUSED", "SENT", "UNREACHABLE"]


@dataclass(frozen=True)
class Delivery:
    """What became of a send. `rest` holds the part not sent when a transient failure came
    after part of it went out (a long reply in pieces): only the rest is tried again, so no
    piece arrives twice."""

    outcome: str
    rest: tuple[OutboundMessage, ...] = ()


@dataclass(frozen=True)
class Limits:
    """A platform's limits, read by the renderer and the sender (never constants in the core).

    text: characters per message; buttons: whether choices can be buttons; files: whether a
    document can be uploaded; rate_overall / rate_per_chat: messages per second the platform
    accepts from one bot in all and into one chat (the sender aims 10 % below both)."""

    text: int
    buttons: bool
    files: bool
    rate_overall: float
    rate_per_chat: float


class Keep(Protocol):
    """The gateway's intake: writes (update_id, payload) pairs to the inbox and schedules
    them; returns the ids that were new. Raises storage.db.StoreUnavailableError while the
    database cannot take them."""

    def __call__(
        self, channel: str, updates: Sequence[tuple[str, Payload]]
    ) -> Awaitable[list[str]]: ...


# Whether this process may poll now (another process may hold the bot's polling lease).
Turn = Callable[[], Awaitable[bool]]


async def always() -> bool:
    return True


class Channel(Protocol):
    """One messenger. `to_event` reads a payload as stored in the inbox (JSON), so an update
    kept before a crash is handled after it exactly as if it had just arrived."""

    name: str
    limits: Limits

    def to_event(self, payload: Payload) -> InboundEvent | None: ...

    async def read_document(self, event: InboundEvent) -> InboundEvent:
        """A DOCUMENT event with the file's text fetched from the platform (None when it
        cannot be read); any other event as it is."""
        ...

    async def send(
        self, user_ref: str, replies: Sequence[OutboundMessage], payload: Payload | None
    ) -> Delivery:
        """Send replies to one person, in order; `payload` is the update they answer, if any
        (a tapped button may be edited). The outcome is SENT, UNREACHABLE, REFUSED or the
        reason of a transient failure."""
        ...

    @property
    def mode(self) -> str:
        """How updates arrive: "webhook" or "polling"."""
        ...

    async def open(self) -> None:
        """Ready to send (the platform client connected); receives nothing yet."""
        ...

    async def close(self) -> None: ...

    async def start(self, keep: Keep, turn: Turn = always) -> None:
        """Open, then begin receiving (registering a webhook, or polling while `turn`
        says this process may)."""
        ...

    async def stop(self) -> None:
        """Stop receiving; sending still works until close()."""
        ...

    def routes(self, keep: Keep) -> list[BaseRoute]:
        """The channel's webhook routes on the shared HTTP server (none when polling)."""
        ...


def unsent(pieces: Sequence[OutboundMessage], sent: int) -> tuple[OutboundMessage, ...]:
    """The pieces still to send after `sent` went out; none when nothing went out (then
    the whole is tried again)."""
    return tuple(pieces[sent:]) if sent else ()


def numbered(message: OutboundMessage, *, navigation: bool = False) -> str:
    """A message as plain text: numbered choices, or one row when the choices are numbers.

    A command choice ("Làm tiếp" in a reminder) is shown as the command to type ("Làm tiếp:
    /tiep"), never numbered: a number typed later answers the current question, not an old
    message. Navigation choices (« Back) are left out unless `navigation`: they are typed
    as commands (/lai) on text channels."""
    lines = [message.text]
    answers = [c for c in message.choices if not c.id.startswith(COMMAND_CHOICE)]
    labels = [c.label for c in answers if navigation or not c.nav]
    if labels and all(label.isdigit() for label in labels):
        lines.append("  " + " | ".join(labels))
    else:
        lines += [f"  {number}. {label}" for number, label in enumerate(labels, start=1)]
    for choice in message.choices:
        if choice.id.startswith(COMMAND_CHOICE):
            lines.append(f"  {choice.label}: /{choice.id.removeprefix(COMMAND_CHOICE)}")
    return "\n".join(lines)


def split_text(text: str, limit: int) -> list[str]:
    """Split at paragraph or line breaks so that no piece is longer than `limit` characters."""
    chunks: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit))
        cut = cut if cut > 0 else limit
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip("\n")
    # A piece of blanks only would be an empty message, which platforms refuse.
    return [chunk for chunk in (*chunks, text) if chunk.strip()]


def text_batch(
    replies: Sequence[OutboundMessage],
    limit: int,
    attachment: Callable[[OutboundMessage], str | None] = lambda _m: None,
) -> list[str]:
    """A batch of replies as few plain-text messages as the limit allows: fewer messages, a
    calmer chat and the per-chat rate kept. `attachment` gives a line for a document or image
    (a download link, say) or None to leave it out."""
    parts: list[str] = []
    for reply in replies:
        text = numbered(reply)
        extra = attachment(reply) if (reply.document or reply.image) else None
        parts.append(f"{text}\n{extra}" if extra else text)
    return split_text("\n\n".join(part for part in parts if part), limit)


STANDBY = 2  # backoff(2): 0.8 s between looks at whether this process may poll


def backoff(attempt: int) -> float:
    """Seconds to wait before try number `attempt` + 1: 0.2 s doubling, at most 5 s."""
    return min(5.0, 0.2 * 2.0 ** min(attempt, 10))


async def pause(stopping: asyncio.Event, attempt: int) -> bool:
    """Back off before another try; False when stopping first."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), backoff(attempt))
    return not stopping.is_set()


async def keep_until_stored(
    keep: Keep,
    channel: str,
    batch: list[tuple[str, Payload]],
    stopping: asyncio.Event,
    patience: float = 0.0,
) -> list[str] | None:
    """Polling's intake: keep a batch, waiting out a database that is away; the new ids, or
    None when stopping first. A platform with an offset sends an unconfirmed batch again
    (patience 0); one without (Zalo) cannot, so the batch is tried for `patience` more
    seconds after the stop began, and then counted as lost in the log."""
    attempt = 0
    deadline: float | None = None
    while True:
        try:
            return await keep(channel, batch)
        except StoreUnavailableError:
            attempt += 1
        loop = asyncio.get_running_loop()
        if stopping.is_set():
            deadline = deadline or loop.time() + patience
            if loop.time() >= deadline:
                if patience:
                    log.error("%d updates could not be kept before the stop", len(batch))
                return None
            await asyncio.sleep(backoff(attempt))
        else:
            await pause(stopping, attempt)


async def poll_forever(
    fetch: Callable[[], Awaitable[list[Update]]],
    store: Callable[[list[Update]], Awaitable[bool]],
    stopping: asyncio.Event,
    fatal: Callable[[Exception], bool],
    turn: Turn = always,
) -> None:
    """A long-polling loop: fetch, then store (False: stop without confirming). Between
    polls it waits while `turn` says another process polls this bot. An error for which
    `fatal` is true (a refused token) ends it; any other is logged by type and retried with
    back-off, so polling never dies silently."""
    failures = 0
    while not stopping.is_set():
        try:
            if not await turn():
                await pause(stopping, STANDBY)
                continue
            updates = await fetch()
            if updates and not await store(updates):
                return
            failures = 0
        except Exception as error:
            if fatal(error):
                log.error("the platform refused the bot token (%s): polling stops", _name(error))
                return
            failures += 1
            log.warning("polling failed (%s): trying again", _name(error))
            await pause(stopping, failures)


def _name(error: BaseException) -> str:
    return type(error).__name__
