"""What a step sees while handling one event, and what it gives back."""

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from conversations.events import OutboundMessage
from conversations.i18n import Translator
from conversations.model import Criteria, DigitalCheck
from conversations.ports import Directory, Ports
from conversations.state import UserState


class InputError(Exception):
    """The person's input does not fit the question; the text says why, translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Chosen:
    value: str


@dataclass(frozen=True)
class Typed:
    text: str


Reply = Chosen | Typed


@dataclass(frozen=True)
class Outcome:
    state: UserState
    notes: tuple[OutboundMessage, ...] = ()
    prompt: bool = True
    brief: bool = False  # the person stays on the same question: remind it, do not repeat it


@dataclass(frozen=True)
class Ctx:
    state: UserState
    ports: Ports
    t: Translator
    now: datetime
    who: tuple[str, str] = ("", "")  # (channel, user_ref) of the person writing

    @property
    def criteria(self) -> Criteria:
        return self.ports.criteria

    @property
    def digital(self) -> DigitalCheck:
        return self.ports.digital

    @property
    def directory(self) -> Directory:
        return self.ports.directory

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(ZoneInfo(self.ports.timezone))

    @property
    def season(self) -> int:
        return self.local_now.year

    def with_state(self, state: UserState) -> "Ctx":
        return replace(self, state=state)

    def outcome(
        self, state: UserState, *notes: str, prompt: bool = True, brief: bool = False
    ) -> Outcome:
        return Outcome(state, tuple(OutboundMessage(note) for note in notes), prompt, brief)
