"""Who looked at whose personal data, and when (Law No. 91/2025/QH15 on Personal Data
Protection asks the controller to be able to show how data was processed)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import AccessRecord, OrgUnit, Person

CHAT = "chat"
CLI = "cli"
SCHEDULER = "scheduler"  # the weekly digest sent to a leader: no one opened a screen


async def record_access(
    session: AsyncSession,
    now: datetime,
    screen: str,
    *,
    actor_id: int | None,
    subject_id: int | None = None,
    org_id: int | None = None,
    via: str = CHAT,
) -> None:
    """One access: actor_id None means the operator at the command line."""
    session.add(
        AccessRecord(
            at=now,
            actor_id=actor_id,
            via=via,
            screen=screen,
            subject_id=subject_id,
            org_unit_id=org_id,
        )
    )
    await session.flush()


@dataclass(frozen=True)
class Access:
    at: datetime
    via: str
    screen: str
    actor: str  # "name (channel:user id)" of the leader, or "operator"
    subject_id: int | None  # the person whose answers were opened (an id, not a name)
    org: str  # the node of the report or of the person


async def audit(session: AsyncSession, org_id: int, limit: int = 1000) -> list[Access]:
    """Accesses to people living in the node's subtree and to reports on nodes in it,
    newest first. Citizens appear by their id only: the audit needs no more."""
    subtree = await _subtree(session, org_id)
    actor, subject = aliased(Person), aliased(Person)
    query = (
        select(AccessRecord, actor, OrgUnit.name)
        .outerjoin(actor, actor.id == AccessRecord.actor_id)
        .outerjoin(subject, subject.id == AccessRecord.subject_id)
        .outerjoin(OrgUnit, OrgUnit.id == AccessRecord.org_unit_id)
        .where(
            or_(
                AccessRecord.org_unit_id.in_(subtree),
                subject.commune_id.in_(subtree),
                subject.place_id.in_(subtree),
                # An export of everyone concerns every node.
                and_(AccessRecord.org_unit_id.is_(None), AccessRecord.subject_id.is_(None)),
            )
        )
        .order_by(AccessRecord.at.desc(), AccessRecord.id.desc())
        .limit(limit)
    )
    return [
        Access(row.at, row.via, row.screen, _actor(row.via, leader), row.subject_id, place or "")
        for row, leader, place in await session.execute(query)
    ]


def _actor(via: str, leader: Person | None) -> str:
    if leader is None:
        # A leader deleted without a trace leaves no row; the operator has none.
        return "operator" if via == CLI else "a deleted person"
    if leader.erased_at is not None:
        return f"erased person #{leader.id}"
    return f"{leader.name or '(no name)'} ({leader.channel}:{leader.user_ref})"


async def _subtree(session: AsyncSession, org_id: int) -> list[int]:
    """The node and everything below it (the tree is at most a few levels deep)."""
    found, frontier = [org_id], [org_id]
    while frontier:
        query = select(OrgUnit.id).where(OrgUnit.parent_id.in_(frontier))
        frontier = list((await session.execute(query)).scalars())
        found += frontier
    return found
