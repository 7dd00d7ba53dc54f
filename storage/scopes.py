"""The organisation tree seen from a role: which nodes and which people it covers."""

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from conversations.roles import Grant, RoleName
from storage.models import OrgUnit, Person

MAX_DEPTH = 6  # country > province > commune > village or unit, with room to spare


async def ancestors(session: AsyncSession, org_id: int) -> list[OrgUnit]:
    """The node and its ancestors, nearest first."""
    chain: list[OrgUnit] = []
    current = await session.get(OrgUnit, org_id)
    while current is not None and len(chain) < MAX_DEPTH:
        chain.append(current)
        current = await session.get(OrgUnit, current.parent_id) if current.parent_id else None
    return chain


async def covers(session: AsyncSession, grant: Grant, org_id: int) -> bool:
    return any(node.id == grant.org_id for node in await ancestors(session, org_id))


def people_of(grant: Grant) -> ColumnElement[bool]:
    """SQL condition: the person belongs to the grant's subtree."""
    if grant.role in (RoleName.VILLAGE, RoleName.UNIT):
        return Person.place_id == grant.org_id
    if grant.role == RoleName.COMMUNE:
        return Person.commune_id == grant.org_id
    commune = aliased(OrgUnit)
    in_province = select(commune.id).where(commune.parent_id == grant.org_id)
    return Person.commune_id.in_(in_province)


def visible() -> ColumnElement[bool]:
    """SQL condition: leaders may see this person's answers and name. Not when they withdrew
    their consent (consent_at is cleared) or had their data erased (Law 91/2025/QH15)."""
    return and_(Person.consent_at.is_not(None), Person.erased_at.is_(None))
