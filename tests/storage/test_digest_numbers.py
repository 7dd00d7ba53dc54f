"""On a generated population, every digest number equals a count written directly in SQL."""

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.annual_report import write_workbook
from bot.report_files import localised
from conversations.digest import Counts
from conversations.i18n import Translator
from conversations.model import default_criteria, default_digital
from conversations.text import fold
from storage.db import make_sessionmaker, unit_of_work
from storage.digests import build_digest
from storage.models import AssessmentRow, OrgUnit, Person
from tests.storage.leaders_world import commune

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
STATUSES = ["draft", "submitted", "confirmed", "recognised", "returned", None]
COMMUNES = [("Xã Hải Hậu", "Ninh Bình"), ("Xã Hải Anh", "Ninh Bình"), ("Xã Hải Tiến", "Ninh Bình")]


async def generate(session: AsyncSession, people: int = 3000, seed: int = 7) -> list[OrgUnit]:
    rng = random.Random(seed)
    communes = [await commune(session, name, province) for name, province in COMMUNES]
    places: list[OrgUnit] = []
    for c in communes:
        for number in range(4):
            places.append(_unit(c, "village", f"Xóm {number + 1}", rng.choice([None, 150, 300])))
        for name in ("Trường Tiểu học", "UBND xã"):
            places.append(_unit(c, "unit", name, rng.choice([None, 30, 60])))
    session.add_all(places)
    await session.flush()
    for number in range(people):
        place = rng.choice([*places, None])
        home = place.parent_id if place is not None else rng.choice(communes).id
        person = Person(
            channel="console",
            user_ref=f"p{number}",
            locale="vi",
            name=f"Người {number}",
            commune_id=home,
            place_id=place.id if place else None,
            place_name=place.name if place else "Xóm tự ghi",
            consent_at=None if rng.random() < 0.05 else _moment(rng),
            unreachable_at=NOW if rng.random() < 0.03 else None,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(person)
        await session.flush()
        status = rng.choice(STATUSES)
        if status is not None:
            session.add(_assessment(rng, person.id, status))
    await session.flush()
    return communes


def _unit(parent: OrgUnit, kind: str, name: str, population: int | None) -> OrgUnit:
    return OrgUnit(
        parent_id=parent.id, kind=kind, name=name, search_key=fold(name), population=population
    )


def _moment(rng: random.Random) -> datetime:
    return NOW - timedelta(days=rng.uniform(0, 20))


def _assessment(rng: random.Random, person_id: int, status: str) -> AssessmentRow:
    sent = status in ("submitted", "confirmed", "recognised", "returned")
    complete = sent or rng.random() < 0.5
    return AssessmentRow(
        person_id=person_id,
        season=rng.choice([2026, 2026, 2026, 2025]),
        questionnaire="cdht-2023",
        target_group="a",
        status=status,
        total=rng.randint(40, 100),
        answered=10 if complete else rng.randint(0, 9),
        recognised=rng.random() < 0.7,
        digital_level=rng.choice([None, "none", "basic", "proficient"]),
        started_at=_moment(rng),
        completed_at=_moment(rng) if complete else None,
        submitted_at=_moment(rng) if sent else None,
        confirmed_at=_moment(rng) if status in ("confirmed", "recognised") else None,
        recognised_at=_moment(rng) if status == "recognised" else None,
        updated_at=NOW,
    )


COUNT_SQL = """
SELECT
  SUM(CASE WHEN p.consent_at IS NOT NULL AND p.consent_at <= :cut THEN 1 ELSE 0 END),
  SUM(CASE WHEN a.completed_at IS NOT NULL AND a.completed_at <= :cut THEN 1 ELSE 0 END),
  SUM(CASE WHEN a.status IN ('submitted', 'confirmed', 'recognised')
            AND a.submitted_at <= :cut THEN 1 ELSE 0 END),
  SUM(CASE WHEN a.status IN ('confirmed', 'recognised') AND a.confirmed_at <= :cut
           THEN 1 ELSE 0 END),
  SUM(CASE WHEN a.status = 'recognised' AND a.recognised_at <= :cut THEN 1 ELSE 0 END),
  SUM(CASE WHEN a.status = 'recognised' AND a.recognised_at <= :cut
            AND a.digital_level IN ('basic', 'proficient') THEN 1 ELSE 0 END),
  SUM(CASE WHEN a.status = 'recognised' AND a.recognised_at <= :cut
            AND a.digital_level = 'proficient' THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.unreachable_at IS NOT NULL THEN 1 ELSE 0 END)
FROM people p
LEFT JOIN assessments a ON a.person_id = p.id AND a.season = 2026
WHERE p.consent_at IS NOT NULL AND {where}
"""


async def counted(session: AsyncSession, where: str, cut: datetime, **values: Any) -> Counts:
    row = (
        await session.execute(text(COUNT_SQL.format(where=where)), {"cut": cut, **values})
    ).one()
    return Counts(*(int(value or 0) for value in row))


async def test_commune_and_province_digests_match_direct_sql(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        communes = await generate(session)
    far = NOW + timedelta(days=1)
    async with unit_of_work(sessions) as session:
        for c in communes:
            digest = await build_digest(session, c.id, 2026, NOW, "Asia/Ho_Chi_Minh")
            assert digest is not None
            assert digest.totals == await counted(session, "p.commune_id = :c", far, c=c.id)
            week = NOW - timedelta(days=7)
            assert digest.week_ago == await counted(session, "p.commune_id = :c", week, c=c.id)
            for row in digest.rows:
                where = (
                    "p.place_id = :u"
                    if row.place_id
                    else "p.commune_id = :c AND p.place_id IS NULL"
                )
                expected = await counted(session, where, far, c=c.id, u=row.place_id)
                assert row.counts == expected, row.name
                assert row.share.whole == (
                    row.population if row.population is not None else expected.registered
                )
            assert sum(r.counts.registered for r in digest.rows) == digest.totals.registered
            adults_whole = sum(
                r.share.whole for r in digest.rows if r.kind in ("village", "other")
            )
            assert digest.adults.whole == adults_whole
            assert digest.staff.whole == sum(
                r.share.whole for r in digest.rows if r.kind == "unit"
            )
            recognised_adults = sum(r.counts.recognised for r in digest.rows if r.kind != "unit")
            assert digest.adults.part == recognised_adults
            assert digest.digital.whole == digest.totals.recognised
            assert len(digest.recognised_people) == digest.totals.recognised
        province = await session.get(OrgUnit, communes[0].parent_id)
        assert province is not None
        whole = await build_digest(session, province.id, 2026, NOW, "Asia/Ho_Chi_Minh")
        assert whole is not None
        in_province = "p.commune_id IN (SELECT id FROM org_units WHERE parent_id = :pr)"
        assert whole.totals == await counted(session, in_province, far, pr=province.id)
        by_commune = {row.place_id: row for row in whole.rows}
        for c in communes:
            assert by_commune[c.id].counts == await counted(
                session, "p.commune_id = :c", far, c=c.id
            )
        assert whole.totals.registered > 2000

    t = Translator("vi")
    path = write_workbook(
        localised(digest, t, default_criteria(), default_digital()), tmp_path / "r.xlsx", t
    )
    sheet = openpyxl.load_workbook(path)["Theo thôn, đơn vị"]
    last = [cell.value for cell in sheet[sheet.max_row]]
    assert last[0] == "Tổng cộng"
    assert digest.totals.registered in last
    assert digest.totals.recognised in last
