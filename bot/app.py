"""The composition root: engine, stores and the dispatch of one event."""

import logging
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.locks import KeyedLocks
from bot.settings import Settings
from conversations.engine import handle, new_state
from conversations.events import InboundEvent, OutboundMessage
from conversations.i18n import N_, Translator, negotiate
from conversations.model import Criteria, DigitalCheck, default_criteria, default_digital
from conversations.ports import Clock, Ports
from storage.admin_units import load_admin_units
from storage.db import make_engine, make_sessionmaker, unit_of_work
from storage.directory import SqlDirectory
from storage.migrate import upgrade
from storage.repositories import EventLog, Reachability, StateStore

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

    async def prepare_database(self) -> int:
        """Migrate to the newest schema and add any missing administrative units."""
        await upgrade(self.engine)
        async with unit_of_work(self.sessions) as session:
            return await load_admin_units(session)

    async def close(self) -> None:
        await self.engine.dispose()

    async def dispatch(self, event: InboundEvent) -> list[OutboundMessage]:
        """Handle one event in its own transaction; replies are returned only after commit."""
        try:
            async with self.locks.hold((event.channel, event.user_ref)):
                return await self._handle(event)
        except Exception as error:
            _log_failure(event, error)
            locale = negotiate(event.locale_hint, self.settings.locale)
            return [OutboundMessage(Translator(locale)(APOLOGY))]

    async def mark_unreachable(self, channel: str, user_ref: str) -> None:
        """The person blocked the bot: remember it, so leaders can see who to visit."""
        async with unit_of_work(self.sessions) as session:
            await Reachability(session).unreachable(channel, user_ref, self.clock.now())

    async def _handle(self, event: InboundEvent) -> list[OutboundMessage]:
        now = self.clock.now()
        async with unit_of_work(self.sessions) as session:
            if event.event_id and not await EventLog(session).first_time(
                event.channel, event.event_id, now
            ):
                return []
            store = StateStore(session, self.criteria, self.digital)
            state = await store.load(event.channel, event.user_ref)
            if state is None:
                state = new_state(event, self.settings.locale)
            ports = Ports(
                SqlDirectory(session),
                self.clock,
                self.criteria,
                self.digital,
                self.settings.timezone,
            )
            replies, changed = await handle(event, state, ports)
            if changed != state:
                await store.save(event.channel, event.user_ref, changed, now)
        return replies


APOLOGY = N_("Sorry, something went wrong on our side. Please try again in a moment.")


def _log_failure(event: InboundEvent, error: Exception) -> None:
    # Only the error type and where it happened: messages and arguments may carry personal data.
    frame = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    where = f"{frame.filename}:{frame.lineno}" if frame else "?"
    log.error("failed to handle a %s event: %s at %s", event.channel, type(error).__name__, where)
