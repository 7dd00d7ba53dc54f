"""The digest's one grouped query and its roll-up in memory, on a generated province (the
bench's generator, small): every number equals the per-row counts written directly in SQL,
the province's equal the raw GROUP BY (ROLLUP on PostgreSQL), targets and facts found in
memory equal the per-node look-ups, and last year's shares equal last year's own digest."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bench.province_data import NOW, YEAR, Province, generate
from bench.province_digest import raw_numbers
from conversations.digest import Digest, PlaceRow, digest_text, plan_shares
from conversations.i18n import Translator
from storage.db import make_sessionmaker, unit_of_work
from storage.digests import build_digest
from storage.models import OrgUnit
from storage.plan_facts import fact_totals
from storage.targets import target_for
from tests.storage.test_digest_numbers import counted

ZONE = "Asia/Ho_Chi_Minh"
FAR = NOW.replace(year=NOW.year + 1)
# Adults (or staff) to count against: a village's population, else the people registered.
BASE_SQL = """
SELECT COALESCE(SUM(COALESCE(u.population, (SELECT COUNT(*) FROM people p
  WHERE p.place_id = u.id AND p.consent_at IS NOT NULL))), 0)
FROM org_units u WHERE u.kind = :kind AND {where}
"""
UNPLACED_SQL = """
SELECT COUNT(*) FROM people p WHERE p.place_id IS NULL AND p.consent_at IS NOT NULL AND {where}
"""


async def test_grouped_numbers_equal_per_row_sql_up_to_the_province(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        province = await generate(session, people=2500, communes=5)
    async with unit_of_work(sessions) as session:
        whole = await build_digest(session, province.id, YEAR, NOW, ZONE)
        assert whole is not None
        raw = await raw_numbers(session, province.id)
        assert (whole.totals, whole.week_ago) == raw[None]
        assert {r.place_id: r.counts for r in whole.rows if r.counts.registered} == {
            commune: now for commune, (now, _) in raw.items() if commune is not None
        }
        await _check_shares(
            session,
            whole,
            "u.parent_id IN (SELECT id FROM org_units WHERE parent_id = :node)",
            "p.commune_id IN (SELECT id FROM org_units WHERE parent_id = :node)",
        )
        await _check_rows(session, whole)
        for commune in province.communes:
            digest = await build_digest(session, commune, YEAR, NOW, ZONE)
            assert digest is not None
            assert digest.totals == raw[commune][0]
            assert digest.week_ago == raw[commune][1]
            await _check_commune(session, digest, province)


async def _check_commune(session: AsyncSession, digest: Digest, province: Province) -> None:
    for row in digest.rows:
        where = "p.place_id = :u" if row.place_id else "p.commune_id = :c AND p.place_id IS NULL"
        assert row.counts == await counted(session, where, FAR, c=digest.org_id, u=row.place_id)
    assert len(digest.rows) == 1 + sum(1 for p in province.places if p[1] == digest.org_id)
    await _check_shares(session, digest, "u.parent_id = :node", "p.commune_id = :node")
    await _check_rows(session, digest)
    village = next(row for row in digest.rows if row.kind == "village")
    assert village.place_id is not None
    own = await build_digest(session, village.place_id, YEAR, NOW, ZONE)
    assert own is not None
    assert own.rows == (village,)
    assert own.totals == village.counts


async def test_the_weekly_digest_built_without_lists_and_last_year_reads_the_same(
    engine: AsyncEngine,
) -> None:
    """The scheduler builds it with full=False: its text must not need what that leaves out."""
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        province = await generate(session, people=600, communes=2)
    async with unit_of_work(sessions) as session:
        for node in (province.id, *province.communes):
            full = await build_digest(session, node, YEAR, NOW, ZONE)
            weekly = await build_digest(session, node, YEAR, NOW, ZONE, full=False)
            assert full is not None
            assert weekly is not None
            assert full.previous
            assert full.recognised_people
            for t in (Translator("vi"), Translator("en")):
                assert digest_text(t, weekly) == digest_text(t, full)


async def _check_shares(session: AsyncSession, digest: Digest, units: str, people: str) -> None:
    """Bases from the tree, targets and facts from memory, last year from the same pass."""
    values = {"node": digest.org_id}
    unplaced = (await session.execute(text(UNPLACED_SQL.format(where=people)), values)).one()[0]
    for share, kind in ((digest.adults, "village"), (digest.staff, "unit")):
        query = text(BASE_SQL.format(where=units))
        base = (await session.execute(query, {**values, "kind": kind})).scalar_one()
        assert share.whole == int(base) + (unplaced if kind == "village" else 0)
    for metric, share in plan_shares(digest).items():
        assert share.target == await target_for(session, digest.org_id, YEAR, metric), metric
    node = await session.get(OrgUnit, digest.org_id)
    assert node is not None
    recorded = await fact_totals(session, node, YEAR)
    for metric, share in digest.facts:
        assert (share.part, share.whole) == recorded.get(metric, (0, 0)), metric
    last = await build_digest(session, digest.org_id, YEAR - 1, NOW, ZONE, full=False)
    assert last is not None
    assert dict(digest.previous) == plan_shares(last)


async def _check_rows(session: AsyncSession, digest: Digest) -> None:
    for row in digest.rows:
        if row.place_id is None:
            continue
        metric = "cdht_staff" if row.kind == "unit" else "cdht_adults"
        assert row.share.target == await target_for(session, row.place_id, YEAR, metric)
        node = await session.get(OrgUnit, row.place_id)
        assert node is not None
        assert dict(_pairs(row)) == await fact_totals(session, node, YEAR), row.name


def _pairs(row: PlaceRow) -> list[tuple[str, tuple[int, int]]]:
    return [(metric, (done, total)) for metric, done, total in row.facts]
