"""What the bot remembers about one person: profile, this season's answers, the step."""

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    RECOGNISED = "recognised"
    RETURNED = "returned"


@dataclass(frozen=True)
class Profile:
    name: str | None = None
    birth_year: int | None = None
    commune_id: int | None = None
    commune_name: str | None = None
    place_id: int | None = None
    place_name: str | None = None
    household_id: int | None = None  # the named household the person belongs to, if said
    household_name: str | None = None
    group: str | None = None
    consent_at: datetime | None = None
    consent_version: str | None = None  # which consent text was agreed to
    withdrawn_at: datetime | None = None  # consent taken back (/dulieu)

    @property
    def missing(self) -> str | None:
        """The first registration step still to answer, or None when complete."""
        if self.name is None:
            return "name"
        if self.birth_year is None:
            return "birth_year"
        if self.commune_id is None:
            return "commune"
        if self.place_name is None:
            return "place"
        return None


@dataclass(frozen=True)
class Assessment:
    season: int
    questionnaire: str
    group: str
    scores: dict[str, int] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    digital: dict[str, str] = field(default_factory=dict)
    certified: bool = False  # says they hold the state's digital-skills certificate (VNeID)
    status: Status = Status.DRAFT
    started_at: datetime | None = None
    submitted_at: datetime | None = None
    return_reason: str | None = None  # why a leader sent it back, shown until it is resent

    @property
    def editable(self) -> bool:
        return self.status in (Status.DRAFT, Status.RETURNED)


@dataclass(frozen=True)
class UserState:
    """Everything the engine needs for one person; storage keeps every field."""

    locale: str
    step: str = "new"
    profile: Profile = field(default_factory=Profile)
    assessment: Assessment | None = None
    candidates: tuple[int, ...] = ()
    proposed_group: str | None = None
    return_to: str | None = None
    resume_step: str | None = None
    preset: tuple[int, ...] = ()  # (commune id[, place id]) from an invitation link
    acting: str | None = None  # the leader grant in use (Grant.key), while in leader screens
    citizen_step: str | None = None  # where to return when leaving the leader screens
    erased: bool = False  # the person's data was just erased: nothing is to be saved again

    def at(self, step: str, **changes: object) -> "UserState":
        return replace(self, step=step, **changes)  # type: ignore[arg-type]

    def next(self, default: str) -> "UserState":
        """Go on to `default`, or back to where a change started (the result)."""
        return self.at(self.return_to, return_to=None) if self.return_to else self.at(default)

    def with_profile(self, **changes: object) -> "UserState":
        return replace(self, profile=replace(self.profile, **changes))  # type: ignore[arg-type]

    def with_assessment(self, **changes: object) -> "UserState":
        assert self.assessment is not None
        return replace(self, assessment=replace(self.assessment, **changes))  # type: ignore[arg-type]
