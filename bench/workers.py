"""Several `cdht run` workers on one PostgreSQL: updates per second with 1, 2 and 4 workers
(webhook, each update posted to a worker picked at random, as behind a load balancer), and
the outbox fan-out rate with 1 and 3 senders against a fake Telegram that answers 429 above
its overall limit.

Run: `CDHT_BENCH_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/bench
.venv/bin/python -m bench.workers` (the database is emptied first). Without the variable
it says so and measures nothing."""

import argparse
import asyncio
import os
import random
import tempfile
import time
from pathlib import Path

from storage.migrate import upgrade
from tests.e2e.processes import PATIENCE, BotProcess, bot_environment, free_port
from tests.e2e.test_outbox_sending import drain, queue_messages
from tests.e2e.test_workers import Balanced
from tests.fakes.local_server import wait_until
from tests.fakes.telegram_api import FakeTelegram
from tests.support import reset_postgres

URL_ENV = "CDHT_BENCH_POSTGRES_URL"


async def type_all(crowd: Balanced, person: int) -> None:
    """Ten texts posted one after another without waiting for answers (the throughput, not
    one person's round trip, is measured)."""
    for number in range(10):
        await crowd.say(person, f"zzq {person} {number}")


async def updates_per_second(url: str, workers: int, people: int, folder: Path) -> float:
    """Updates answered per second while `people` each type 10 texts (after registering),
    through `workers` processes."""
    engine = await reset_postgres(url)
    await engine.dispose()
    async with FakeTelegram() as fake:
        processes, hooks = [], []
        for number in range(workers):
            port = free_port()
            log = folder / f"w{workers}-{number}.log"
            processes.append(BotProcess(bot_environment(url, fake, port), log))
            hooks.append(f"http://127.0.0.1:{port}/telegram/hook")
        crowd = Balanced(fake, None, hooks=hooks, rng=random.Random(workers))
        try:
            for process in processes:
                await process.start()
            await wait_until(
                lambda: len(fake.calls_to("setWebhook")) >= workers, seconds=PATIENCE, what="up"
            )
            everyone = range(700_001, 700_001 + people)
            await asyncio.gather(*(crowd.register(p) for p in everyone))
            before = len(crowd.said)
            started = time.perf_counter()
            await asyncio.gather(*(type_all(crowd, p) for p in everyone))
            await wait_until(crowd.all_answered, seconds=PATIENCE, what="every answer")
            elapsed = time.perf_counter() - started
        finally:
            for process in processes:
                await process.ensure_dead()
            await crowd.client.aclose()
    return (len(crowd.said) - before) / elapsed


async def fan_out(url: str, senders: int, messages: int, limit: int) -> tuple[float, int]:
    """Messages per second and 429s when `senders` drain `messages` at once."""
    engine = await reset_postgres(url)
    await upgrade(engine)
    await queue_messages(engine, messages)
    await engine.dispose()
    async with FakeTelegram(overall_per_second=limit, per_chat_per_second=1) as fake:
        started = time.perf_counter()
        running = [await drain(url, fake, overall=limit) for _ in range(senders)]
        await asyncio.gather(*(process.communicate() for process in running))
        elapsed = time.perf_counter() - started
        return messages / elapsed, fake.too_many


async def main(url: str, people: int, messages: int, limit: int, logs: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for workers in (1, 2, 4):
            rate = await updates_per_second(url, workers, people, Path(logs or folder))
            print(f"{workers} worker(s), {people} people x 10 texts: {rate:.0f} updates/s")
    for senders in (1, 3):
        rate, refused = await fan_out(url, senders, messages, limit)
        share = 100 * rate / limit
        print(
            f"{senders} sender(s), {messages} messages, limit {limit}/s: {rate:.1f}/s"
            f" ({share:.0f} % of the limit), {refused} x 429"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--messages", type=int, default=1_500)
    parser.add_argument("--limit", type=int, default=30, help="the fake's messages/s overall")
    parser.add_argument("--logs", help="a folder to keep the workers' logs in")
    arguments = parser.parse_args()
    database = os.environ.get(URL_ENV)
    if not database:
        print(f"bench.workers: set {URL_ENV} to a PostgreSQL database it may empty")
    else:
        asyncio.run(
            main(database, arguments.people, arguments.messages, arguments.limit, arguments.logs)
        )
