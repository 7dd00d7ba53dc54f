"""A node of the organisation tree with its ancestors and the two levels below it, read once
for a digest (a province: its communes and their villages and units), so that nothing is
looked up again per row."""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OrgUnit
from storage.scopes import ancestors

PLACE_KINDS = ("village", "unit")  # where people live or work: the leaves of the tree


@dataclass(frozen=True, slots=True)
class Node:
    id: int
    parent_id: int | None
    kind: str  # "country", "province", "commune", "village" or "unit"
    name: str
    population: int | None  # adults of a village or staff of a unit, when known


@dataclass(frozen=True)
class Tree:
    node: Node
    above: tuple[Node, ...]  # the ancestors, nearest first
    below: tuple[Node, ...]  # children and grandchildren, by name

    def children(self, parent_id: int, kinds: Sequence[str]) -> list[Node]:
        """Children of a node of this tree of these kinds, by name."""
        return [n for n in self._children.get(parent_id, ()) if n.kind in kinds]

    def child_ids(self, parent_id: int | None = None) -> list[int]:
        """The ids of the children of the node (or of one of its children)."""
        wanted = self.node.id if parent_id is None else parent_id
        return [n.id for n in self._children.get(wanted, ())]

    def chain(self, node_id: int) -> tuple[Node, ...]:
        """A node of this tree and its ancestors, nearest first."""
        if node_id == self.node.id:
            return (self.node, *self.above)
        found = self._by_id[node_id]
        assert found.parent_id is not None
        return (found, *self.chain(found.parent_id))

    @cached_property
    def _by_id(self) -> dict[int, Node]:
        return {n.id: n for n in self.below}

    @cached_property
    def _children(self) -> dict[int | None, list[Node]]:
        """parent id -> its children in this tree, by name (a province's rows ask 130 times)."""
        found: dict[int | None, list[Node]] = {}
        for n in self.below:
            found.setdefault(n.parent_id, []).append(n)
        return found


def as_node(unit: OrgUnit) -> Node:
    return Node(unit.id, unit.parent_id, unit.kind, unit.name, unit.population)


def subtree_ids(org_id: int, also: Sequence[int] = ()) -> Select[int]:
    """The ids of the node, its children and grandchildren (and of the nodes `also`), as a
    query: a province's 3,000 ids as parameters cost more to send than the query."""
    children = select(OrgUnit.id).where(OrgUnit.parent_id == org_id)
    return select(OrgUnit.id).where(
        or_(
            OrgUnit.id.in_([org_id, *also]),
            OrgUnit.parent_id == org_id,
            OrgUnit.parent_id.in_(children),
        )
    )


async def load_tree(session: AsyncSession, org_id: int) -> Tree | None:
    """The node, its ancestors (a few small reads) and everything two levels below it (one
    read); None when there is no such node."""
    chain = [as_node(unit) for unit in await ancestors(session, org_id)]
    if not chain:
        return None
    children = select(OrgUnit.id).where(OrgUnit.parent_id == org_id)
    query = (
        select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.kind, OrgUnit.name, OrgUnit.population)
        .where(or_(OrgUnit.parent_id == org_id, OrgUnit.parent_id.in_(children)))
        .order_by(OrgUnit.name, OrgUnit.id)
    )
    below = tuple(Node(*row) for row in await session.execute(query))
    return Tree(chain[0], tuple(chain[1:]), below)
