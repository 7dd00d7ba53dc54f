"""Households and clans kept by name (QĐ 387): their counts replace a village's typed count
of that kind and year, and the digest and the annual report show the same numbers as a
count written directly in SQL on generated data; a chat import stays in the leader's area."""

import random
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.annual_report import write_workbook
from bot.report_files import localised
from conversations.i18n import Translator
from conversations.model import default_criteria, default_digital
from conversations.named_titles import problem_lines
from conversations.plan import VILLAGE_ENTERS
from conversations.text import fold
from storage.db import make_sessionmaker, unit_of_work
from storage.digests import build_digest
from storage.models import NamedUnit, NamedUnitTitle, OrgUnit, PlanFact
from storage.named_units import add_named, named_in, remove_named, set_recognised
from storage.plan_facts import fact_totals, facts_by_place
from storage.titles_import import Scope, import_facts
from tests.storage.leaders_world import commune
from tests.storage.test_digest_numbers import generate

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)

# Per village and kind: the named units counted in :y (added by then, not removed by then),
# else the typed count; summed over a commune.
NAMED_SQL = """
SELECT n.village_id, n.kind, COUNT(t.unit_id), COUNT(n.id)
FROM named_units n
LEFT JOIN named_unit_titles t ON t.unit_id = n.id AND t.year = :y
WHERE n.since <= :y AND (n.removed_in IS NULL OR n.removed_in > :y)
GROUP BY n.village_id, n.kind
"""
TYPED_SQL = "SELECT org_unit_id, metric, done, total FROM plan_facts WHERE year = :y"


async def expected(session: AsyncSession, year: int) -> dict[tuple[int, str], tuple[int, int]]:
    found = {
        (org, metric): (done, total)
        for org, metric, done, total in await session.execute(text(TYPED_SQL), {"y": year})
    }
    for org, kind, done, total in await session.execute(text(NAMED_SQL), {"y": year}):
        found[(org, kind)] = (done, total)
    return found


async def name_villages(session: AsyncSession, rng: random.Random) -> None:
    """Some villages keep names (added in 2025-2027, some removed, some recognised), some
    only typed counts, some both (the names win)."""
    villages = (
        (await session.execute(select(OrgUnit).where(OrgUnit.kind == "village"))).scalars().all()
    )
    for village in villages:
        for kind in sorted(VILLAGE_ENTERS):
            if rng.random() < 0.6:
                done = rng.randint(0, 40)
                session.add(
                    PlanFact(
                        org_unit_id=village.id,
                        year=2026,
                        metric=kind,
                        done=done,
                        total=40,
                        updated_at=NOW,
                    )
                )
            if rng.random() < 0.5:
                await name_some(session, rng, village.id, kind)
    await session.flush()


async def name_some(session: AsyncSession, rng: random.Random, village_id: int, kind: str) -> None:
    for number in range(rng.randint(1, 12)):
        year = rng.choice([2025, 2026, 2026, 2027])
        unit = await add_named(session, village_id, kind, f"Hộ {number}", year, NOW)
        for titled in (2025, 2026):
            await set_recognised(session, unit.id, titled, rng.random() < 0.5, NOW)
        if rng.random() < 0.15:
            await remove_named(session, unit, 2026)


async def test_digest_and_report_count_named_units_like_sql(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        communes = await generate(session, people=60)
        await name_villages(session, random.Random(11))
    async with unit_of_work(sessions) as session:
        assert (await session.execute(select(NamedUnitTitle))).first() is not None
        for year in (2025, 2026):
            wanted = await expected(session, year)
            for c in communes:
                by_place = await facts_by_place(session, c, year)
                mine = {key: value for key, value in wanted.items() if key in by_place}
                assert dict(by_place) == mine
                assert set(by_place) == {
                    key for key in wanted if await _parent(session, key[0]) == c.id
                }
                digest = await build_digest(session, c.id, year, NOW, "Asia/Ho_Chi_Minh")
                assert digest is not None
                shares = dict(digest.facts)
                for kind in VILLAGE_ENTERS:
                    done = sum(v[0] for k, v in mine.items() if k[1] == kind)
                    total = sum(v[1] for k, v in mine.items() if k[1] == kind)
                    assert (shares[kind].part, shares[kind].whole) == (done, total)
                for row in digest.rows:
                    facts = {m: (d, t) for m, d, t in row.facts}
                    for kind in VILLAGE_ENTERS:
                        assert facts.get(kind) == mine.get((row.place_id or 0, kind))
        t = Translator("vi")
        path = write_workbook(
            localised(digest, t, default_criteria(), default_digital()), tmp_path / "r.xlsx", t
        )
        sheet = openpyxl.load_workbook(path)[t("QĐ 387 titles")]
        households = next(
            r for r in sheet.iter_rows(values_only=True) if r[0] == "Gia đình học tập"
        )
        assert households[4:6] == (shares["households"].part, shares["households"].whole)


async def _parent(session: AsyncSession, org_id: int) -> int | None:
    node = await session.get(OrgUnit, org_id)
    return node.parent_id if node is not None else None


async def test_a_name_counts_from_its_year_and_removal_keeps_earlier_years(
    engine: AsyncEngine,
) -> None:
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        hai_hau = await commune(session, "Xã Hải Hậu", "Ninh Bình")
        xom = OrgUnit(parent_id=hai_hau.id, kind="village", name="Xóm 1", search_key="xom 1")
        session.add(xom)
        await session.flush()
        session.add(
            PlanFact(
                org_unit_id=xom.id,
                year=2026,
                metric="households",
                done=85,
                total=120,
                updated_at=NOW,
            )
        )
        an = await add_named(session, xom.id, "households", "Nguyễn Văn An", 2025, NOW)
        binh = await add_named(session, xom.id, "households", "Trần Thị Bình", 2026, NOW)
        again = await add_named(session, xom.id, "households", "nguyen van an", 2026, NOW)
        assert (again.id, again.since) == (an.id, 2025)
        await set_recognised(session, an.id, 2026, True, NOW)
        totals = await fact_totals(session, hai_hau, 2026)
        assert totals["households"] == (1, 2)  # the names, not the typed 85/120
        assert (await fact_totals(session, hai_hau, 2025))["households"] == (0, 1)
        await remove_named(session, an, 2027)
        await remove_named(session, binh, 2026)  # added this year: a typo, gone altogether
        assert await session.get(NamedUnit, binh.id) is None
        assert (await fact_totals(session, hai_hau, 2026))["households"] == (1, 1)
        assert await named_in(session, xom.id, "households", 2027) == []
        assert (await fact_totals(session, hai_hau, 2027)).get("households") is None
        await set_recognised(session, an.id, 2026, False, NOW)
        assert [n.recognised for n in await named_in(session, xom.id, "households", 2026)] == [
            False
        ]


async def test_a_chat_import_stays_in_the_leaders_village(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        hai_hau = await commune(session, "Xã Hải Hậu", "Ninh Bình")
        for name in ("Xóm 1", "Xóm 2"):
            session.add(
                OrgUnit(parent_id=hai_hau.id, kind="village", name=name, search_key=fold(name))
            )
        await session.flush()
        xom1 = (await session.execute(select(OrgUnit).where(OrgUnit.name == "Xóm 1"))).scalar_one()
        scope = Scope(xom1, frozenset(VILLAGE_ENTERS))
        bad = (
            "Nơi;Loại;Năm;Đạt;Tên\n"
            "Xóm 2;Gia đình học tập;2026;1;Lê Văn Cường\n"
            ";members_trained;2026;5;\n"
            ";Đơn vị học tập;2026;1;Trường A\n"
            ";Gia đình học tập;2026;có lẽ;Lê Văn Dũng\n"
            ";Dòng họ học tập;2026;1;1234\n"
        )
        result = await import_facts(session, bad, NOW, scope)
        shown = problem_lines(Translator("vi"), result.errors).splitlines()
        assert shown == [
            "dòng 2: “Xóm 2” không thuộc địa bàn của bạn",
            "dòng 3: bạn không được ghi “members_trained”",
            "dòng 4: bạn không được ghi “Đơn vị học tập”",
            "dòng 5: cột Đạt “có lẽ” phải là 1 (được công nhận) hoặc 0 với hộ hay dòng họ có tên",
            "dòng 6: tên phải có chữ và dài tối đa 100 ký tự",
        ]
        assert (await session.execute(select(NamedUnit))).first() is None
        good = "Loại;Năm;Đạt;Tên\nGia đình;2026;1;Lê Văn Cường\nDòng họ;2026;0;Họ Lê\n"
        result = await import_facts(session, good, NOW, scope)
        assert (result.stored, result.errors) == (2, ())
        totals = await fact_totals(session, hai_hau, 2026)
        assert (totals["households"], totals["clans"]) == ((1, 1), (0, 1))
        wrong = "Loại;Năm;Đạt;Tên\n" + "Gia đình;2026;2;Hộ A\n" * 25
        many = problem_lines(
            Translator("en"), (await import_facts(session, wrong, NOW, scope)).errors
        )
        assert many.splitlines()[-1] == "… and 5 more problems."
        assert len(many.splitlines()) == 21
        empty = await import_facts(session, "Loại;Năm;Đạt\n", NOW, scope)
        assert problem_lines(Translator("en"), empty.errors) == (
            "the file has no lines under its header"
        )
