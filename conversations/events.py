"""Channel-neutral events: what a person sent, and what the bot answers."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from conversations.text import clean_text, clean_typed


class EventKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    COMMAND = "command"
    MEDIA = "media"  # a picture, sticker or voice note: nothing to read as an answer
    WITHHELD = "withheld"  # the messenger did not pass the message on (Zalo, protected users)
    DOCUMENT = "document"  # a file sent as a document: its text, once the channel read it


@dataclass(frozen=True)
class InboundEvent:
    channel: str
    user_ref: str
    kind: EventKind
    text: str = ""
    choice_id: str = ""
    command: str = ""
    args: tuple[str, ...] = ()
    locale_hint: str | None = None
    event_id: str | None = None
    received_at: datetime | None = None
    # A DOCUMENT: the platform's reference to fetch it by, and its text once fetched (None:
    # not fetched, or not readable as text).
    file_ref: str = ""
    document: str | None = None

    def __post_init__(self) -> None:
        # Whatever a platform delivers (NUL, control characters, lone surrogates) is cleaned
        # here, once for every channel, before anything can be stored.
        for name in ("user_ref", "text", "choice_id", "command"):
            object.__setattr__(self, name, clean_text(getattr(self, name)))
        object.__setattr__(self, "args", tuple(clean_text(arg) for arg in self.args))
        if self.document is not None:
            object.__setattr__(self, "document", clean_text(self.document))


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    nav: bool = False  # a navigation button (back); typed commands do the same on any channel


@dataclass(frozen=True)
class OutboundMessage:
    text: str
    choices: tuple[Choice, ...] = ()
    document: str | None = None
    image: str | None = None
    error: bool = False  # the input was refused; nothing changed


def from_typed_text(
    channel: str,
    user_ref: str,
    text: str,
    *,
    locale_hint: str | None = None,
    event_id: str | None = None,
    received_at: datetime | None = None,
) -> InboundEvent:
    """A typed line: "/sua 3" becomes a command, anything else stays text."""
    # Some Vietnamese keyboards send decomposed accents (NFD), and pasted texts carry
    # invisible characters: keep one visible form only.
    text = clean_typed(text)
    stripped = text.strip()
    if stripped.startswith("/") and len(stripped) > 1:
        head, *args = stripped[1:].split()
        command = head.split("@", 1)[0].lower()
        return InboundEvent(
            channel,
            user_ref,
            EventKind.COMMAND,
            text=text,
            command=command,
            args=tuple(args),
            locale_hint=locale_hint,
            event_id=event_id,
            received_at=received_at,
        )
    return InboundEvent(
        channel,
        user_ref,
        EventKind.TEXT,
        text=text,
        locale_hint=locale_hint,
        event_id=event_id,
        received_at=received_at,
    )
