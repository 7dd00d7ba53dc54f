"""The organisation tree as the core's Directory port: commune search, villages and units."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.ports import Place
from conversations.text import fold
from storage.models import OrgUnit, PlaceLink


@dataclass
class SqlDirectory:
    """The organisation tree as the core's Directory port."""

    session: AsyncSession

    async def search_communes(self, query: str, limit: int) -> Sequence[Place]:
        words = fold(query).split()
        if not words:
            return []
        statement = select(OrgUnit).where(OrgUnit.kind == "commune")
        for word in words:
            # Each word must begin a word of the name: "hau" finds "Hải Hậu", not "Hải Châu".
            spaced_key = literal(" ") + OrgUnit.search_key
            statement = statement.where(spaced_key.contains(" " + word, autoescape=True))
        found = (await self.session.execute(statement.limit(200))).scalars().all()
        ranked = sorted(found, key=lambda unit: _rank(unit, " ".join(words)))[:limit]
        return [await self._place(unit) for unit in ranked]

    async def commune(self, commune_id: int) -> Place | None:
        unit = await self.session.get(OrgUnit, commune_id)
        if unit is None or unit.kind != "commune":
            return None
        return await self._place(unit)

    async def places_in(self, commune_id: int) -> Sequence[Place]:
        query = (
            select(OrgUnit)
            .where(OrgUnit.parent_id == commune_id, OrgUnit.kind.in_(("village", "unit")))
            .order_by(OrgUnit.kind, OrgUnit.name)
        )
        units = (await self.session.execute(query)).scalars().all()
        return [Place(unit.id, unit.name) for unit in units]

    async def place(self, place_id: int) -> Place | None:
        unit = await self.session.get(OrgUnit, place_id)
        if unit is None or unit.kind not in ("village", "unit"):
            return None
        return Place(unit.id, unit.name)

    async def resolve_link(self, code: str) -> tuple[int, int | None] | None:
        link = await self.session.get(PlaceLink, code[:32])
        if link is None or link.revoked_at is not None:
            return None
        unit = await self.session.get(OrgUnit, link.org_unit_id)
        if unit is None:
            return None
        if unit.kind == "commune":
            return unit.id, None
        return (unit.parent_id, unit.id) if unit.parent_id else None

    async def _place(self, unit: OrgUnit) -> Place:
        parent = await self.session.get(OrgUnit, unit.parent_id) if unit.parent_id else None
        return Place(unit.id, unit.name, parent.name if parent else None)


_DIVISION_PREFIX = re.compile(r"^(xa|phuong|dac khu) ")


def _rank(unit: OrgUnit, query: str) -> tuple[int, int, str]:
    """Exact name first, then names that start with the query, then the rest; short first."""
    name = fold(unit.name)
    bare = _DIVISION_PREFIX.sub("", name)
    words = bare.split()
    if query in (bare, name):
        closeness = 0
    elif bare.startswith(query):
        closeness = 1
    elif all(any(w.startswith(q) for w in words) for q in query.split()):
        closeness = 2
    else:
        closeness = 3
    return closeness, len(unit.name), unit.name
