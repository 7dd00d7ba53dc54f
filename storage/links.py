"""Invitation codes for links and QR codes: short, random, never a database id; found again
from what a person types."""

from datetime import datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.codes import new_code, normal_code
from conversations.text import clean_text
from storage.models import Invite, PlaceLink

Coded = TypeVar("Coded", Invite, PlaceLink)


async def create_place_link(session: AsyncSession, org_unit_id: int, now: datetime) -> str:
    """A new code (conversations.codes: 8 characters, fits Telegram's /start payload)."""
    code = await unused_code(session, PlaceLink)
    session.add(PlaceLink(code=code, org_unit_id=org_unit_id, created_at=now))
    await session.flush()
    return code


async def unused_code(session: AsyncSession, model: type[Coded]) -> str:
    while True:
        code = new_code()
        if await session.get(model, code) is None:
            return code


async def by_code(session: AsyncSession, model: type[Coded], typed: str) -> Coded | None:
    """The invite or link a typed code names: first exactly as typed (codes made before
    codes were upper case are case-sensitive and may hold - and _), then in its normal
    form (case, spaces, dashes and look-alike letters forgiven)."""
    exact = clean_text(typed).strip()[:32]  # no NUL: PostgreSQL refuses it in a query
    found = await session.get(model, exact) if exact else None
    normal = normal_code(typed)
    if found is None and normal and normal != exact:
        found = await session.get(model, normal)
    return found
