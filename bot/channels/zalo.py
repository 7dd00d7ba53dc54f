"""Zalo (Zalo Bot Platform) as a channel: updates -> InboundEvent, replies -> plain text.

The platform has no buttons and no document upload: choices go out as the shared numbered
list (answered by number or by label), long texts are split at 2,000 characters, a chart is
sent with sendPhoto from a signed HTTPS link the bot serves, and a report is such a link in
the text. A person is their private chat: the chat id is what messages are sent to."""

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from starlette.routing import BaseRoute

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
    numbered,
    poll_forever,
    text_batch,
    unsent,
)
from bot.channels.zalo_api import (
    CAPTION_LIMIT,
    SECRET_HEADER,
    TEXT_LIMIT,
    UpdateKind,
    ZaloBadRequest,
    ZaloBotClient,
    ZaloError,
    ZaloForbidden,
    ZaloRetryAfter,
    ZaloUpdate,
    parse_update,
)
from bot.files import files_route, link_key, signed_link
from bot.pacing import Overall, SendPace
from bot.settings import Settings
from bot.webhook import webhook_route
from conversations.events import EventKind, InboundEvent, OutboundMessage, from_typed_text
from conversations.ports import Clock

log = logging.getLogger(__name__)
CHANNEL = "zalo"
RETRIES_AFTER_429 = 3
LONGEST_WAIT = 30.0  # seconds a 429 is waited out in place; longer goes to the outbox
# Seconds a polled update is still offered to the database after a stop began: Zalo has no
# offset, so an update not kept is lost.
KEEP_PATIENCE = 30.0
# Pieces are cut below Zalo's 2,000 so that emoji, which Zalo may count twice (UTF-16), fit.
PIECE = TEXT_LIMIT - 50
MEDIA = (UpdateKind.IMAGE, UpdateKind.STICKER, UpdateKind.VOICE)


def to_event(update: ZaloUpdate) -> InboundEvent | None:
    """A private message; anything else (groups, other bots, unknown events) is ignored."""
    if not update.private or update.is_bot:
        return None
    common = {"event_id": update.key, "received_at": update.date}
    typed = update.text if update.kind is UpdateKind.TEXT else update.caption
    if update.kind in (UpdateKind.TEXT, *MEDIA) and typed:
        return from_typed_text(CHANNEL, update.chat_id, typed, **common)  # type: ignore[arg-type]
    if update.kind in MEDIA:
        return InboundEvent(CHANNEL, update.chat_id, EventKind.MEDIA, **common)  # type: ignore[arg-type]
    if update.kind is UpdateKind.UNSUPPORTED:
        return InboundEvent(CHANNEL, update.chat_id, EventKind.WITHHELD, **common)  # type: ignore[arg-type]
    return None


def stored(update: ZaloUpdate) -> Payload:
    """What the inbox keeps of an update: enough to read it again, no display name or photo."""
    message: Payload = {
        "message_id": update.message_id,
        "date": int(update.date.timestamp() * 1000),
        "from": {"id": update.user_id, "is_bot": update.is_bot},
        "chat": {"id": update.chat_id, "chat_type": update.chat_type},
    }
    for key, value in (("text", update.text), ("caption", update.caption)):
        if value is not None:
            message[key] = value
    return {"event_name": update.event_name, "message": message}


def accepted(body: object) -> tuple[str, Payload] | None:
    """A webhook body: (key, payload) for an update we handle, None to ignore it, or
    ValueError when it is not a Zalo update at all."""
    update = parse_update(body)
    if update is None:
        raise ValueError("not a Zalo update")
    return (update.message_id, stored(update)) if to_event(update) is not None else None


class ZaloChannel:
    """The Zalo Bot Platform through our small httpx client (bot/channels/zalo_api.py)."""

    name = CHANNEL

    def __init__(self, settings: Settings, clock: Clock, shared: Overall | None = None) -> None:
        """`shared`: the bot's overall rate shared with other processes, if any."""
        assert settings.zalo_bot_token is not None
        token = settings.zalo_bot_token.get_secret_value()
        self.settings, self.clock = settings, clock
        self.limits = Limits(
            text=PIECE,
            buttons=False,
            files=False,
            rate_overall=settings.zalo_rate_overall,
            rate_per_chat=settings.zalo_rate_per_chat,
        )
        self.client = ZaloBotClient(token, settings.zalo_api_url)
        self._pace = SendPace(
            settings.zalo_rate_overall, settings.zalo_rate_per_chat, shared=shared
        )
        self._folder = Path(settings.reports_dir)
        self._key = link_key(token)
        self._stopping = asyncio.Event()
        self._poller: asyncio.Task[None] | None = None

    @property
    def mode(self) -> str:
        return "webhook" if self.settings.zalo_webhook_url else "polling"

    def routes(self, keep: Keep) -> list[BaseRoute]:
        routes: list[BaseRoute] = []
        url, secret = self.settings.zalo_webhook_url, self.settings.zalo_webhook_secret
        if url and secret is not None:
            path = urlsplit(url).path or "/"
            hook = webhook_route(
                path, CHANNEL, SECRET_HEADER, secret.get_secret_value(), accepted, keep
            )
            routes.append(hook)
        if self.settings.public_url:
            routes.append(files_route(self._folder, self._key, self.clock))
        return routes

    async def open(self) -> None:
        return None  # the HTTP client connects on first use

    async def close(self) -> None:
        await self.client.aclose()

    async def start(self, keep: Keep, turn: Turn = always) -> None:
        url, secret = self.settings.zalo_webhook_url, self.settings.zalo_webhook_secret
        if url and secret is not None:
            await self.client.set_webhook(url, secret.get_secret_value())
            return
        await self.client.delete_webhook()  # getUpdates is refused while a webhook is set
        self._poller = asyncio.create_task(self._poll(keep, turn))

    async def stop(self) -> None:
        """Let a poll in flight finish and keep what it brings: getUpdates has no offset,
        so an update handed to a request cut short would be lost."""
        self._stopping.set()
        if self._poller is not None:
            grace = self.settings.zalo_poll_timeout + self.client.timeout + KEEP_PATIENCE + 2
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._poller), grace)
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)

    async def read_document(self, event: InboundEvent) -> InboundEvent:
        # The Bot Platform delivers no files (its events are text, image, sticker, voice and
        # "unsupported"): there is never a document to fetch.
        return event

    def to_event(self, payload: Payload) -> InboundEvent | None:
        update = parse_update(payload)
        return to_event(update) if update is not None else None

    async def send(
        self, user_ref: str, replies: Sequence[OutboundMessage], payload: Payload | None
    ) -> Delivery:
        """Send replies to one chat: SENT, UNREACHABLE (blocked), REFUSED (a 4xx) or the
        name of a transient error, with the pieces not yet sent."""
        pieces = self._pieces(replies)
        sent = 0
        try:
            for piece in pieces:
                await self._call(user_ref, piece)
                sent += 1
        except ZaloForbidden as error:
            if error.bad_token:
                log.error("Zalo refused the bot token")
                return Delivery(type(error).__name__, unsent(pieces, sent))
            return Delivery(UNREACHABLE)
        except ZaloBadRequest as error:
            log.warning("Zalo refused a message: code %s", error.error_code)
            return Delivery(REFUSED)
        except ZaloError as error:
            return Delivery(type(error).__name__, unsent(pieces, sent))
        return Delivery(SENT)

    def _pieces(self, replies: Sequence[OutboundMessage]) -> list[OutboundMessage]:
        """One message each, in order: a chart alone (a photo, its text as the caption);
        everything else joined into as few texts as the limit allows, choices numbered."""
        pieces: list[OutboundMessage] = []
        waiting: list[OutboundMessage] = []
        for reply in replies:
            if reply.image and self.settings.public_url:
                pieces += self._texts(waiting)
                waiting = []
                pieces.append(OutboundMessage(numbered(reply)[:CAPTION_LIMIT], image=reply.image))
            else:
                waiting.append(reply)
        return pieces + self._texts(waiting)

    def _texts(self, replies: list[OutboundMessage]) -> list[OutboundMessage]:
        texts = text_batch(replies, self.limits.text, self._attachment)
        return [OutboundMessage(text) for text in texts]

    def _attachment(self, reply: OutboundMessage) -> str | None:
        link = self._link(reply.document or reply.image, self.clock.now())
        return f"📎 {link}" if link else None

    def _link(self, path: str | None, now: datetime) -> str | None:
        if not path or not self.settings.public_url:
            return None
        return signed_link(self.settings.public_url, self._folder, path, self._key, now)

    async def _call(self, chat_id: str, piece: OutboundMessage) -> None:
        """One message, paced; a 429 is waited out a few times before giving up."""
        photo = self._link(piece.image, self.clock.now())
        for attempt in range(RETRIES_AFTER_429 + 1):
            await self._pace.wait(chat_id)
            try:
                if photo is not None:
                    await self.client.send_photo(chat_id, photo, caption=piece.text or None)
                else:
                    await self.client.send_message(chat_id, piece.text)
                return
            except ZaloRetryAfter as error:
                if attempt == RETRIES_AFTER_429 or error.retry_after > LONGEST_WAIT:
                    raise
                log.warning("Zalo asked to slow down: waiting %.1f s", error.retry_after)
                await asyncio.sleep(error.retry_after)

    async def _poll(self, keep: Keep, turn: Turn) -> None:
        """getUpdates gives one update per call and has no offset: each is kept under its
        message id, so a repeat is ignored by the inbox."""
        await poll_forever(
            self._fetch, partial(self._store, keep), self._stopping, _refused_token, turn
        )

    async def _fetch(self) -> list[ZaloUpdate]:
        return await self.client.get_updates(self.settings.zalo_poll_timeout)

    async def _store(self, keep: Keep, updates: list[ZaloUpdate]) -> bool:
        batch = [(u.key, stored(u)) for u in updates if to_event(u) is not None]
        return (
            not batch or await keep_until_stored(keep, CHANNEL, batch, self._stopping) is not None
        )


def _refused_token(error: Exception) -> bool:
    # Only 401 says the token is wrong; Zalo's 403 also labels server trouble (zalo.md §1.1).
    return isinstance(error, ZaloForbidden) and error.bad_token
