"""How many inbound events per second one process handles, whole assessments end to end.

Run: `make bench`, or `.venv/bin/python -m bench.console_flow --people 50 [--url URL]`.
Each person types the shortest flow (consent, registration, 10 scores, 10 digital
answers, submit): 27 events, each its own transaction on the real database.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.app import App
from bot.settings import Settings
from conversations.events import from_typed_text

LINES = [
    "/batdau",
    "1",
    "Nguyễn Văn An, 1968",
    "hai hau",
    "Xóm 3",
    "1",
    *[str(score) for score in (9, 8, 10, 7, 6, 5, 8, 9, 9, 9)],
    *["1"] * 10,
    "1",
]


async def person(app: App, user: str, latencies: list[float]) -> None:
    for line in LINES:
        started = time.perf_counter()
        await app.dispatch(from_typed_text("bench", user, line))
        latencies.append(time.perf_counter() - started)


async def measure(app: App, people: int, concurrent: bool) -> tuple[float, list[float]]:
    latencies: list[float] = []
    started = time.perf_counter()
    users = [f"{'c' if concurrent else 's'}{n}" for n in range(people)]
    if concurrent:
        await asyncio.gather(*(person(app, user, latencies) for user in users))
    else:
        for user in users:
            await person(app, user, latencies)
    return time.perf_counter() - started, sorted(latencies)


async def main(people: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        app = App(Settings(DATABASE_URL=database))
        await app.prepare_database()
        print(f"database: {database.split('://')[0]}; {people} people x {len(LINES)} events")
        for concurrent in (False, True):
            elapsed, latencies = await measure(app, people, concurrent)
            events = len(latencies)
            print(
                f"{'concurrent' if concurrent else 'sequential'}: "
                f"{events / elapsed:.0f} events/s, latency median "
                f"{statistics.median(latencies) * 1000:.1f} ms, "
                f"p95 {latencies[int(events * 0.95)] * 1000:.1f} ms"
            )
        await app.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument(
        "--url", help="a DATABASE_URL to measure instead of a temporary SQLite file"
    )
    arguments = parser.parse_args()
    asyncio.run(main(arguments.people, arguments.url))
