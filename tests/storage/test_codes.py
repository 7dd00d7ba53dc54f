"""Codes found again from what people type, on SQLite and PostgreSQL: new codes in any case
and spacing, old case-sensitive codes exactly as given, and junk (NUL) simply not found."""

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from conversations.codes import ALPHABET
from conversations.roles import RoleName
from storage.db import make_sessionmaker, unit_of_work
from storage.leadership import create_invite, revoke_invite
from storage.links import by_code, create_place_link
from storage.models import Invite, PlaceLink
from tests.storage.leaders_world import commune

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


async def test_typed_codes_find_their_invite_and_link(engine: AsyncEngine) -> None:
    async with unit_of_work(make_sessionmaker(engine)) as session:
        hai_hau = await commune(session, "Xã Hải Hậu", "Ninh Bình")
        code = await create_invite(session, RoleName.COMMUNE, hai_hau.id, NOW)
        link = await create_place_link(session, hai_hau.id, NOW)
        session.add(
            Invite(
                code="aB3-x_9Q",
                role="commune_leader",
                org_unit_id=hai_hau.id,
                created_at=NOW,
                expires_at=NOW + timedelta(days=7),
            )
        )
        await session.flush()
        assert set(code + link) <= set(ALPHABET)
        for typed in (code, code.lower(), f" {code[:4]}-{code[4:]} ", f"{code[:4]} {code[4:]}"):
            found = await by_code(session, Invite, typed)
            assert found is not None
            assert found.code == code
        found_link = await by_code(session, PlaceLink, link.lower())
        assert found_link is not None
        assert found_link.code == link
        old = await by_code(session, Invite, "aB3-x_9Q")
        assert old is not None
        assert old.code == "aB3-x_9Q"
        for junk in ("", "   ", "\x00", code[:4] + "\x00", "x" * 500):
            assert await by_code(session, Invite, junk) is None
        assert await revoke_invite(session, code.lower(), NOW)
        assert not await revoke_invite(session, code, NOW)
