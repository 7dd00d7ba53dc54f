"""Updates per second through the whole Telegram path: fake Bot API over HTTP on 127.0.0.1
-> PTB polling -> per-person queues -> engine -> SQL -> rendered replies sent back.

Run: `.venv/bin/python -m bench.telegram_updates --people 100 --rounds 5`. Outbound rate
limits are lifted here, to measure our side; with them on, sending is capped at 30/s.
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.gateway import Gateway
from bot.settings import Settings
from tests.fakes.telegram_api import TOKEN, FakeTelegram

LINES = ["/start", "1", "Nguyễn Văn An", "1968", "hai hau"]


async def main(people: int, rounds: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        async with FakeTelegram(poll_timeout_cap=0.2) as fake:
            settings = Settings(
                DATABASE_URL=database,
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_URL=fake.root,
                TELEGRAM_POLL_TIMEOUT=1,
                TELEGRAM_RATE_OVERALL=100_000,
                TELEGRAM_RATE_PER_CHAT=100_000,
            )
            app = App(settings)
            await app.prepare_database()
            service = Gateway(app, [TelegramChannel(settings)])
            await service.start()
            users = range(10_000, 10_000 + people)
            total = 0
            started = time.perf_counter()
            for line in (LINES * rounds)[: rounds * len(LINES)]:
                for user in users:
                    fake.send_text(user, line)
                total += people
            await fake.wait_for(
                lambda: sum(len(fake.chat(u)) for u in users) >= total, seconds=600
            )
            elapsed = time.perf_counter() - started
            await service.stop()
            await app.close()
    print(f"database: {database.split('://')[0]}; {people} people, {total} updates")
    print(f"{total / elapsed:.0f} updates/s (each answered), {elapsed:.1f} s in all")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=1, help="times the 5 lines are sent")
    parser.add_argument("--url", help="a DATABASE_URL instead of a temporary SQLite file")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.people, arguments.rounds, arguments.url))
