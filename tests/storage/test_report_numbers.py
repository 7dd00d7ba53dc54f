"""The annual report read back with openpyxl, on a generated commune with both programmes:
every plan column's target, count, share, gap and last year equal counts written directly in
SQL; the cover has the header and the signature block; people still working are listed."""

import math
import random
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.annual_report import write_workbook
from bot.report_files import localised
from conversations.digest import digest_text
from conversations.i18n import Translator
from conversations.model import default_criteria, default_digital
from conversations.plan import BY_ID, QD387, QD677, programme_metrics
from storage.db import make_sessionmaker, unit_of_work
from storage.digests import build_digest
from storage.models import OrgUnit
from storage.plan_facts import set_fact
from storage.targets import DATA_DIR, load_targets
from tests.storage.test_digest_numbers import generate

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
PLAN = DATA_DIR / "targets-hai-hau-plan.toml"


async def record_facts(session: AsyncSession, commune: OrgUnit, seed: int = 3) -> None:
    """Titles per village and unit and the association's numbers, for 2025 and 2026."""
    rng = random.Random(seed)
    children = (
        await session.execute(
            text("SELECT id FROM org_units WHERE parent_id = :c"), {"c": commune.id}
        )
    ).scalars()
    for child_id in list(children):
        node = await session.get(OrgUnit, child_id)
        assert node is not None
        for year in (2025, 2026):
            if node.kind == "village":
                for metric in ("households", "clans"):
                    total = rng.randint(5, 300)
                    await set_fact(session, node, year, metric, rng.randint(0, total), total, NOW)
                await set_fact(session, node, year, "communities", rng.randint(0, 1), 1, NOW)
            else:
                await set_fact(session, node, year, "units", rng.randint(0, 1), 1, NOW)
    for year in (2025, 2026):
        for metric in ("members_trained", "members_briefed", "chairs_cltc", "officers_cltc"):
            total = rng.randint(1, 400)
            await set_fact(session, commune, year, metric, rng.randint(0, total), total, NOW)


FACT_SQL = """
SELECT SUM(f.done), SUM(f.total) FROM plan_facts f
WHERE f.metric = :m AND f.year = :y
  AND (f.org_unit_id = :c OR f.org_unit_id IN (SELECT id FROM org_units WHERE parent_id = :c))
"""
RECOGNISED_SQL = """
SELECT COUNT(*) FROM people p JOIN assessments a ON a.person_id = p.id AND a.season = :y
LEFT JOIN org_units u ON u.id = p.place_id
WHERE p.commune_id = :c AND p.consent_at IS NOT NULL AND a.status = 'recognised'
  AND COALESCE(u.kind, 'village') = :kind
"""


async def sql_pair(
    session: AsyncSession, commune: OrgUnit, metric: str, year: int
) -> tuple[int, int]:
    if metric in ("cdht_adults", "cdht_staff"):
        kind = "village" if metric == "cdht_adults" else "unit"
        part = (
            await session.execute(text(RECOGNISED_SQL), {"y": year, "c": commune.id, "kind": kind})
        ).scalar_one()
        return int(part), -1  # the base (population or registered) is checked by the digest test
    row = (await session.execute(text(FACT_SQL), {"m": metric, "y": year, "c": commune.id})).one()
    return int(row[0] or 0), int(row[1] or 0)


async def test_report_of_both_programmes_matches_direct_sql(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        communes = await generate(session, people=800)
        commune = communes[0]
        await record_facts(session, commune)
        await load_targets(session, commune.id, PLAN)
    async with unit_of_work(sessions) as session:
        digest = await build_digest(session, commune.id, 2026, NOW, "Asia/Ho_Chi_Minh")
        assert digest is not None
        t = Translator("vi")
        path = write_workbook(
            localised(digest, t, default_criteria(), default_digital()), tmp_path / "r.xlsx", t
        )
        book = openpyxl.load_workbook(path)
        assert book.sheetnames[:4] == [
            "Báo cáo",
            "Tổng hợp",
            "QĐ 387 - Mô hình học tập",
            "QĐ 677 - Công dân học tập",
        ]
        cover = {
            row[0].value: row[1].value
            for row in book["Báo cáo"].iter_rows(min_row=4)
            if row[0].value
        }
        assert cover["Hội"] == "Hội Khuyến học Xã Hải Hậu"
        assert cover["Xã/phường"] == "Xã Hải Hậu"
        assert cover["Tỉnh/thành phố"] == "Ninh Bình"
        assert cover["Năm"] == 2026
        assert cover["Hạn gửi báo cáo"] == "10/12/2026"
        assert "Người lập biểu" in cover
        assert book["Tổng hợp"]["A4"].value == "Nội dung"  # "Indicator" is not "Chỉ tiêu"
        for programme, name in (
            (QD387, "QĐ 387 - Mô hình học tập"),
            (QD677, "QĐ 677 - Công dân học tập"),
        ):
            sheet = book[name]
            assert [c.value for c in sheet[2]][:8] == [
                "Nội dung theo kế hoạch",
                "Mục tiêu",
                "Năm mục tiêu",
                "Mục tiêu theo",
                "Số lượng",
                "Trên tổng số",
                "Tỷ lệ",
                "Còn thiếu so với mục tiêu",
            ]
            rows = {row[0].value: [c.value for c in row] for row in sheet.iter_rows(min_row=3)}
            vi = Translator("vi")
            assert list(rows) == [m.heading(vi) for m in programme_metrics(programme)]
            # Every row is labelled by the plan's heading or our translated label, never by
            # a note about the plan (a "(văn bản, không có cột) …" once leaked in).
            assert all(label and not label.startswith("(") for label in rows), list(rows)
            for metric in programme_metrics(programme):
                if metric.id in ("digital_basic", "digital_proficient"):
                    continue  # shares of the recognised, checked by the digest test
                row = rows[metric.heading(vi)]
                part, whole = await sql_pair(session, commune, metric.id, 2026)
                assert row[4] == part, metric.id
                if whole >= 0:
                    assert row[5] == whole, metric.id
                whole = row[5]
                assert row[6] == (pytest.approx(part / whole) if whole else None)
                target = row[1]
                assert target is not None, metric.id  # every column has this year's target
                assert "huyện Hải Hậu cũ" in row[3]
                assert row[7] == max(0, math.ceil(round(target * whole, 6)) - part), metric.id
                last_part, _ = await sql_pair(session, commune, metric.id, 2025)
                assert row[9] == last_part, metric.id
        by_place = {
            row[0].value: [c.value for c in row]
            for row in book["Danh hiệu theo thôn, đơn vị"].iter_rows(min_row=2)
        }
        villages = await session.execute(
            text(
                "SELECT u.name, f.done, f.total FROM plan_facts f JOIN org_units u "
                "ON u.id = f.org_unit_id WHERE f.year = 2026 AND f.metric = 'households' "
                "AND u.parent_id = :c"
            ),
            {"c": commune.id},
        )
        for name, done, total in villages:
            assert by_place[name][1:3] == [done, total], name
        for row in digest.rows:
            if row.kind == "unit" and row.share.whole:
                needed = math.ceil(round(0.9 * row.share.whole, 6)) - row.share.part
                assert by_place[row.name][8] == max(0, needed), row.name
        started = book["Đang làm dở"]
        count = (
            await session.execute(
                text(
                    "SELECT COUNT(*) FROM people p JOIN assessments a ON a.person_id = p.id "
                    "AND a.season = 2026 WHERE p.commune_id = :c AND p.consent_at IS NOT NULL "
                    "AND a.status IN ('draft', 'returned')"
                ),
                {"c": commune.id},
            )
        ).scalar_one()
        assert started.max_row - 1 == count
        left = {row[4].value for row in started.iter_rows(min_row=2)}
        whole = {"bị trả lại để sửa: sửa rồi gửi lại", "phần kỹ năng số và bấm gửi"}
        whole |= {"chỉ còn bấm gửi"}  # every indicator and digital question answered
        whole |= {f"{n} chỉ số và bấm gửi" for n in range(1, 11)}
        whole |= {f"{n} chỉ số, phần kỹ năng số và bấm gửi" for n in range(1, 11)}
        assert left <= whole
        assert book["Biểu đồ"]._images  # the chart is inside the workbook
        province = await build_digest(session, commune.parent_id or 0, 2026, NOW, "UTC")
        assert province is not None
        rolled = dict(province.facts)["households"]
        grand = await session.execute(
            text(
                "SELECT SUM(done), SUM(total) FROM plan_facts WHERE year = 2026 AND "
                "metric = 'households' AND org_unit_id IN (SELECT id FROM org_units WHERE "
                "parent_id IN (SELECT id FROM org_units WHERE parent_id = :p))"
            ),
            {"p": commune.parent_id},
        )
        assert (rolled.part, rolled.whole) == tuple(int(v) for v in grand.one())
    assert BY_ID["units"].column == "Đơn vị học tập"


async def test_the_digest_leads_with_people_to_the_target_and_keeps_to_what_a_leader_can_do(
    engine: AsyncEngine,
) -> None:
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        communes = await generate(session, people=600)
        commune = communes[0]
        await load_targets(session, commune.id, PLAN)
    en = Translator("en")
    async with unit_of_work(sessions) as session:
        digest = await build_digest(session, commune.id, 2026, NOW, "UTC")
        assert digest is not None
        recognised_adults = (
            await session.execute(
                text(RECOGNISED_SQL), {"y": 2026, "c": commune.id, "kind": "village"}
            )
        ).scalar_one()
        assert digest.adults.part == recognised_adults
        short = math.ceil(round(0.5 * digest.adults.whole, 6)) - recognised_adults
        lines = digest_text(en, digest).splitlines()
        assert lines[2] == (
            f"Adults in villages with the title: {short} more people to reach the target "
            "2026 (50%)."
        )
        assert lines[3].startswith("Staff in units with the title: ")
        assert lines[4] == "Citizens' deadline: November 20, 2026 (0 days left)"
        assert lines[5] == "Report date: December 10, 2026 (20 days left)"
        village = next(r for r in digest.rows if r.kind == "village")
        assert village.place_id is not None
        own = await build_digest(session, village.place_id, 2026, NOW, "UTC")
        assert own is not None
        shown = digest_text(en, own)
        assert "Staff in units" not in shown  # a village leader has no staff to act on
        assert "Adults in villages with the title" in shown
