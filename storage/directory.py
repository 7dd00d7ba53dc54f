"""The organisation tree as the core's Directory port: commune search, villages and units."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.ports import Named, Place
from conversations.text import fold, natural_sorted
from storage.former import former_provinces, matching_former
from storage.links import by_code
from storage.models import OrgUnit, PlaceLink
from storage.named_units import households_of


@dataclass
class SqlDirectory:
    """The organisation tree as the core's Directory port."""

    session: AsyncSession

    async def households(self, place_id: int) -> Sequence[Named]:
        return await households_of(self.session, place_id)

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
        # Natural order first, so that equally close names stay "Phường 2" before "Phường 10".
        named = natural_sorted(found, lambda unit: unit.name)
        ranked = sorted(named, key=lambda unit: _rank(unit, " ".join(words)))[:limit]
        return [await self._found(unit, query) for unit in ranked]

    async def province_named(self, query: str) -> str | None:
        bare = _PROVINCE_PREFIX.sub("", fold(query))
        if not bare:
            return None
        statement = select(OrgUnit.name).where(OrgUnit.kind == "province")
        for name in (await self.session.execute(statement)).scalars():
            if _PROVINCE_PREFIX.sub("", fold(name)) == bare:
                return name
        if bare in former_provinces():
            return query.strip()
        return None

    async def _found(self, unit: OrgUnit, query: str) -> Place:
        """A search result; when only a former unit's name matched, it says which."""
        place = await self._place(unit)
        own = f"{fold(unit.name)} {fold(place.parent_name or '')}".split()
        if all(any(word.startswith(typed) for word in own) for typed in fold(query).split()):
            return place
        former = matching_former(int(unit.code[1:]), query) if unit.code else None
        return replace(place, former=former.label if former else None)

    async def commune(self, commune_id: int) -> Place | None:
        unit = await self.session.get(OrgUnit, commune_id)
        if unit is None or unit.kind != "commune":
            return None
        return await self._place(unit)

    async def places_in(self, commune_id: int) -> Sequence[Place]:
        query = select(OrgUnit).where(
            OrgUnit.parent_id == commune_id, OrgUnit.kind.in_(("village", "unit"))
        )
        units = (await self.session.execute(query)).scalars().all()
        ordered = sorted(natural_sorted(units, lambda unit: unit.name), key=lambda u: u.kind)
        return [Place(unit.id, unit.name) for unit in ordered]

    async def place(self, place_id: int) -> Place | None:
        unit = await self.session.get(OrgUnit, place_id)
        if unit is None or unit.kind not in ("village", "unit"):
            return None
        return Place(unit.id, unit.name)

    async def resolve_link(self, code: str) -> tuple[int, int | None] | None:
        link = await by_code(self.session, PlaceLink, code)
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
_PROVINCE_PREFIX = re.compile(r"^(tinh|thanh pho|tp) ")


def _rank(unit: OrgUnit, query: str) -> tuple[int, int, int]:
    """Exact name first, then names that start with the query, then names holding every
    word, then by how many typed words the name holds (the rest came from its province or
    former units); short first."""
    name = fold(unit.name)
    bare = _DIVISION_PREFIX.sub("", name)
    words = name.split()
    typed = query.split()
    missing = sum(1 for q in typed if not any(w.startswith(q) for w in words))
    if query in (bare, name):
        closeness = 0
    elif bare.startswith(query):
        closeness = 1
    elif not missing:
        closeness = 2
    else:
        closeness = 3
    return closeness, missing, len(unit.name)
