"""Telegram as a channel: Update -> InboundEvent, OutboundMessage -> what to send.

python-telegram-bot is used as transport only; state, order and retries are ours."""

import asyncio
import logging
import os
from collections import OrderedDict
from collections.abc import Awaitable, Coroutine, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.routing import BaseRoute
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError
from telegram.ext import ExtBot

from bot.channels.base import (
    REFUSED,
    SENT,
    UNREACHABLE,
    Delivery,
    Keep,
    Limits,
    Payload,
    Turn,
    always,
    keep_until_stored,
    poll_forever,
    split_text,
    unsent,
)
from bot.pacing import Overall
from bot.ratelimit import ChatRateLimiter
from bot.settings import Settings
from bot.webhook import webhook_route
from conversations.commands import COMMANDS
from conversations.events import Choice, EventKind, InboundEvent, OutboundMessage, from_typed_text
from conversations.i18n import SUPPORTED, ExplainedError, Translator
from storage.csv_text import decode_csv

# Opt in to PTB's timedelta durations now, instead of a deprecation warning per RetryAfter.
os.environ.setdefault("PTB_TIMEDELTA", "true")

log = logging.getLogger(__name__)
CHANNEL = "telegram"
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query"]
CALLBACK_DATA_LIMIT = 64
SHORT_LABEL = 14  # labels up to this length fit two to a row on a phone
# Bytes of a document read from chat (a CSV import): a commune's file is far smaller.
DOCUMENT_LIMIT = 1_000_000
# Updates whose reading is remembered (a few seconds of traffic at the Bot API's limits).
READ_KEPT = 1024


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
    # A photo's caption is what the person typed; a sticker or voice note has nothing to read.
    text = message.text or message.caption
    if message.document is not None:
        size = message.document.file_size
        ref = message.document.file_id if size is None or size <= DOCUMENT_LIMIT else ""
        return InboundEvent(
            CHANNEL,
            str(user.id),
            EventKind.DOCUMENT,
            text=text or "",
            file_ref=ref,
            **common,  # type: ignore[arg-type]
        )
    if text is None and _media(message):
        return InboundEvent(CHANNEL, str(user.id), EventKind.MEDIA, **common)  # type: ignore[arg-type]
    return from_typed_text(CHANNEL, str(user.id), text or "", **common)  # type: ignore[arg-type]


def _media(message: Message) -> bool:
    kinds = (message.photo, message.sticker, message.voice, message.audio, message.video)
    return any(kinds) or message.video_note is not None


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
    choices: tuple[Choice, ...] = ()  # what the keyboard was made from

    def as_message(self) -> OutboundMessage:
        """Back to a neutral message, to be queued when it could not be sent now."""
        return OutboundMessage(self.text, self.choices, self.document, self.image)


def render(replies: list[OutboundMessage]) -> list[Outgoing]:
    """One Telegram message per batch where possible: fewer messages, a calmer chat, and the
    per-chat rate limit kept. Texts are joined; the keyboard of the last question goes last."""
    outgoing: list[Outgoing] = []
    texts: list[str] = []
    for reply in replies:
        if reply.document or reply.image:
            outgoing.extend(_flush(texts, ()))
            outgoing.append(Outgoing(reply.text, None, reply.document, reply.image))
            continue
        texts.append(reply.text)
        if reply.choices:
            outgoing.extend(_flush(texts, reply.choices))
    outgoing.extend(_flush(texts, ()))
    return outgoing


def _flush(texts: list[str], choices: tuple[Choice, ...]) -> list[Outgoing]:
    if not texts:
        return []
    chunks = split_text("\n\n".join(texts), TEXT_LIMIT)
    texts.clear()
    markup = keyboard(choices) if choices else None
    return [
        Outgoing(chunk, markup, choices=choices) if last else Outgoing(chunk)
        for last, chunk in _last_flag(chunks)
    ]


def _last_flag(chunks: list[str]) -> list[tuple[bool, str]]:
    return [(index == len(chunks) - 1, chunk) for index, chunk in enumerate(chunks)]


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


class TelegramChannel:
    """Telegram through python-telegram-bot's Bot (transport only): our own getUpdates loop,
    so the offset moves past a batch only once the batch is in the inbox, or a webhook on
    the shared HTTP server."""

    name = CHANNEL

    def __init__(
        self,
        settings: Settings,
        limiter: ChatRateLimiter | None = None,
        shared: Overall | None = None,
    ) -> None:
        """`shared`: the bot's overall rate shared with other processes, if any."""
        assert settings.telegram_bot_token is not None
        self.settings = settings
        self.limits = Limits(
            text=TEXT_LIMIT,
            buttons=True,
            files=True,
            rate_overall=settings.telegram_rate_overall,
            rate_per_chat=settings.telegram_rate_per_chat,
        )
        root = settings.telegram_api_url.rstrip("/")
        self.bot: ExtBot[None] = ExtBot(
            settings.telegram_bot_token.get_secret_value(),
            base_url=f"{root}/bot",
            base_file_url=f"{root}/file/bot",
            rate_limiter=limiter
            or ChatRateLimiter(
                settings.telegram_rate_overall, settings.telegram_rate_per_chat, shared=shared
            ),
        )
        self._poller: asyncio.Task[None] | None = None
        self._offset: int | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        # Updates read lately, by payload: an update is read at intake and again to answer
        # it and to edit its question, and PTB's reading costs more than the answer's SQL.
        self._read: OrderedDict[int, tuple[Payload, Update]] = OrderedDict()
        self._stopping = asyncio.Event()

    @property
    def mode(self) -> str:
        return "webhook" if self.settings.telegram_webhook_url else "polling"

    def routes(self, keep: Keep) -> list[BaseRoute]:
        url, secret = self.settings.telegram_webhook_url, self.settings.telegram_webhook_secret
        if not url or secret is None:
            return []
        path = urlsplit(url).path or "/"
        return [
            webhook_route(
                path,
                CHANNEL,
                SECRET_HEADER,
                secret.get_secret_value(),
                self._parse,
                keep,
                self._kept,
            )
        ]

    async def open(self) -> None:
        await self.bot.initialize()

    async def close(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.bot.shutdown()

    async def start(self, keep: Keep, turn: Turn = always) -> None:
        await self.open()
        await self.register_commands()
        url, secret = self.settings.telegram_webhook_url, self.settings.telegram_webhook_secret
        if url and secret is not None:
            await self.bot.set_webhook(
                url, secret_token=secret.get_secret_value(), allowed_updates=ALLOWED_UPDATES
            )
        else:
            await self.bot.delete_webhook()
            self._poller = asyncio.create_task(self._poll(keep, turn))

    async def stop(self) -> None:
        self._stopping.set()
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)

    async def register_commands(self) -> None:
        """The command menu in each language; Vietnamese is also the default."""
        for language in (None, *SUPPORTED):
            t = Translator(language or "vi")
            commands = [BotCommand(c.name, c.describe(t)) for c in COMMANDS if c.public]
            await self.bot.set_my_commands(commands, language_code=language)

    def to_event(self, payload: Payload) -> InboundEvent | None:
        update = self._update(payload)
        return to_event(update) if update is not None else None

    def _update(self, payload: Payload) -> Update | None:
        """PTB's Update for this payload, read once while the same payload object is in use
        (the intake, the answer and the edit share it); an equal payload read back from the
        inbox is read again."""
        key = id(payload)
        known = self._read.get(key)
        if known is not None and known[0] is payload:
            return known[1]
        update = Update.de_json(payload, self.bot)
        if update is not None:
            self._remember(payload, update)
        return update

    def _remember(self, payload: Payload, update: Update) -> None:
        self._read[id(payload)] = (payload, update)
        if len(self._read) > READ_KEPT:
            self._read.popitem(last=False)

    async def read_document(self, event: InboundEvent) -> InboundEvent:
        """The document's text put in the event (getFile, then the file's download); the
        event as it was when the file is too big, not text, or cannot be fetched now."""
        if event.kind != EventKind.DOCUMENT or not event.file_ref:
            return event
        try:
            found = await self.bot.get_file(event.file_ref)
            if found.file_size is not None and found.file_size > DOCUMENT_LIMIT:
                return event
            data = bytes(await found.download_as_bytearray())
        except TelegramError as error:
            log.warning("a document could not be fetched: %s", type(error).__name__)
            return event
        try:
            return replace(event, document=decode_csv(data))
        except ExplainedError:  # a workbook or other non-text: the leader is asked for CSV
            return event

    async def send(
        self, user_ref: str, replies: Sequence[OutboundMessage], payload: Payload | None
    ) -> Delivery:
        """Send replies to one chat: SENT, UNREACHABLE (blocked), REFUSED (a 400) or the
        name of a transient error, with the messages not yet sent."""
        if payload and payload.get("callback_query") and replies and not replies[0].error:
            await self._show_choice(payload)
        pieces = render(list(replies))
        sent = 0
        try:
            for outgoing in pieces:
                await self._send_one(int(user_ref), outgoing)
                sent += 1
        except Forbidden:
            return Delivery(UNREACHABLE)
        except BadRequest as error:
            log.warning("Telegram refused a message: %s", _reason(error))
            return Delivery(REFUSED)
        except TelegramError as error:
            rest = unsent([piece.as_message() for piece in pieces], sent)
            return Delivery(type(error).__name__, rest)
        return Delivery(SENT)

    async def _poll(self, keep: Keep, turn: Turn) -> None:
        """getUpdates, keep the batch, and only then ask for the next (which confirms it)."""
        await poll_forever(
            self._fetch, partial(self._store, keep), self._stopping, _refused_token, turn
        )

    async def _fetch(self) -> list[Update]:
        return list(
            await self.bot.get_updates(
                offset=self._offset,
                timeout=self.settings.telegram_poll_timeout,
                allowed_updates=ALLOWED_UPDATES,
            )
        )

    async def _store(self, keep: Keep, updates: list[Update]) -> bool:
        batch = []
        for update in updates:
            if to_event(update):
                payload = update.to_dict()
                self._remember(payload, update)
                batch.append((str(update.update_id), payload))
        new = await keep_until_stored(keep, CHANNEL, batch, self._stopping)
        if new is None:
            return False
        for update_id, payload in batch:
            if update_id in new:
                self._kept(update_id, payload)
        self._offset = updates[-1].update_id + 1
        return True

    def _parse(self, body: object) -> tuple[str, Payload] | None:
        """A webhook body: an Update we handle, ignored (None), or ValueError when malformed."""
        if not isinstance(body, dict) or type(body.get("update_id")) is not int:
            raise ValueError("not an update")
        try:
            update = self._update(body)
            event = to_event(update) if update is not None else None
        except (TypeError, KeyError, AttributeError, ValueError) as error:
            raise ValueError("malformed update") from error
        return (str(body["update_id"]), body) if event is not None else None

    def _kept(self, update_id: str, payload: Payload) -> None:
        # Stop the button's spinner at once, not after the person's earlier messages.
        query = payload.get("callback_query")
        if isinstance(query, dict) and isinstance(query.get("id"), str):
            self._background(self._quietly(self.bot.answer_callback_query(query["id"])))

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_one(self, chat_id: int, outgoing: Outgoing) -> None:
        caption = outgoing.text[:CAPTION_LIMIT]
        if outgoing.document:
            await self.bot.send_document(chat_id, Path(outgoing.document), caption=caption)
        elif outgoing.image:
            await self.bot.send_photo(chat_id, Path(outgoing.image), caption=caption)
        else:
            await self.bot.send_message(chat_id, outgoing.text, reply_markup=outgoing.keyboard)

    async def _show_choice(self, payload: Payload) -> None:
        """Edit the question to show the answer and drop its buttons: the chat stays readable."""
        update = self._update(payload)
        query = update.callback_query if update is not None else None
        label = chosen_label(update) if update is not None else None
        message = query.message if query else None
        text = getattr(message, "text", None)
        if label is None or message is None or not text:
            return
        edited = f"{text}\n\n✅ {label}"[:TEXT_LIMIT]
        edit = self.bot.edit_message_text(
            edited, chat_id=message.chat.id, message_id=message.message_id
        )
        await self._quietly(edit)

    async def _quietly(self, call: Awaitable[Any]) -> None:
        try:
            await call
        except TelegramError as error:
            log.info("Telegram refused a cosmetic call: %s", type(error).__name__)


def _refused_token(error: Exception) -> bool:
    return isinstance(error, InvalidToken)


def _reason(error: BadRequest) -> str:
    # Telegram's description names the problem ("message is too long"), never the content.
    return type(error).__name__
