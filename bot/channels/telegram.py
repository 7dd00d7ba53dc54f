"""Telegram as a channel: Update -> InboundEvent, OutboundMessage -> what to send.

python-telegram-bot is used as transport only; state, order and retries are ours."""

import os
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from conversations.events import Choice, EventKind, InboundEvent, OutboundMessage, from_typed_text

# Opt in to PTB's timedelta durations now, instead of a deprecation warning per RetryAfter.
os.environ.setdefault("PTB_TIMEDELTA", "true")

CHANNEL = "telegram"
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
SHORT_LABEL = 14  # labels up to this length fit two to a row on a phone


def to_event(update: Update) -> InboundEvent | None:
    """A private message or button tap; anything else (groups, channels, edits) is ignored."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot or chat is None or chat.type != "private":
        return None
    received = _received_at(update)
    common = {
        "locale_hint": user.language_code,
        "event_id": str(update.update_id),
        "received_at": received,
    }
    if update.callback_query is not None:
        data = update.callback_query.data or ""
        return InboundEvent(CHANNEL, str(user.id), EventKind.CHOICE, choice_id=data, **common)  # type: ignore[arg-type]
    message = update.message
    if message is None:
        return None
    # Stickers, photos and voice notes arrive without text: the engine asks again in words.
    return from_typed_text(CHANNEL, str(user.id), message.text or "", **common)  # type: ignore[arg-type]


def _received_at(update: Update) -> datetime:
    message = update.message or (update.callback_query and update.callback_query.message)
    date = getattr(message, "date", None)
    return date if isinstance(date, datetime) else datetime.now(UTC)


@dataclass(frozen=True)
class Outgoing:
    text: str
    keyboard: InlineKeyboardMarkup | None = None
    document: str | None = None
    image: str | None = None


def render(replies: list[OutboundMessage]) -> list[Outgoing]:
    """One Telegram message per batch where possible: fewer messages, a calmer chat, and the
    per-chat rate limit kept. Texts are joined; the keyboard of the last question goes last."""
    outgoing: list[Outgoing] = []
    texts: list[str] = []
    for reply in replies:
        if reply.document or reply.image:
            outgoing.extend(_flush(texts, None))
            outgoing.append(Outgoing(reply.text, None, reply.document, reply.image))
            continue
        texts.append(reply.text)
        if reply.choices:
            outgoing.extend(_flush(texts, keyboard(reply.choices)))
    outgoing.extend(_flush(texts, None))
    return outgoing


def _flush(texts: list[str], markup: InlineKeyboardMarkup | None) -> list[Outgoing]:
    if not texts:
        return []
    chunks = split_text("\n\n".join(texts))
    texts.clear()
    return [Outgoing(chunk, markup if last else None) for last, chunk in _last_flag(chunks)]


def _last_flag(chunks: list[str]) -> list[tuple[bool, str]]:
    return [(index == len(chunks) - 1, chunk) for index, chunk in enumerate(chunks)]


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split at paragraph or line breaks so no message exceeds Telegram's limit."""
    chunks: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit))
        cut = cut if cut > 0 else limit
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip("\n")
    return [*chunks, text] if text else chunks


def keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup:
    """Scores 0-10 in two rows; short labels two to a row, long ones alone; back at the bottom."""
    answers = [c for c in choices if not c.nav]
    rows: list[list[Choice]]
    if answers and all(c.label.isdigit() for c in answers):
        middle = (len(answers) + 1) // 2
        rows = [answers[:middle], answers[middle:]]
    elif all(len(c.label) <= SHORT_LABEL for c in answers):
        rows = [answers[i : i + 2] for i in range(0, len(answers), 2)]
    else:
        rows = [[c] for c in answers]
    navigation = [c for c in choices if c.nav]
    if navigation:
        rows.append(navigation)
    return InlineKeyboardMarkup([[_button(c) for c in row] for row in rows if row])


def _button(choice: Choice) -> InlineKeyboardButton:
    data = choice.id
    if len(data.encode()) > CALLBACK_DATA_LIMIT:
        raise ValueError(f"callback data longer than {CALLBACK_DATA_LIMIT} bytes: {data!r}")
    return InlineKeyboardButton(choice.label, callback_data=data)


def chosen_label(update: Update) -> str | None:
    """The label of the button that was tapped, read from the message it sits on."""
    query = update.callback_query
    message = query.message if query else None
    markup = getattr(message, "reply_markup", None)
    if query is None or markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == query.data:
                return str(button.text)
    return None
