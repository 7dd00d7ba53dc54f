"""Who to remind, which leaders get digests, and how each campaign went: SQL only."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.campaigns import CampaignCount, Recipient
from conversations.roles import Grant, RoleName
from conversations.state import Status
from storage.models import AssessmentRow, Campaign, OrgUnit, OutboxMessage, Person, Role
from storage.outbox import FAILED, SENT, UNREACHABLE

DONE = (Status.SUBMITTED.value, Status.CONFIRMED.value, Status.RECOGNISED.value)


async def communes_with_people(session: AsyncSession) -> Sequence[int]:
    query = select(Person.commune_id).where(
        Person.commune_id.is_not(None), Person.consent_at.is_not(None)
    )
    return [c for c in (await session.execute(query.distinct())).scalars() if c is not None]


async def unfinished(
    session: AsyncSession, in_scope: object, season: int, channels: Sequence[str]
) -> list[Recipient]:
    """People who agreed, can be reached, and have not sent this season's self-assessment."""
    sent = select(AssessmentRow.person_id).where(
        AssessmentRow.season == season, AssessmentRow.status.in_(DONE)
    )
    query = (
        select(
            Person.id,
            Person.channel,
            Person.user_ref,
            Person.locale,
            func.coalesce(AssessmentRow.answered, 0),
            func.coalesce(AssessmentRow.status == Status.RETURNED.value, False),
            AssessmentRow.digital_level.is_not(None),  # set once every question is answered
        )
        .outerjoin(
            AssessmentRow,
            and_(AssessmentRow.person_id == Person.id, AssessmentRow.season == season),
        )
        .where(
            in_scope,  # type: ignore[arg-type]
            Person.consent_at.is_not(None),
            Person.erased_at.is_(None),
            Person.unreachable_at.is_(None),
            Person.channel.in_(channels),
            not_(Person.id.in_(sent)),
        )
        .order_by(Person.id)
    )
    rows = await session.execute(query)
    return [Recipient(*row[:5], returned=bool(row[5]), digital_done=bool(row[6])) for row in rows]


async def leaders(
    session: AsyncSession, channels: Sequence[str]
) -> list[tuple[int, Grant, Person]]:
    query = (
        select(Role, OrgUnit, Person)
        .join(OrgUnit, OrgUnit.id == Role.org_unit_id)
        .join(Person, Person.id == Role.person_id)
        .where(
            Role.revoked_at.is_(None),
            Person.channel.in_(channels),
            Person.unreachable_at.is_(None),
        )
        .order_by(Role.id)
    )
    rows = await session.execute(query)
    return [
        (role.id, Grant(RoleName(role.role), unit.id, unit.name), person)
        for role, unit, person in rows
    ]


async def open_campaign(
    session: AsyncSession, key: str, kind: str, org_id: int, now: datetime
) -> None:
    if (await session.execute(select(Campaign.id).where(Campaign.key == key))).first() is None:
        session.add(Campaign(key=key, kind=kind, org_unit_id=org_id, created_at=now))
        await session.flush()


async def campaign_counts(
    session: AsyncSession, org_ids: Sequence[int], limit: int = 5
) -> list[CampaignCount]:
    def count(status: str) -> Any:
        return func.coalesce(func.sum(case((OutboxMessage.status == status, 1), else_=0)), 0)

    query = (
        select(
            Campaign.key,
            Campaign.kind,
            Campaign.created_at,
            func.count(OutboxMessage.id),
            count(SENT),
            count(FAILED),
            count(UNREACHABLE),
        )
        .outerjoin(OutboxMessage, OutboxMessage.campaign == Campaign.key)
        .where(Campaign.org_unit_id.in_(org_ids))
        .group_by(Campaign.id, Campaign.key, Campaign.kind, Campaign.created_at)
        .order_by(Campaign.created_at.desc())
        .limit(limit)
    )
    return [CampaignCount(*row) for row in await session.execute(query)]
