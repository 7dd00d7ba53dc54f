"""The province's weekly digest and `cdht report`, timed against one hand-written SQL query of
the same numbers (GROUP BY ROLLUP on PostgreSQL; GROUP BY and a sum on SQLite, which has no
ROLLUP).

Run: `make bench`, or
`.venv/bin/python -m bench.province_digest --people 300000 [--url URL] [--reuse]`.
Each time is the median of --repeat runs (after a warm-up), the four taking turns.
The database given with --url (default: CDHT_TEST_POSTGRES_URL, else a temporary SQLite
file) is emptied, unless --reuse finds a province of the same size from an earlier run.
Goals (issue 13): the digest within 1.5x the raw query, the report within 5 s.
"""

import argparse
import asyncio
import contextlib
import io
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bench.province_data import NOW, PROVINCE, YEAR, generate
from bench.sql_counter import SqlCounter
from bot.app import App
from bot.operator import report
from bot.settings import Settings
from conversations.digest import Counts, Digest
from storage.db import unit_of_work
from storage.digests import build_digest
from storage.models import OrgUnit, Person

COUNTS = """
  SUM(CASE WHEN a.completed_at IS NOT NULL{cut_a_completed} THEN 1 ELSE 0 END),
  SUM(CASE WHEN a.status IN ('submitted', 'confirmed', 'recognised')
           AND a.submitted_at IS NOT NULL{cut_a_submitted} THEN 1 ELSE 0 END),
  SUM(CASE WHEN a.status IN ('confirmed', 'recognised')
           AND a.confirmed_at IS NOT NULL{cut_a_confirmed} THEN 1 ELSE 0 END),
  SUM(CASE WHEN a.status = 'recognised' AND a.recognised_at IS NOT NULL{cut_a_recognised}
           THEN 1 ELSE 0 END),
  SUM(CASE WHEN a.status = 'recognised' AND a.recognised_at IS NOT NULL{cut_a_recognised}
           AND a.digital_level IN ('basic', 'proficient') THEN 1 ELSE 0 END),
  SUM(CASE WHEN a.status = 'recognised' AND a.recognised_at IS NOT NULL{cut_a_recognised}
           AND a.digital_level = 'proficient' THEN 1 ELSE 0 END)"""


def _counts(cut: bool) -> str:
    names = ("completed", "submitted", "confirmed", "recognised")
    cuts = {f"cut_a_{n}": f" AND a.{n}_at <= :cut" if cut else "" for n in names}
    return COUNTS.format(**cuts)


# The digest's people numbers per commune and for the province: registered, self-assessed,
# sent, confirmed, recognised, with digital skills, proficient, blocked; now and a week ago.
RAW = f"""
SELECT p.commune_id,
  COUNT(*),
  {_counts(False)},
  SUM(CASE WHEN p.unreachable_at IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.consent_at <= :cut THEN 1 ELSE 0 END),
  {_counts(True)}
FROM people p
LEFT JOIN assessments a ON a.person_id = p.id AND a.season = :year
WHERE p.consent_at IS NOT NULL
  AND p.commune_id IN (SELECT id FROM org_units WHERE parent_id = :province)
GROUP BY {{group}}
"""


async def raw_numbers(
    session: AsyncSession, province: int
) -> dict[int | None, tuple[Counts, Counts]]:
    """commune id (None: the province) -> its Counts now and a week ago, by the raw query."""
    postgres = session.get_bind().dialect.name == "postgresql"
    query = text(RAW.format(group="ROLLUP (p.commune_id)" if postgres else "p.commune_id"))
    values = {"year": YEAR, "province": province, "cut": NOW - timedelta(days=7)}
    rows = [
        tuple(int(v or 0) if i else v for i, v in enumerate(row))
        for row in await session.execute(query, values)
    ]
    if not postgres:  # the row ROLLUP adds
        rows.append((None, *(sum(column) for column in list(zip(*rows, strict=True))[1:])))
    return {row[0]: (Counts(*row[1:9]), Counts(*[*row[9:16], row[8]])) for row in rows}


async def raw(app: App, province: int) -> dict[int | None, tuple[Counts, Counts]]:
    async with unit_of_work(app.sessions) as session:
        return await raw_numbers(session, province)


async def timed(
    works: dict[str, Callable[[], Awaitable[object]]], repeat: int
) -> dict[str, float]:
    """The median of `repeat` runs of each, in seconds, after a warm-up run; the works take
    turns, so that a machine busy with something else weighs on each alike."""
    times: dict[str, list[float]] = {name: [] for name in works}
    for round_ in range(repeat + 1):
        for name, work in works.items():
            started = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):  # cdht report says what it wrote
                await work()
            if round_:
                times[name].append(time.perf_counter() - started)
    return {name: statistics.median(found) for name, found in times.items()}


async def prepare(app: App, people: int, reuse: bool) -> int:
    """The province's id: generated on an emptied database, unless --reuse finds a province
    of this size there."""
    postgres = app.engine.dialect.name == "postgresql"
    await app.prepare_database()
    async with unit_of_work(app.sessions) as session:
        found = (await session.execute(select(func.count(Person.id)))).scalar_one()
        if reuse and found == people:
            query = select(OrgUnit.id).where(OrgUnit.name == PROVINCE)
            return int((await session.execute(query)).scalar_one())
    if found:  # only PostgreSQL can hold people here: SQLite is a new file
        async with app.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await app.prepare_database()
    started = time.perf_counter()
    async with unit_of_work(app.sessions) as session:
        province = await generate(session, people)
    print(f"generated {people} people in {time.perf_counter() - started:.1f} s")
    if postgres:
        async with app.engine.connect() as connection:  # what autovacuum would do
            await connection.execute(text("ANALYZE"))
            await connection.commit()
    return province.id


async def main(people: int, url: str | None, reuse: bool, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = url or f"sqlite+aiosqlite:///{Path(folder) / 'province.db'}"
        app = App(Settings(DATABASE_URL=database))
        province = await prepare(app, people, reuse)
        print(f"database: {database.split('://')[0]}; {PROVINCE}, {people} people")

        async def digest(full: bool) -> Digest | None:
            async with unit_of_work(app.sessions) as session:
                zone = app.settings.timezone
                return await build_digest(session, province, YEAR, NOW, zone, full=full)

        async def workbook() -> None:
            out = Path(folder) / "report.xlsx"
            args = argparse.Namespace(org=str(province), year=YEAR, out=out, locale="vi")
            await report(app, args)

        found, expected = await digest(True), (await raw(app, province))[None]
        same = found is not None and (found.totals, found.week_ago) == expected
        print(f"the digest's numbers equal the raw query's: {'yes' if same else 'NO'}")
        counter = SqlCounter().attach(app.engine)
        sent = []
        for full in (False, True):
            counter.reset()
            await digest(full)
            sent.append(counter.statements)
        print(f"statements per digest: weekly {sent[0]}, full {sent[1]}")
        took = await timed(
            {
                "raw": lambda: raw(app, province),
                "weekly": lambda: digest(False),
                "full": lambda: digest(True),
                "report": workbook,
            },
            repeat,
        )
        raw_time = took["raw"]
        print(f"raw GROUP BY{' ROLLUP' if 'postgres' in database else ''}: {raw_time:.3f} s")
        print(
            f"weekly digest (numbers and who blocked the bot, as the scheduler sends it): "
            f"{took['weekly']:.3f} s, {took['weekly'] / raw_time:.2f}x the raw query"
        )
        print(
            f"full digest (and the lists of people and last year, as the report needs it): "
            f"{took['full']:.3f} s, {took['full'] / raw_time:.2f}x the raw query"
        )
        print(f"cdht report (digest and XLSX, in process): {took['report']:.3f} s")
        await app.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=300_000)
    parser.add_argument(
        "--url",
        default=os.environ.get("CDHT_TEST_POSTGRES_URL"),
        help="a DATABASE_URL to empty and fill (default: CDHT_TEST_POSTGRES_URL, else SQLite)",
    )
    parser.add_argument("--reuse", action="store_true", help="keep a generated province")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.people, arguments.url, arguments.reuse, arguments.repeat))
