"""The terminal as a channel: typed lines in, plain text out; also works with piped stdin."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TextIO

from bot.channels.base import numbered
from conversations.events import EventKind, InboundEvent, OutboundMessage, from_typed_text

CHANNEL = "console"
Dispatch = Callable[[InboundEvent], Awaitable[list[OutboundMessage]]]
Pending = Callable[[str, TextIO], Awaitable[None]]


def to_event(user_ref: str, line: str) -> InboundEvent:
    return from_typed_text(CHANNEL, user_ref, line.rstrip("\r\n"))


def render(message: OutboundMessage) -> str:
    """The shared plain-text rendering; a file is shown as its path on this machine."""
    lines = [numbered(message)]
    if message.document:
        lines.append(f"  [{message.document}]")
    if message.image:
        lines.append(f"  [{message.image}]")
    return "\n".join(lines)


async def chat(
    dispatch: Dispatch,
    user_ref: str,
    stdin: TextIO,
    stdout: TextIO,
    pending: Pending | None = None,
) -> None:
    """Show what is waiting and where the person is, then answer each line until the input
    ends. `pending` prints messages queued for this person (a leader's decision, say)."""
    opening = InboundEvent(CHANNEL, user_ref, EventKind.COMMAND, command="tiep")
    if pending is not None:
        await pending(user_ref, stdout)
    await _show(stdout, await dispatch(opening))
    interactive = stdin.isatty()
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        await _show(stdout, await dispatch(to_event(user_ref, line)))
        if pending is not None:
            await pending(user_ref, stdout)


def show_now(stdout: TextIO, message: OutboundMessage) -> None:
    stdout.write(render(message) + "\n\n")
    stdout.flush()


async def _show(stdout: TextIO, replies: list[OutboundMessage]) -> None:
    for reply in replies:
        stdout.write(render(reply) + "\n\n")
    stdout.flush()
