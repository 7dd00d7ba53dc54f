"""A person's own data: everything stored about them (to see or export), and its erasure on
every table that holds it (Law No. 91/2025/QH15 on Personal Data Protection; Decree
13/2023/NĐ-CP before it). What erasure does to each table is listed in the README."""

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.text import natural_sorted
from storage.models import (
    AccessRecord,
    AnswerRow,
    AssessmentRow,
    ConsentRecord,
    Conversation,
    InboxUpdate,
    Invite,
    NamedUnit,
    OrgUnit,
    OutboxMessage,
    Person,
    Role,
)
from storage.outbox import PENDING

ERASED_CHANNEL = "erased"
PERSON_FIELDS = (
    "channel",
    "user_ref",
    "locale",
    "name",
    "birth_year",
    "place_name",
    "target_group",
    "consent_at",
    "consent_version",
    "withdrawn_at",
    "unreachable_at",
    "created_at",
    "updated_at",
)
ASSESSMENT_FIELDS = (
    "season",
    "questionnaire",
    "target_group",
    "status",
    "total",
    "answered",
    "recognised",
    "digital_level",
    "digital_certificate",
    "started_at",
    "completed_at",
    "submitted_at",
    "confirmed_at",
    "recognised_at",
    "return_reason",
)


async def find_person(session: AsyncSession, channel: str, user_ref: str) -> Person | None:
    query = select(Person).where(Person.channel == channel, Person.user_ref == user_ref)
    return (await session.execute(query)).scalar_one_or_none()


async def collect(session: AsyncSession, channel: str, user_ref: str) -> dict[str, Any] | None:
    """Everything stored about the person, JSON-ready (times as ISO 8601 UTC); None when
    nothing is."""
    person = await find_person(session, channel, user_ref)
    if person is None:
        return None
    data: dict[str, Any] = {"person": _fields(person, PERSON_FIELDS)}
    data["person"]["commune"] = await _unit_name(session, person.commune_id)
    data["person"]["village_or_unit"] = await _unit_name(session, person.place_id)
    household = await session.get(NamedUnit, person.household_id) if person.household_id else None
    data["person"]["household"] = household.name if household else None
    data["assessments"] = await _assessments(session, person.id)
    consents = select(ConsentRecord).where(ConsentRecord.person_id == person.id)
    data["consents"] = [
        _fields(row, ("action", "version", "channel", "at"))
        for row in (await session.execute(consents.order_by(ConsentRecord.id))).scalars()
    ]
    roles = select(Role).where(Role.person_id == person.id)
    data["leader_roles"] = [
        _fields(row, ("role", "org_unit_id", "granted_at", "revoked_at"))
        for row in (await session.execute(roles)).scalars()
    ]
    data["messages"] = [
        _fields(row, ("created_at", "status", "text"))
        for row in (await session.execute(_messages_of(channel, user_ref))).scalars()
    ]
    data["opened_by_leaders"] = await _accesses(session, person.id)
    return data


async def _assessments(session: AsyncSession, person_id: int) -> list[dict[str, Any]]:
    query = select(AssessmentRow).where(AssessmentRow.person_id == person_id)
    found = []
    for row in (await session.execute(query.order_by(AssessmentRow.season))).scalars():
        item = _fields(row, ASSESSMENT_FIELDS)
        answers = select(AnswerRow).where(AnswerRow.assessment_id == row.id)
        # In the order a person answered them: indicator 2 before 10 (SQL sorts text 1, 10, 2).
        rows = natural_sorted((await session.execute(answers)).scalars(), lambda a: a.item_id)
        item["answers"] = [
            _fields(answer, ("item_id", "score", "choice", "note")) for answer in rows
        ]
        found.append(item)
    return found


async def _accesses(session: AsyncSession, person_id: int) -> list[dict[str, Any]]:
    query = select(AccessRecord).where(AccessRecord.subject_id == person_id)
    return [
        _fields(row, ("at", "via", "screen"))
        for row in (await session.execute(query.order_by(AccessRecord.id))).scalars()
    ]


def _messages_of(channel: str, user_ref: str) -> Any:
    return select(OutboxMessage).where(
        OutboxMessage.channel == channel, OutboxMessage.user_ref == user_ref
    )


async def erase(session: AsyncSession, channel: str, user_ref: str, now: datetime) -> int:
    """Erase the person; returns how many anonymous assessment rows were kept.

    Kept, anonymised, so that a year's counts stay right: the person row without name,
    birth year, typed place, household, messenger id or language (commune, village or unit,
    group and consent time stay), and the sent assessment rows without answers, evidence or return
    reason. Erased: answers, drafts, the conversation, leader roles, messages in the outbox
    (pending ones deleted; sent ones emptied, so campaign counts stay right) and the
    person's updates in the inbox. A person who never sent an assessment is deleted
    altogether."""
    person = await find_person(session, channel, user_ref)
    if person is None:
        return 0
    await _erase_messages(session, channel, user_ref, now)
    assessments = select(AssessmentRow.id).where(AssessmentRow.person_id == person.id)
    await session.execute(delete(AnswerRow).where(AnswerRow.assessment_id.in_(assessments)))
    # Drafts were never sent: nothing in a year's report needs them.
    await session.execute(
        delete(AssessmentRow)
        .where(AssessmentRow.person_id == person.id, AssessmentRow.submitted_at.is_(None))
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(AssessmentRow)
        .where(AssessmentRow.person_id == person.id)
        .values(return_reason=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(Conversation).where(Conversation.person_id == person.id))
    await session.execute(delete(Role).where(Role.person_id == person.id))
    for column in (Invite.created_by, Invite.used_by):
        await session.execute(
            update(Invite)
            .where(column == person.id)
            .values({column.key: None})
            .execution_options(synchronize_session=False)
        )
    if person.name:
        # Leaders' digests list people who blocked the bot by name: empty those texts.
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.text.contains(person.name, autoescape=True))
            .values(text="", choices=[])
            .execution_options(synchronize_session=False)
        )
    kept = len((await session.execute(assessments)).all())
    _anonymise(person, now)
    await session.flush()
    if not kept:
        await session.delete(person)
        await session.flush()
    return kept


def _anonymise(person: Person, now: datetime) -> None:
    # A random reference nobody knows: the row can no longer be tied to a messenger account.
    person.channel, person.user_ref = ERASED_CHANNEL, secrets.token_hex(16)
    person.locale = "vi"
    person.name = person.birth_year = person.place_name = person.household_id = None
    person.unreachable_at = person.withdrawn_at = None
    person.erased_at = person.updated_at = now
    person.created_at = now


async def _erase_messages(
    session: AsyncSession, channel: str, user_ref: str, now: datetime
) -> None:
    mine = (OutboxMessage.channel == channel, OutboxMessage.user_ref == user_ref)
    await session.execute(
        delete(OutboxMessage)
        .where(*mine, OutboxMessage.status == PENDING)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(OutboxMessage)
        .where(*mine)
        .values(user_ref=ERASED_CHANNEL, text="", choices=[], last_error=None)
        .execution_options(synchronize_session=False)
    )
    inbox = select(InboxUpdate).where(InboxUpdate.channel == channel)
    for row in (await session.execute(inbox)).scalars():
        if row.user_ref == user_ref or mentions(row.payload, user_ref):
            row.payload, row.user_ref = {}, None
            if row.replies is not None:
                row.replies, row.replied_at = None, now


def mentions(value: Any, user_ref: str) -> bool:
    """Whether a platform update (nested JSON) carries this user id anywhere."""
    if isinstance(value, dict):
        return any(mentions(item, user_ref) for item in value.values())
    if isinstance(value, list):
        return any(mentions(item, user_ref) for item in value)
    return not isinstance(value, bool) and str(value) == user_ref


async def _unit_name(session: AsyncSession, unit_id: int | None) -> str | None:
    unit = await session.get(OrgUnit, unit_id) if unit_id else None
    return unit.name if unit else None


def _fields(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    values = {}
    for name in names:
        value = getattr(row, name)
        values[name] = value.isoformat() if isinstance(value, datetime) else value
    return values
