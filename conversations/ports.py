"""Interfaces the core needs from the outside world; storage/ and bot/ implement them."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from conversations.model import Criteria, DigitalCheck


@dataclass(frozen=True)
class Place:
    """A node of the organisation tree: a commune, a village or a unit."""

    id: int
    name: str
    parent_name: str | None = None


class Directory(Protocol):
    async def search_communes(self, query: str, limit: int) -> Sequence[Place]: ...

    async def commune(self, commune_id: int) -> Place | None: ...

    async def places_in(self, commune_id: int) -> Sequence[Place]: ...

    async def place(self, place_id: int) -> Place | None: ...

    async def resolve_link(self, code: str) -> tuple[int, int | None] | None:
        """An invitation code -> (commune id, village or unit id or None)."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class Ports:
    directory: Directory
    clock: Clock
    criteria: Criteria
    digital: DigitalCheck
    timezone: str = "Asia/Ho_Chi_Minh"
