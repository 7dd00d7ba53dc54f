"""Tables. Times are stored in UTC; every fact the bot needs lives here."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OrgUnit(Base):
    """The organisation tree: province > commune > village, residential group or unit."""

    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    search_key: Mapped[str] = mapped_column(String(400))
    # Adults living in a village, or staff of a unit: the base of the yearly targets.
    population: Mapped[int | None] = mapped_column(Integer)


class PlaceLink(Base):
    """An opaque code in an invitation link or QR code that pre-selects a place."""

    __tablename__ = "place_links"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("channel", "user_ref"),
        # Lists for leaders are by place and name: read in order, the first 5,000 stop early.
        Index("ix_people_place_name_name", "place_name", "name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_ref: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(String(100))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    place_name: Mapped[str | None] = mapped_column(String(200))
    target_group: Mapped[str | None] = mapped_column(String(8))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Which consent text the person agreed to (conversations/privacy.py CONSENT_VERSION).
    consent_version: Mapped[str | None] = mapped_column(String(16))
    # Consent taken back (/dulieu): hidden from leaders, counts and reminders from then on.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Erased on request: only an anonymous row for the year's counts is left (README).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The named household ("Gia đình học tập") the person says they belong to, if any.
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("named_units.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Conversation(Base):
    """Where the person is in the dialogue, so a restart continues at the same step."""

    __tablename__ = "conversations"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    step: Mapped[str] = mapped_column(String(40))
    scratch: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AssessmentRow(Base):
    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("person_id", "season"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    season: Mapped[int] = mapped_column(Integer, index=True)
    questionnaire: Mapped[str] = mapped_column(String(32))
    target_group: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), index=True)
    total: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    # Meets the rule (total >= 80, none below 5); the title itself is status "recognised".
    recognised: Mapped[bool] = mapped_column(Boolean)
    digital_level: Mapped[str | None] = mapped_column(String(16))
    # The person says they hold the state's basic digital-skills certificate (VNeID).
    digital_certificate: Mapped[bool | None] = mapped_column(Boolean)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recognised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    return_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AnswerRow(Base):
    """One answer: an indicator score (with its evidence note) or a digital-skills answer."""

    __tablename__ = "answers"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    score: Mapped[int | None] = mapped_column(Integer)
    choice: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class Role(Base):
    """A leader's role over a subtree of the organisation tree."""

    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("person_id", "role", "org_unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(24))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Invite(Base):
    """A single-use, expiring code that grants a role when a person types it."""

    __tablename__ = "invites"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(24))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TargetRow(Base):
    """A yearly target (a share from 0 to 1) set on an organisation node."""

    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("org_unit_id", "year", "metric"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    metric: Mapped[str] = mapped_column(String(32))
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(200))


class OutboxMessage(Base):
    """A message to send that is not a direct reply; the key makes sending idempotent."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    campaign: Mapped[str | None] = mapped_column(String(120), index=True)
    # "21:00-07:00": not sent in these local hours (messages to citizens), else None.
    quiet_hours: Mapped[str | None] = mapped_column(String(11))
    channel: Mapped[str] = mapped_column(String(16))
    user_ref: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(200))


class ScheduleSetting(Base):
    """One setting of the season's calendar on a node, for one year or (year NULL) every year."""

    __tablename__ = "schedule_settings"
    __table_args__ = (UniqueConstraint("org_unit_id", "year", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(64))


class Campaign(Base):
    """A planned fan-out (a reminder round, a weekly digest, a leader's nudge)."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class InboxUpdate(Base):
    """A platform update kept from arrival until handled, so none is lost in a crash."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "update_id"),
        # A person's waiting updates, oldest first: what a worker holding them reads.
        Index("ix_inbox_person_waiting", "channel", "user_ref", "done_at"),
        # Replies stored and not yet marked sent, looked for every second by each worker:
        # a handful of rows, where a month of handled updates would be read otherwise.
        Index(
            "ix_inbox_unsent",
            "done_at",
            sqlite_where=sql_text("replies IS NOT NULL"),
            postgresql_where=sql_text("replies IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Replies stored with the answer, cleared once sent: a crash between the two is mended
    # at the next start by sending them then.
    replies: Mapped[list[Any] | None] = mapped_column(JSON)
    # Who sent it, set when kept (workers claim one person's updates at a time), and who the
    # replies go to.
    user_ref: Mapped[str | None] = mapped_column(String(64))
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ConsentRecord(Base):
    """Each consent given or withdrawn: the text version, when, and on which channel
    (Law 91/2025/QH15 on Personal Data Protection: the controller must be able to prove it)."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # "given" or "withdrawn"
    version: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class AccessRecord(Base):
    """Who looked at whose data: a leader opening a person's answers, or a report with names
    made in the chat or by the operator (`cdht privacy audit` lists them)."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # The leader (None: the operator at the command line).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    via: Mapped[str] = mapped_column(String(16))  # "chat", "cli" or "scheduler"
    screen: Mapped[str] = mapped_column(String(32))
    # Whose answers (None for a report: org_unit_id says which).
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)


class PlanFact(Base):
    """A yearly count against a plan column on one node: of `total` groups or people, `done`
    hold the title or did the work. Group titles of QĐ 387 (households and clans per village;
    a village or unit itself as Cộng đồng / Đơn vị học tập, total 1) and the association's
    own columns (members trained, chairs and officers in the learning centre) are entered by
    leaders, in chat or by CSV."""

    __tablename__ = "plan_facts"
    __table_args__ = (UniqueConstraint("org_unit_id", "year", "metric"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(
        ForeignKey("org_units.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column(Integer)
    metric: Mapped[str] = mapped_column(String(32))
    done: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NamedUnit(Base):
    """A household or clan of a village kept by name (QĐ 387: "Gia đình học tập", "Dòng họ
    học tập"), where the village leader keeps names rather than counts. It counts from the
    year `since`; removing it sets `removed_in`, so earlier years' counts do not change."""

    __tablename__ = "named_units"
    __table_args__ = (UniqueConstraint("village_id", "kind", "search_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    village_id: Mapped[int] = mapped_column(
        ForeignKey("org_units.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # the plan metric: households or clans
    name: Mapped[str] = mapped_column(String(100))
    search_key: Mapped[str] = mapped_column(String(200))
    since: Mapped[int] = mapped_column(Integer)
    removed_in: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NamedUnitTitle(Base):
    """A named household or clan recognised ("công nhận") in a year."""

    __tablename__ = "named_unit_titles"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("named_units.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Lease(Base):
    """A job only one process may do at a time (polling a bot, planning a tick): held by
    `holder` until `expires_at`, renewed while it works, free to take once expired."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SendBudget(Base):
    """One bot's overall send rate shared by every process: each send books the next slot
    (`next_slot_at` moves on by 1/rate), so N senders together keep the platform's limit."""

    __tablename__ = "send_budgets"

    bot: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_slot_at: Mapped[datetime] = mapped_column(UTCDateTime())
