"""In-memory ports, so the pure core can be driven without a database."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from conversations.model import default_criteria, default_digital
from conversations.ports import Named, Place, Ports
from conversations.text import fold
from tests.support import FakeClock

COMMUNES = [
    Place(1, "Xã Hải Hậu", "Ninh Bình"),
    Place(2, "Xã Hải Châu", "Nghệ An"),
    Place(3, "Phường Ba Đình", "Thành phố Hà Nội"),
]
PLACES = {1: [Place(11, "Xóm 1"), Place(12, "Trường THCS Hải Hậu")]}
LINKS: dict[str, tuple[int, int | None]] = {"xom1code": (1, 11), "haihau00": (1, None)}


@dataclass
class FakeDirectory:
    communes: list[Place] = field(default_factory=lambda: list(COMMUNES))

    async def households(self, place_id: int) -> Sequence[Named]:
        return []

    async def search_communes(self, query: str, limit: int) -> Sequence[Place]:
        words = fold(query).split()
        return [p for p in self.communes if all(w in fold(p.name).split() for w in words)][:limit]

    async def province_named(self, query: str) -> str | None:
        return next(
            (p.parent_name for p in self.communes if fold(p.parent_name or "") == fold(query)),
            None,
        )

    async def commune(self, commune_id: int) -> Place | None:
        return next((p for p in self.communes if p.id == commune_id), None)

    async def places_in(self, commune_id: int) -> Sequence[Place]:
        return PLACES.get(commune_id, [])

    async def place(self, place_id: int) -> Place | None:
        return next((p for ps in PLACES.values() for p in ps if p.id == place_id), None)

    async def resolve_link(self, code: str) -> tuple[int, int | None] | None:
        return LINKS.get(code)


def fake_ports() -> Ports:
    return Ports(FakeDirectory(), FakeClock(), default_criteria(), default_digital())
