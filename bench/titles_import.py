"""How long a CSV of named households takes to import, and the commune's digest after it.

Run: `.venv/bin/python -m bench.titles_import --lines 2000 [--url URL]`. The file names
households across ten villages of Xã Hải Hậu, half recognised, as a village or commune
leader would send it in chat (storage/titles_import.py, the same importer as
`cdht titles import-csv`); everything is checked, then stored in one transaction.
"""

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bot.app import App
from bot.settings import Settings
from conversations.plan import VILLAGE_ENTERS
from conversations.text import fold
from storage.db import unit_of_work
from storage.digests import build_digest
from storage.models import OrgUnit
from storage.titles_import import Scope, import_facts

NOW = datetime(2026, 11, 20, 3, tzinfo=UTC)
VILLAGES = 10


def csv_text(lines: int) -> str:
    rows = (f"Xóm {n % VILLAGES};Gia đình học tập;2026;{n % 2};Hộ số {n}\n" for n in range(lines))
    return "Nơi;Loại;Năm;Đạt;Tên\n" + "".join(rows)


async def main(lines: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        app = App(Settings(DATABASE_URL=database))
        await app.prepare_database()
        async with unit_of_work(app.sessions) as session:
            query = select(OrgUnit).where(OrgUnit.kind == "commune", OrgUnit.name == "Xã Hải Hậu")
            commune = (await session.execute(query)).scalars().first()
            assert commune is not None
            for n in range(VILLAGES):
                name = f"Xóm {n}"
                session.add(
                    OrgUnit(parent_id=commune.id, kind="village", name=name, search_key=fold(name))
                )
        text = csv_text(lines)
        print(f"database: {database.split('://')[0]}; {lines} lines, {len(text.encode())} bytes")
        async with unit_of_work(app.sessions) as session:
            root = await session.get(OrgUnit, commune.id)
            assert root is not None
            started = time.perf_counter()
            result = await import_facts(session, text, NOW, Scope(root, VILLAGE_ENTERS))
            imported = time.perf_counter() - started
        async with unit_of_work(app.sessions) as session:
            started = time.perf_counter()
            digest = await build_digest(session, commune.id, 2026, NOW, "Asia/Ho_Chi_Minh")
            built = time.perf_counter() - started
        assert digest is not None
        assert not result.errors
        print(f"import: {result.stored} lines in {imported:.2f} s; digest: {built:.2f} s")
        await app.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument(
        "--url", help="a DATABASE_URL to measure instead of a temporary SQLite file"
    )
    arguments = parser.parse_args()
    asyncio.run(main(arguments.lines, arguments.url))
