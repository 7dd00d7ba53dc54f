"""A generated province for the leaders' numbers: a real province's communes (Ninh Bình has
129 after the 2025 merger, vietnam-provinces), 20 villages and 3 units in each (2,967
places), people spread over them with this year's and last year's assessments, targets on
the province and on some communes, and the QĐ 387 facts leaders enter.

Bulk inserts: COPY on PostgreSQL (asyncpg copy_records_to_table), executemany on SQLite.
Everything comes from one seed, so two runs make the same province."""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.text import fold
from storage.models import AssessmentRow, OrgUnit, Person, PlanFact, TargetRow

PROVINCE = "Ninh Bình"
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
YEAR = 2026
VILLAGES, UNITS = 20, 3
# This year's statuses (None: not started); last year's people mostly finished.
STATUSES = ["draft", "submitted", "confirmed", "recognised", "recognised", "returned", None]
LEVELS = [None, "none", "basic", "proficient"]


@dataclass(frozen=True)
class Province:
    id: int
    communes: tuple[int, ...]
    places: tuple[tuple[int, int, str, str], ...]  # (id, commune id, kind, name)


async def generate(
    session: AsyncSession, people: int, communes: int | None = None, seed: int = 13
) -> Province:
    """Places, targets, facts and `people` people (with assessments) under the province's
    first `communes` communes (all when None). The administrative units must be loaded."""
    rng = random.Random(seed)
    province = await _province(session)
    query = select(OrgUnit.id).where(OrgUnit.parent_id == province, OrgUnit.kind == "commune")
    chosen = tuple((await session.execute(query.order_by(OrgUnit.id))).scalars())[:communes]
    places = await _places(session, chosen, rng)
    await _targets(session, province, chosen, rng)
    await _facts(session, chosen, places, rng)
    first = int((await session.execute(select(func.max(Person.id)))).scalar_one() or 0) + 1
    persons, assessments = _people(rng, people, first, chosen, places)
    await bulk_insert(session, Person.__tablename__, persons)
    await bulk_insert(session, AssessmentRow.__tablename__, assessments)
    return Province(province, chosen, places)


async def _province(session: AsyncSession) -> int:
    query = select(OrgUnit.id).where(OrgUnit.kind == "province", OrgUnit.name == PROVINCE)
    return int((await session.execute(query)).scalar_one())


async def _places(
    session: AsyncSession, communes: Sequence[int], rng: random.Random
) -> tuple[tuple[int, int, str, str], ...]:
    rows = []
    for commune in communes:
        for number in range(VILLAGES):
            population = rng.choice([None, *range(600, 2400, 150)])
            rows.append((commune, "village", f"Thôn {number + 1}", population))
        for name in ("Trường Tiểu học", "Trạm Y tế", "UBND xã")[:UNITS]:
            rows.append((commune, "unit", name, rng.choice([None, 25, 40, 80])))
    values = [
        {"parent_id": c, "kind": k, "name": n, "search_key": fold(n), "population": p}
        for c, k, n, p in rows
    ]
    statement = insert(OrgUnit).returning(OrgUnit.id, sort_by_parameter_order=True)
    ids = (await session.execute(statement, values)).scalars().all()
    return tuple((i, c, k, n) for i, (c, k, n, _) in zip(ids, rows, strict=True))


async def _targets(
    session: AsyncSession, province: int, communes: Sequence[int], rng: random.Random
) -> None:
    rows = [
        {"org_unit_id": province, "year": year, "metric": "cdht_adults", "value": value}
        for year, value in ((2025, 0.35), (2026, 0.45))
    ]
    for commune in communes[::3]:  # a third of the communes set their own
        rows.append({"org_unit_id": commune, "year": 2026, "metric": "cdht_adults", "value": 0.5})
        rows.append({"org_unit_id": commune, "year": 2027, "metric": "households", "value": 0.8})
    for row in rows:
        row["source"] = "bench"
    await session.execute(insert(TargetRow), rows)


async def _facts(
    session: AsyncSession,
    communes: Sequence[int],
    places: Sequence[tuple[int, int, str, str]],
    rng: random.Random,
) -> None:
    rows = []
    for year in (YEAR - 1, YEAR):
        for place, _, kind, _ in places:
            if kind == "village":
                for metric in ("households", "clans"):
                    total = rng.randint(20, 400)
                    rows.append((place, year, metric, rng.randint(0, total), total))
                rows.append((place, year, "communities", rng.randint(0, 1), 1))
            else:
                rows.append((place, year, "units", rng.randint(0, 1), 1))
        for commune in communes:
            total = rng.randint(50, 400)
            rows.append((commune, year, "members_trained", rng.randint(0, total), total))
    values = [
        {"org_unit_id": o, "year": y, "metric": m, "done": d, "total": t, "updated_at": NOW}
        for o, y, m, d, t in rows
    ]
    await session.execute(insert(PlanFact), values)


def _people(
    rng: random.Random,
    count: int,
    first_id: int,
    communes: Sequence[int],
    places: Sequence[tuple[int, int, str, str]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    people, assessments = [], []
    for offset in range(count):
        person_id = first_id + offset
        place = rng.choice(places) if rng.random() < 0.95 else None
        people.append(_person(rng, person_id, place, rng.choice(communes)))
        status = rng.choice(STATUSES)
        if status is not None:
            assessments.append(_assessment(rng, person_id, YEAR, status))
        if rng.random() < 0.4:
            assessments.append(_assessment(rng, person_id, YEAR - 1, "recognised"))
    return people, assessments


def _moment(rng: random.Random, days: float = 40) -> datetime:
    return NOW - timedelta(days=rng.uniform(0, days))


def _person(
    rng: random.Random, person_id: int, place: tuple[int, int, str, str] | None, commune: int
) -> dict[str, Any]:
    return {
        "id": person_id,
        "channel": "console",
        "user_ref": f"bench{person_id}",
        "locale": "vi",
        "name": f"Người {person_id}",
        "birth_year": rng.randint(1950, 2005),
        "commune_id": place[1] if place else commune,
        "place_id": place[0] if place else None,
        "place_name": place[3] if place else "Xóm tự ghi",
        "target_group": "a",
        "consent_at": None if rng.random() < 0.05 else _moment(rng, 200),
        "unreachable_at": NOW if rng.random() < 0.03 else None,
        "created_at": NOW,
        "updated_at": NOW,
    }


def _assessment(rng: random.Random, person_id: int, season: int, status: str) -> dict[str, Any]:
    sent = status in ("submitted", "confirmed", "recognised", "returned")
    complete = sent or rng.random() < 0.5
    shift = timedelta(days=365 * (YEAR - season))
    return {
        "person_id": person_id,
        "season": season,
        "questionnaire": "cdht-2023",
        "target_group": "a",
        "status": status,
        "total": rng.randint(40, 100),
        "answered": 10 if complete else rng.randint(0, 9),
        "recognised": rng.random() < 0.7,
        "digital_level": rng.choice(LEVELS),
        "started_at": _moment(rng) - shift,
        "completed_at": _moment(rng) - shift if complete else None,
        "submitted_at": _moment(rng) - shift if sent else None,
        "confirmed_at": _moment(rng) - shift if status in ("confirmed", "recognised") else None,
        "recognised_at": _moment(rng) - shift if status == "recognised" else None,
        "updated_at": NOW,
    }


async def bulk_insert(session: AsyncSession, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows: COPY on PostgreSQL, executemany on SQLite. Rows without an id get
    one from the table's sequence; with ids, the sequence is moved past them."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        await session.execute(insert(OrgUnit.metadata.tables[table]), list(rows))
        return
    columns = list(rows[0])
    connection = await session.connection()
    raw = (await connection.get_raw_connection()).driver_connection
    assert raw is not None
    records = [tuple(row[c] for c in columns) for row in rows]
    await raw.copy_records_to_table(table, records=records, columns=columns)
    if "id" in columns:
        await session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
        )
