"""Telegram wired to the app: polling or webhook in, per-person order, rate-limited sends."""

import asyncio
import logging
from collections.abc import Coroutine
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.app import App
from bot.channels.telegram import CHANNEL, TEXT_LIMIT, Outgoing, chosen_label, render, to_event
from bot.outbox import deliver
from bot.ratelimit import ChatRateLimiter
from bot.sequencer import Sequencer
from bot.settings import Settings
from bot.webhook import HttpServer, webhook_app
from conversations.commands import COMMANDS
from conversations.events import InboundEvent, OutboundMessage
from conversations.i18n import SUPPORTED, Translator
from storage import inbox
from storage.db import unit_of_work
from storage.outbox import SENT, UNREACHABLE

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
CAPTION_LIMIT = 1024
TelegramApp = Application[Any, Any, Any, Any, Any, Any]


def build_application(settings: Settings, limiter: ChatRateLimiter | None = None) -> TelegramApp:
    assert settings.telegram_bot_token is not None
    root = settings.telegram_api_url.rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .rate_limiter(
            limiter
            or ChatRateLimiter(settings.telegram_rate_overall, settings.telegram_rate_per_chat)
        )
        .concurrent_updates(False)  # _ingest only queues, so order is kept at no cost
        .job_queue(None)  # scheduling is ours (bot/scheduler.py), state in our database
    )
    if settings.telegram_webhook_url:
        builder = builder.updater(None)
    return builder.build()


class TelegramService:
    def __init__(self, app: App, settings: Settings, limiter: ChatRateLimiter | None = None):
        self.app = app
        self.settings = settings
        self.sequencer = Sequencer()
        self.application = build_application(settings, limiter)
        self.application.add_handler(TypeHandler(Update, self._ingest))
        self.application.add_error_handler(self._on_error)
        self.http: HttpServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._kept_early: set[int] = set()  # webhook updates already in the inbox

    @property
    def mode(self) -> str:
        return "webhook" if self.settings.telegram_webhook_url else "polling"

    async def start(self) -> None:
        await self.application.initialize()
        await self.register_commands()
        await self.application.start()
        resumed = await self._resume_unhandled()
        if resumed:
            log.info("handling %d updates left from before a restart", resumed)
        if self.settings.telegram_webhook_url:
            await self._start_webhook(self.settings.telegram_webhook_url)
        else:
            assert self.application.updater is not None
            await self.application.updater.start_polling(
                timeout=self.settings.telegram_poll_timeout, allowed_updates=ALLOWED_UPDATES
            )

    async def stop(self) -> None:
        if self.http is not None:
            await self.http.stop()
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.sequencer.join()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.application.shutdown()

    async def idle(self) -> None:
        """Wait until every update received so far has been handled (tests, shutdown)."""
        await self.application.update_queue.join()
        await self.sequencer.join()

    async def register_commands(self) -> None:
        """The command menu in each language; Vietnamese is also the default."""
        for language in (None, *SUPPORTED):
            t = Translator(language or "vi")
            commands = [BotCommand(c.name, c.describe(t)) for c in COMMANDS if c.public]
            await self.application.bot.set_my_commands(commands, language_code=language)

    async def _start_webhook(self, url: str) -> None:
        secret = self.settings.telegram_webhook_secret
        assert secret is not None
        bot = self.application.bot
        await bot.set_webhook(
            url, secret_token=secret.get_secret_value(), allowed_updates=ALLOWED_UPDATES
        )
        path = urlsplit(url).path or "/"
        server = webhook_app(path, secret.get_secret_value(), self._enqueue_json)
        self.http = HttpServer(server, self.settings.http_host, self.settings.http_port)
        await self.http.start()

    async def _enqueue_json(self, data: dict[str, Any]) -> None:
        """Webhook: written to the inbox before Telegram gets its 200, so a crash after the
        answer loses nothing (a redelivery of a kept update is dropped here)."""
        update = Update.de_json(data, self.application.bot)
        if update is None or to_event(update) is None:
            return
        if await self._keep(update):
            self._kept_early.add(update.update_id)
            await self.application.update_queue.put(update)

    async def _ingest(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Only converts and queues: the person's worker does the rest, in order."""
        if not isinstance(update, Update):
            return
        event = to_event(update)
        if event is None:
            return
        if update.update_id in self._kept_early:
            self._kept_early.discard(update.update_id)
        elif not await self._keep(update):
            return  # already in the inbox: being handled, or handled
        if update.callback_query is not None:
            # Stop the button's spinner at once, not after the person's earlier messages.
            self._background(self._quietly(update.callback_query.answer()))
        self._submit(update, event)

    def _submit(self, update: Update, event: InboundEvent) -> None:
        self.sequencer.submit((CHANNEL, event.user_ref), partial(self._handle_kept, update, event))

    async def _keep(self, update: Update) -> bool:
        """Written down as soon as it arrives. With a webhook that is before Telegram's 200;
        with polling, PTB confirms the offset on its next getUpdates, which can come a few
        milliseconds before this write."""
        async with unit_of_work(self.app.sessions) as session:
            payload = update.to_dict()
            return await inbox.keep(
                session, CHANNEL, str(update.update_id), payload, self.app.clock.now()
            )

    async def _handle_kept(self, update: Update, event: InboundEvent) -> None:
        await self._process(update, event)
        async with unit_of_work(self.app.sessions) as session:
            await inbox.done(session, CHANNEL, str(update.update_id), self.app.clock.now())

    async def _resume_unhandled(self) -> int:
        """Updates that arrived before a crash but were not handled: handle them now."""
        async with unit_of_work(self.app.sessions) as session:
            rows = [
                (row.payload, row.update_id) for row in await inbox.unhandled(session, CHANNEL)
            ]
        for payload, _update_id in rows:
            update = Update.de_json(payload, self.application.bot)
            event = to_event(update) if update is not None else None
            if update is not None and event is not None:
                self._submit(update, event)
        return len(rows)

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _process(self, update: Update, event: InboundEvent) -> None:
        replies = await self.app.dispatch(event)
        if not replies:
            return  # a redelivered update: already answered
        if update.callback_query is not None and not replies[0].error:
            await self._show_choice(update)
        try:
            await self.send(int(event.user_ref), replies)
        except TelegramError as error:
            # Telegram is unreachable for now: the outbox retries later, the reply is kept.
            log.warning("reply not sent (%s): queued for retry", type(error).__name__)
            await self.app.queue_replies(
                CHANNEL, event.user_ref, replies, f"reply:{event.event_id}"
            )
        # A leader's decision may have queued a message for someone else: send it now.
        await deliver(self.app, CHANNEL, self.send_queued)

    async def send_queued(self, user_ref: str, message: OutboundMessage) -> str:
        return SENT if await self.send(int(user_ref), [message]) else UNREACHABLE

    async def send(self, chat_id: int, replies: list[OutboundMessage]) -> bool:
        """Send replies to one chat; False when the person blocked the bot."""
        try:
            for outgoing in render(replies):
                await self._send_one(chat_id, outgoing)
        except Forbidden:
            await self.app.mark_unreachable(CHANNEL, str(chat_id))
            return False
        return True

    async def _send_one(self, chat_id: int, outgoing: Outgoing) -> None:
        bot = self.application.bot
        caption = outgoing.text[:CAPTION_LIMIT]
        if outgoing.document:
            await bot.send_document(chat_id, Path(outgoing.document), caption=caption)
        elif outgoing.image:
            await bot.send_photo(chat_id, Path(outgoing.image), caption=caption)
        else:
            await bot.send_message(chat_id, outgoing.text, reply_markup=outgoing.keyboard)

    async def _show_choice(self, update: Update) -> None:
        """Edit the question to show the answer and drop its buttons: the chat stays readable."""
        query = update.callback_query
        label = chosen_label(update)
        message = query.message if query else None
        text = getattr(message, "text", None)
        if label is None or message is None or not text:
            return
        edited = f"{text}\n\n✅ {label}"[:TEXT_LIMIT]
        edit = self.application.bot.edit_message_text(
            edited, chat_id=message.chat.id, message_id=message.message_id
        )
        await self._quietly(edit)

    async def _quietly(self, call: Any) -> None:
        try:
            await call
        except TelegramError as error:
            log.info("Telegram refused a cosmetic call: %s", type(error).__name__)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        log.error("Telegram handler error: %s", type(error).__name__ if error else "unknown")


__all__ = ["TelegramError", "TelegramService", "build_application"]
