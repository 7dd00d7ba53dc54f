"""The core's TitleBook port: a village leader's named households and clans, and a leader's
CSV import of the titles within their area. Every call re-checks the grant."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from conversations.i18n import ExplainedError
from conversations.plan import FACTS_ON, VILLAGE_ENTERS, unit_name
from conversations.ports import Named
from conversations.roles import MAY_ADD_PLACES, Grant, RoleName
from storage.leadership import SqlLeadership
from storage.models import NamedUnit, OrgUnit
from storage.named_units import NameEntry, named_in, record_names, remove_named, set_recognised
from storage.titles_import import Scope, import_facts

# What a leader may record by CSV: a village leader its households and clans; a commune or
# province leader every title and the association's own columns.
ALL_FACTS = frozenset(metric for metrics in FACTS_ON.values() for metric in metrics)
RECORDS = {
    RoleName.VILLAGE: VILLAGE_ENTERS,
    **{role: ALL_FACTS for role in MAY_ADD_PLACES},
}


@dataclass
class SqlTitleBook:
    leadership: SqlLeadership

    async def named(self, grant: Grant, kind: str, year: int) -> Sequence[Named] | None:
        if not await self._keeps(grant, kind):
            return None
        return await named_in(self.leadership.session, grant.org_id, kind, year)

    async def add_named(
        self, grant: Grant, kind: str, names: Sequence[str], year: int, now: datetime
    ) -> int | None:
        if not await self._keeps(grant, kind):
            return None
        session = self.leadership.session
        before = {n.id for n in await named_in(session, grant.org_id, kind, year)}
        tidy = [unit_name(name) for name in names]
        entries = [NameEntry(grant.org_id, kind, name, year) for name in tidy if name]
        added = {unit.id for unit in await record_names(session, entries, now)}
        return len(added - before)

    async def set_recognised(
        self, grant: Grant, unit_id: int, year: int, recognised: bool, now: datetime
    ) -> bool:
        unit = await self._unit(grant, unit_id)
        if unit is None:
            return False
        await set_recognised(self.leadership.session, unit.id, year, recognised, now)
        return True

    async def remove_named(self, grant: Grant, unit_id: int, year: int) -> bool:
        unit = await self._unit(grant, unit_id)
        if unit is None:
            return False
        await remove_named(self.leadership.session, unit, year)
        return True

    async def import_csv(
        self, grant: Grant, text: str, now: datetime
    ) -> tuple[int, tuple[ExplainedError, ...]] | None:
        session = self.leadership.session
        root = await session.get(OrgUnit, grant.org_id)
        metrics = RECORDS.get(grant.role)
        if root is None or metrics is None or not await self.leadership.holds(grant):
            return None
        result = await import_facts(session, text, now, Scope(root, metrics))
        return result.stored, result.errors

    async def _keeps(self, grant: Grant, kind: str) -> bool:
        """Named units are a village leader's, on their own village."""
        return (
            grant.role == RoleName.VILLAGE
            and kind in VILLAGE_ENTERS
            and await self.leadership.holds(grant)
        )

    async def _unit(self, grant: Grant, unit_id: int) -> NamedUnit | None:
        unit = await self.leadership.session.get(NamedUnit, unit_id)
        if unit is None or unit.village_id != grant.org_id:
            return None
        return unit if await self._keeps(grant, unit.kind) else None
