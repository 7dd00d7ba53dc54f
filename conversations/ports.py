"""Interfaces the core needs from the outside world; storage/ and bot/ implement them."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from conversations.campaigns import CampaignCount, Recipient
from conversations.digest import Digest
from conversations.events import OutboundMessage
from conversations.i18n import ExplainedError
from conversations.model import Criteria, DigitalCheck
from conversations.roles import Grant, RoleName, Submission, SubmissionDetail
from conversations.schedule import Schedule


@dataclass(frozen=True)
class Place:
    """A node of the organisation tree: a commune, a village or a unit."""

    id: int
    name: str
    parent_name: str | None = None
    kind: str = ""
    # A search found this commune by a pre-2025 unit it took in: "Thị trấn Thịnh Long,
    # Huyện Hải Hậu, Tỉnh Nam Định".
    former: str | None = None


@dataclass(frozen=True)
class TypedPlace:
    """A village or unit people typed themselves, with no node in the tree yet."""

    handle: int  # the lowest id among the people who typed it: names it on a leader's screen
    name: str  # as most of them typed it
    people: int


@dataclass(frozen=True)
class Named:
    """A household or clan kept by name, and whether it is recognised in the year asked."""

    id: int
    name: str
    recognised: bool = False


class Directory(Protocol):
    async def households(self, place_id: int) -> Sequence[Named]:
        """The households a village keeps by name (for a citizen to say which is theirs)."""
        ...

    async def search_communes(self, query: str, limit: int) -> Sequence[Place]: ...

    async def province_named(self, query: str) -> str | None:
        """The province (2025 or pre-2025) whose bare name the query is, e.g. "Nam Định"."""
        ...

    async def commune(self, commune_id: int) -> Place | None: ...

    async def places_in(self, commune_id: int) -> Sequence[Place]: ...

    async def place(self, place_id: int) -> Place | None: ...

    async def resolve_link(self, code: str) -> tuple[int, int | None] | None:
        """An invitation code -> (commune id, village or unit id or None)."""
        ...


class Leadership(Protocol):
    """Leaders' data. Every call re-checks that the grant is still active and that the
    target lies inside its subtree; None or empty means "not allowed" and tells nothing more."""

    async def grants(self, channel: str, user_ref: str) -> Sequence[Grant]: ...

    async def redeem(
        self, code: str, channel: str, user_ref: str, now: datetime
    ) -> Grant | None: ...

    async def invite(
        self, grant: Grant, role: RoleName, org_id: int, now: datetime
    ) -> str | None: ...

    async def places(self, grant: Grant) -> Sequence[Place]: ...

    async def add_place(
        self, grant: Grant, kind: str, name: str, population: int | None
    ) -> Place | None: ...

    async def typed_places(self, grant: Grant) -> Sequence[TypedPlace]:
        """Places people in a commune leader's commune typed that are not in the tree, most
        people first; empty for other roles."""
        ...

    async def attach_typed(self, grant: Grant, typed: str, org_id: int) -> int | None:
        """Put the people of the grant's commune whose typed place is `typed` (spelling
        aside: text.place_key) into the village or unit `org_id`; how many moved, or None
        when the node is not the commune leader's."""
        ...

    async def link_code(self, grant: Grant, org_id: int, now: datetime) -> str | None: ...

    async def queue(
        self, grant: Grant, page: int, size: int
    ) -> tuple[Sequence[Submission], int]: ...

    async def submission(self, grant: Grant, assessment_id: int) -> SubmissionDetail | None: ...

    async def decide(
        self,
        grant: Grant,
        assessment_id: int,
        status: str,
        reason: str | None,
        decided_by: tuple[str, str],
        now: datetime,
    ) -> SubmissionDetail | None: ...

    async def digest(self, grant: Grant, year: int, now: datetime) -> Digest | None: ...

    async def facts(self, grant: Grant, year: int) -> Mapping[tuple[int, str], tuple[int, int]]:
        """(org id, metric) -> (done, total) recorded in the grant's subtree for the year."""
        ...

    async def set_fact(
        self,
        grant: Grant,
        org_id: int,
        year: int,
        metric: str,
        done: int,
        total: int,
        now: datetime,
    ) -> str | None:
        """None when stored; "forbidden"; or why the numbers do not fit (a msgid for t())."""
        ...

    async def schedule(self, grant: Grant, year: int) -> Schedule: ...

    async def set_schedule(self, grant: Grant, year: int, key: str, raw: str) -> bool:
        """Store one setting on the grant's node; raises ScheduleError on a bad value."""
        ...

    async def campaigns(self, grant: Grant) -> Sequence[CampaignCount]: ...

    async def unfinished(self, grant: Grant, season: int) -> Sequence[Recipient]: ...

    async def record_access(
        self, grant: Grant, screen: str, now: datetime, assessment_id: int | None = None
    ) -> None:
        """Keep a record that the acting leader opened a person's answers (assessment_id)
        or produced a report with names of the grant's node (Law 91/2025/QH15: who looked)."""
        ...


class TitleBook(Protocol):
    """A village leader's named households and clans, and any leader's CSV import of the
    titles. Every call re-checks the grant; None or False means "not allowed"."""

    async def named(self, grant: Grant, kind: str, year: int) -> Sequence[Named] | None:
        """The village's named units of `kind` ("households" or "clans") counted in `year`."""
        ...

    async def add_named(
        self, grant: Grant, kind: str, names: Sequence[str], year: int, now: datetime
    ) -> int | None:
        """Keep these names from `year` on; how many were not kept before."""
        ...

    async def set_recognised(
        self, grant: Grant, unit_id: int, year: int, recognised: bool, now: datetime
    ) -> bool: ...

    async def remove_named(self, grant: Grant, unit_id: int, year: int) -> bool:
        """No longer counted from `year` on (earlier years keep it)."""
        ...

    async def import_csv(
        self, grant: Grant, text: str, now: datetime
    ) -> tuple[int, tuple[ExplainedError, ...]] | None:
        """(lines stored, problems): all lines stored or, with any problem, none."""
        ...


class Reports(Protocol):
    """Files for leaders; paths returned are ready to send."""

    async def workbook(self, digest: Digest, locale: str) -> str: ...

    async def chart(self, digest: Digest, locale: str) -> str: ...

    async def qr(self, link: str) -> str: ...

    def invite_links(self, code: str) -> list[str]: ...


class Outbox(Protocol):
    async def put(
        self,
        key: str,
        channel: str,
        user_ref: str,
        message: OutboundMessage,
        now: datetime,
        campaign: str | None = None,
        quiet_hours: str | None = None,
    ) -> bool: ...

    async def open_campaign(self, key: str, kind: str, org_id: int, now: datetime) -> bool:
        """Record a campaign; False when it already exists (it ran before)."""
        ...


class Privacy(Protocol):
    """A person's own data, found by their messenger id."""

    async def export_file(self, channel: str, user_ref: str, now: datetime) -> str | None:
        """Write everything stored about the person to a file; its path, or None when
        nothing is stored."""
        ...

    async def erase(self, channel: str, user_ref: str, now: datetime) -> int:
        """Erase the person's data on every table; returns how many anonymous assessment
        rows were kept for the yearly counts."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class Ports:
    directory: Directory
    clock: Clock
    criteria: Criteria
    digital: DigitalCheck
    timezone: str = "Asia/Ho_Chi_Minh"
    leadership: Leadership | None = None
    titles: TitleBook | None = None
    reports: Reports | None = None
    outbox: Outbox | None = None
    privacy: Privacy | None = None
    controller: str | None = None  # who holds the data (CDHT_DATA_CONTROLLER); None: the commune's
    keep_drafts_days: int = 365
    keep_messages_days: int = 30
