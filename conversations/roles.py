"""Leaders' roles, what each may do, and the data the leader screens show."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from conversations.i18n import Translator


class RoleName(StrEnum):
    VILLAGE = "village_leader"
    UNIT = "unit_leader"
    COMMUNE = "commune_leader"
    PROVINCE = "province_admin"


# The kind of organisation node each role is granted on.
NODE_KIND = {
    RoleName.VILLAGE: "village",
    RoleName.UNIT: "unit",
    RoleName.COMMUNE: "commune",
    RoleName.PROVINCE: "province",
}
# Who may invite whom: only roles below one's own, inside one's own subtree.
MAY_INVITE = {
    RoleName.PROVINCE: (RoleName.COMMUNE, RoleName.VILLAGE, RoleName.UNIT),
    RoleName.COMMUNE: (RoleName.VILLAGE, RoleName.UNIT),
    RoleName.VILLAGE: (),
    RoleName.UNIT: (),
}
# Recognising the title is the commune association's decision (or the province's).
MAY_RECOGNISE = frozenset({RoleName.COMMUNE, RoleName.PROVINCE})
MAY_ADD_PLACES = frozenset({RoleName.COMMUNE, RoleName.PROVINCE})


def role_label(t: Translator, role: RoleName) -> str:
    return {
        RoleName.VILLAGE: t("village association leader"),
        RoleName.UNIT: t("unit association leader"),
        RoleName.COMMUNE: t("commune association leader"),
        RoleName.PROVINCE: t("province administrator"),
    }[role]


@dataclass(frozen=True)
class Grant:
    role: RoleName
    org_id: int
    org_name: str

    @property
    def key(self) -> str:
        return f"{self.role.value}@{self.org_id}"


@dataclass(frozen=True)
class Submission:
    assessment_id: int
    person_name: str
    place: str
    total: int
    status: str
    meets_rule: bool
    channel: str = ""  # the messenger the person uses (one person per messenger account)


@dataclass(frozen=True)
class SubmissionDetail:
    summary: Submission
    season: int
    group: str
    birth_year: int | None
    scores: dict[str, int]
    notes: dict[str, str]
    digital_level: str | None
    submitted_at: datetime | None
    return_reason: str | None
    # Where to tell the citizen about the decision, in their own language.
    channel: str
    user_ref: str
    locale: str
    digital_certificate: bool = False  # says they hold the state's certificate (VNeID)
