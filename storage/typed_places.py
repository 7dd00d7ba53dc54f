"""Villages and units people typed themselves, with no node in the organisation tree: a
commune leader sees them with how many people typed each, and puts them into the tree, the
people with them (issue 9, item 1)."""

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.ports import TypedPlace
from conversations.text import natural_sorted, place_key
from storage.models import OrgUnit, Person
from storage.scopes import visible


async def typed_places(session: AsyncSession, commune_id: int) -> list[TypedPlace]:
    """Typed places of the commune's people, one per spelling key, most people first."""
    groups: dict[str, list[Person]] = {}
    for person in await _typed_people(session, commune_id):
        groups.setdefault(place_key(person.place_name or ""), []).append(person)
    found = [
        TypedPlace(
            handle=min(person.id for person in people),
            name=Counter(person.place_name for person in people).most_common(1)[0][0] or "",
            people=len(people),
        )
        for people in groups.values()
    ]
    return sorted(natural_sorted(found, lambda place: place.name), key=lambda p: -p.people)


async def attach_typed(session: AsyncSession, commune_id: int, typed: str, node: OrgUnit) -> int:
    """Link the commune's people who typed `typed` (spelling aside) to `node`, under its
    name; returns how many. The caller checks that `node` lies in the commune."""
    key = place_key(typed)
    moved = [p for p in await _typed_people(session, commune_id) if _key(p) == key]
    for person in moved:
        person.place_id, person.place_name = node.id, node.name
    await session.flush()
    return len(moved)


async def child_named(session: AsyncSession, commune_id: int, name: str) -> OrgUnit | None:
    """The commune's village or unit with this name, spelling aside ("Xóm 05" = "xom 5")."""
    query = select(OrgUnit).where(
        OrgUnit.parent_id == commune_id, OrgUnit.kind.in_(("village", "unit"))
    )
    key = place_key(name)
    units = (await session.execute(query)).scalars()
    return next((unit for unit in units if place_key(unit.name) == key), None)


async def _typed_people(session: AsyncSession, commune_id: int) -> Sequence[Person]:
    """People of the commune (who let leaders see their data) with a typed place only."""
    query = select(Person).where(
        Person.commune_id == commune_id,
        Person.place_id.is_(None),
        Person.place_name.is_not(None),
        visible(),
    )
    return (await session.execute(query)).scalars().all()


def _key(person: Person) -> str:
    return place_key(person.place_name or "")
