"""Invitation codes for links and QR codes: short, random, never a database id."""

import secrets
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PlaceLink

CODE_BYTES = 6  # 8 URL-safe characters: fits Telegram's /start payload (64 chars, A-Za-z0-9_-)


async def create_place_link(session: AsyncSession, org_unit_id: int, now: datetime) -> str:
    while True:
        code = secrets.token_urlsafe(CODE_BYTES)
        if await session.get(PlaceLink, code) is None:
            session.add(PlaceLink(code=code, org_unit_id=org_unit_id, created_at=now))
            await session.flush()
            return code
