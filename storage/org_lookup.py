"""Finding an organisation node from what an operator types: an id, a code, or a name."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.i18n import N_, ExplainedError
from conversations.text import fold
from storage.models import OrgUnit


class OrgLookupError(ExplainedError):
    """Nothing, or more than one node, matches; the message says which."""


async def find_org(session: AsyncSession, text: str, kinds: tuple[str, ...] = ()) -> OrgUnit:
    """ "123" (id), "W14215" (code), "Xã Hải Hậu", "Xã Hải Hậu, Ninh Bình" or
    "Xã Hải Hậu/Xóm 3" (a village or unit inside a commune)."""
    text = text.strip()
    if "/" in text:
        parent_text, _, child = text.rpartition("/")
        parent = await find_org(session, parent_text)
        return await _one(session, text, _children(parent.id, child), kinds)
    if text.isdigit():
        unit = await session.get(OrgUnit, int(text))
        if unit is None:
            raise OrgLookupError(N_("no organisation has the id {id}"), id=text[:12])
        return unit
    by_code = (
        await session.execute(select(OrgUnit).where(OrgUnit.code == text))
    ).scalar_one_or_none()
    if by_code is not None:
        return by_code
    name, _, province = text.partition(",")
    query = select(OrgUnit).where(
        OrgUnit.search_key.startswith(fold(name) + " ") | (OrgUnit.search_key == fold(name))
    )
    candidates = [
        u for u in (await session.execute(query)).scalars() if fold(u.name) == fold(name)
    ]
    if province.strip():
        candidates = [u for u in candidates if await _in_province(session, u, province)]
    return _pick(text, candidates, kinds)


async def _one(session: AsyncSession, text: str, query: object, kinds: tuple[str, ...]) -> OrgUnit:
    found = list((await session.execute(query)).scalars())  # type: ignore[call-overload]
    return _pick(text, found, kinds)


def _children(parent_id: int, name: str) -> object:
    return select(OrgUnit).where(OrgUnit.parent_id == parent_id, OrgUnit.search_key == fold(name))


def _pick(text: str, candidates: list[OrgUnit], kinds: tuple[str, ...]) -> OrgUnit:
    if kinds:
        candidates = [u for u in candidates if u.kind in kinds]
    if not candidates:
        raise OrgLookupError(N_("no organisation is named “{name}”"), name=text[:80])
    if len(candidates) > 1:
        listed = "; ".join(f"{u.name} (id {u.id}, {u.code or u.kind})" for u in candidates[:5])
        raise OrgLookupError(
            N_("“{name}” could be several: {listed}. Add the province or use the id."),
            name=text[:80],
            listed=listed,
        )
    return candidates[0]


async def _in_province(session: AsyncSession, unit: OrgUnit, province: str) -> bool:
    parent = await session.get(OrgUnit, unit.parent_id) if unit.parent_id else None
    return parent is not None and fold(parent.name).endswith(fold(province))
