"""The composition root: engine, stores and the dispatch of one event."""

import gc
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.locks import KeyedLocks
from bot.personal_data import FilePrivacy
from bot.report_files import FileReports
from bot.settings import Settings
from conversations.engine import handle, new_state
from conversations.events import InboundEvent, OutboundMessage
from conversations.i18n import N_, Translator, negotiate
from conversations.model import Criteria, DigitalCheck, default_criteria, default_digital
from conversations.ports import Clock, Ports
from storage import inbox
from storage.admin_units import load_admin_units
from storage.db import (
    StoreUnavailableError,
    exclusive,
    make_engine,
    make_sessionmaker,
    unavailable,
    unit_of_work,
)
from storage.directory import SqlDirectory
from storage.leadership import SqlLeadership
from storage.migrate import upgrade
from storage.outbox import SqlOutbox
from storage.repositories import Reachability
from storage.state_store import StateStore
from storage.targets import NATIONAL_FILE, country, load_targets
from storage.title_book import SqlTitleBook

log = logging.getLogger(__name__)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class App:
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    criteria: Criteria = field(default_factory=default_criteria)
    digital: DigitalCheck = field(default_factory=default_digital)

    def __post_init__(self) -> None:
        self.engine = make_engine(self.settings.database_url)
        self.sessions = make_sessionmaker(self.engine)
        self.locks = KeyedLocks()
        # Called after an event's transaction queued outbox messages and committed (a
        # leader's decision tells the citizen): the gateway wakes its outbox sender.
        self.on_queued: Callable[[], None] = _nothing
        self.reports = FileReports(
            Path(self.settings.reports_dir),
            self.criteria,
            self.digital,
            invite_links(self.settings),
        )

    async def prepare_database(self) -> int:
        """Migrate to the newest schema, add missing administrative units and the national
        targets (QĐ 677). Safe when several processes start at once."""
        async with exclusive(self.engine, "prepare-database"):
            await upgrade(self.engine)
            async with unit_of_work(self.sessions) as session:
                added = await load_admin_units(session)
                root = await country(session)
                if root is not None:
                    await load_targets(session, root.id, NATIONAL_FILE)
        settle_start_up()
        return added

    async def close(self) -> None:
        await self.engine.dispose()

    async def dispatch(
        self, event: InboundEvent, update: tuple[str, str] | None = None
    ) -> list[OutboundMessage]:
        """Handle one event in one transaction; replies are returned only after commit.

        `update` is the (channel, update_id) of the inbox row the event came from: it is ticked
        off, with the replies, in the same transaction, and an update handled before gives [].
        Raises StoreUnavailableError while the database is away (the caller retries later); any
        other failure gives the person an apology, and the update counts as handled."""
        try:
            async with self.locks.hold((event.channel, event.user_ref)):
                return await self._handle(event, update)
        except Exception as error:
            if unavailable(error):
                raise StoreUnavailableError from None
            _log_failure(event, error)
            locale = negotiate(event.locale_hint, self.settings.locale)
            apology = [OutboundMessage(Translator(locale)(APOLOGY), error=True)]
            if update is None:
                return apology
            try:
                async with unit_of_work(self.sessions) as session:
                    first = await inbox.handled(
                        session, *update, event.user_ref, apology, self.clock.now()
                    )
            except Exception as failure:
                if unavailable(failure):
                    raise StoreUnavailableError from None
                raise
            return apology if first else []

    def _ports(self, session: AsyncSession, who: tuple[str, str]) -> Ports:
        leadership = SqlLeadership(session, who, self.settings.timezone)
        return Ports(
            directory=SqlDirectory(session),
            clock=self.clock,
            criteria=self.criteria,
            digital=self.digital,
            timezone=self.settings.timezone,
            leadership=leadership,
            titles=SqlTitleBook(leadership),
            reports=self.reports,
            outbox=SqlOutbox(session),
            privacy=FilePrivacy(session, self.settings),
            controller=self.settings.data_controller,
            keep_drafts_days=self.settings.keep_drafts_days,
            keep_messages_days=self.settings.keep_messages_days,
        )

    async def queue_replies(
        self, channel: str, user_ref: str, replies: list[OutboundMessage], key: str
    ) -> None:
        """Replies that could not be sent now go to the outbox, to be retried."""
        async with unit_of_work(self.sessions) as session:
            outbox = SqlOutbox(session)
            for number, reply in enumerate(replies):
                await outbox.put(f"{key}:{number}", channel, user_ref, reply, self.clock.now())

    async def mark_unreachable(self, channel: str, user_ref: str) -> None:
        """The person blocked the bot: remember it, so leaders can see who to visit."""
        async with unit_of_work(self.sessions) as session:
            await Reachability(session).unreachable(channel, user_ref, self.clock.now())

    async def _handle(
        self, event: InboundEvent, update: tuple[str, str] | None
    ) -> list[OutboundMessage]:
        now = self.clock.now()
        async with unit_of_work(self.sessions) as session:
            store = StateStore(session, self.criteria, self.digital)
            loaded = await store.load(event.channel, event.user_ref)
            state = loaded or new_state(event, self.settings.locale)
            ports = self._ports(session, (event.channel, event.user_ref))
            replies, changed = await handle(event, state, ports)
            # A leader's first message may create their row (a role needs a person): then
            # the language they write in must be stored too.
            if changed != state or (loaded is None and await store.exists(event)):
                await store.save(event.channel, event.user_ref, changed, now)
            if update is not None and not await inbox.handled(
                session, *update, event.user_ref, replies, now
            ):
                await session.rollback()  # handled before: nothing of this run is kept
                return []
        if isinstance(ports.outbox, SqlOutbox) and ports.outbox.queued:
            self.on_queued()
        return replies


def _nothing() -> None:
    return None


_settled = False


def settle_start_up() -> None:
    """Once per process, after start-up: what was loaded so far (libraries, the country's
    administrative units, former communes) lives as long as the process, so it is moved out
    of the garbage collector's sight (gc.freeze). Each full collection would otherwise walk
    all of it again: a tenth of a province digest's time went to that."""
    global _settled
    if not _settled:
        _settled = True
        gc.freeze()


def invite_links(settings: Settings) -> dict[str, str]:
    """Per channel, the link template that opens the bot with an invitation code."""
    links = {}
    if settings.telegram_bot_username:
        links["telegram"] = f"https://t.me/{settings.telegram_bot_username}?start={{code}}"
    if settings.zalo_bot_token is not None:
        bot_id = settings.zalo_bot_token.get_secret_value().partition(":")[0]
        links["zalo"] = settings.zalo_invite_link.replace("{bot_id}", bot_id)
    return links


APOLOGY = N_(
    "Sorry, something went wrong on our side. Please try again in a moment, "
    "or type /tiep to see your question again."
)


def _log_failure(event: InboundEvent, error: Exception) -> None:
    # Only the error type and where it happened: messages and arguments may carry personal data.
    frame = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    where = f"{frame.filename}:{frame.lineno}" if frame else "?"
    log.error("failed to handle a %s event: %s at %s", event.channel, type(error).__name__, where)
