"""The answer path, side by side with the anchors: updates/s, p50/p99 per update, SQL
statements and commits per update, through the Telegram and Zalo adapters on SQLite and
PostgreSQL; p99 with 20 people at once on SQLite; and `cdht --help` wall time.

Transport: offline (bench/offline.py: each Bot API call answered in process, no sockets),
as in the anchors, so both sides pay the same platform cost. Updates enter as a webhook
would hand them over (parse, keep in the inbox, `kept`); replies go out through the
adapter's real send (PTB Bot or the Zalo httpx client).

Run: `make bench`, or
  .venv/bin/python -m bench.answer_path [--people 100] [--reps 1] [--postgres URL]
                                        [--anchors DIR]
The anchors folder (a bare PTB bot and a plain survey bot) comes from --anchors or
CDHT_BENCH_ANCHORS; without it cdht runs alone. PostgreSQL comes from --postgres or
CDHT_TEST_POSTGRES_URL; the bench empties that database. The survey anchor on PostgreSQL
needs psycopg2 (the dev extra installs it). Machines are noisy: compare ratios within one
run; with --reps, runs interleave (anchor, cdht, anchor, cdht ...) and medians are printed.
"""

import argparse
import asyncio
import logging
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, text
from telegram.ext import ExtBot

from bench.offline import OfflineTelegram, OfflineZalo
from bench.people import Intake, TimedGateway, person, telegram_body, zalo_body
from bench.sql_counter import SqlCounter
from bot.app import App
from bot.channels import zalo
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.channels.zalo_api import ZaloBotClient
from bot.ratelimit import ChatRateLimiter
from bot.settings import Settings
from storage.db import make_engine
from storage.models import AssessmentRow

ANCHORS_ENV = "CDHT_BENCH_ANCHORS"
POSTGRES_ENV = "CDHT_TEST_POSTGRES_URL"
TOKEN = "123456:bench-token"
UNLIMITED = "1000000"
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    label: str
    updates: int
    seconds: float
    latencies: list[float]
    statements: int = 0
    commits: int = 0

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    def line(self, anchor: float | None = None) -> str:
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        ratio = f" = {self.rate / anchor:.2f}x the anchor" if anchor else ""
        sql = ""
        if self.statements:
            sql = (
                f"; {self.statements / self.updates:.2f} statements, "
                f"{self.commits / self.updates:.2f} commits per update"
            )
        return (
            f"{self.label}: {self.rate:.0f} updates/s{ratio}; p50 {p50:.1f} ms, "
            f"p99 {p99:.1f} ms{sql}"
        )


def settings(database: str, folder: Path) -> Settings:
    values = {
        "DATABASE_URL": database,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_URL": "https://bench.example.vn/telegram",
        "TELEGRAM_WEBHOOK_SECRET": "bench-secret",
        "TELEGRAM_RATE_OVERALL": UNLIMITED,
        "TELEGRAM_RATE_PER_CHAT": UNLIMITED,
        "ZALO_BOT_TOKEN": TOKEN,
        "ZALO_WEBHOOK_URL": "https://bench.example.vn/zalo",
        "ZALO_WEBHOOK_SECRET": "bench-secret",
        "ZALO_RATE_OVERALL": UNLIMITED,
        "ZALO_RATE_PER_CHAT": UNLIMITED,
        "CDHT_REPORTS_DIR": str(folder / "reports"),
    }
    return Settings(**values)  # type: ignore[arg-type]


def telegram(config: Settings) -> tuple[TelegramChannel, Callable[..., Any], Callable[[], Any]]:
    channel = TelegramChannel(config)
    fake = OfflineTelegram()
    channel.bot = ExtBot(
        TOKEN,
        request=fake,
        get_updates_request=OfflineTelegram(),
        rate_limiter=ChatRateLimiter(float(UNLIMITED), float(UNLIMITED)),
    )
    return channel, partial(_telegram_body, fake=fake), _nothing


def _telegram_body(user: int, kind: str, value: str, fake: OfflineTelegram) -> Any:
    return telegram_body(user, kind, value, fake)


def zalo_channel(
    config: Settings, app: App
) -> tuple[ZaloChannel, Callable[..., Any], Callable[[], Any]]:
    channel = ZaloChannel(config, app.clock)
    fake = OfflineZalo()
    http = httpx.AsyncClient(transport=fake.transport())
    channel.client = ZaloBotClient(TOKEN, config.zalo_api_url, http=http)
    return channel, partial(zalo_body, fake=fake), http.aclose


async def _nothing() -> None:
    return None


async def empty_postgres(url: str) -> None:
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def cdht(
    channel_name: str, database: str | None, people: int, label: str, *, alone: bool = False
) -> Run:
    """Whole assessments by `people` people at once through one channel (one after another
    with `alone`: then a tap's time is its own, with nobody else's work to wait behind)."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url = database or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        if database:
            await empty_postgres(database)
        config = settings(url, folder)
        app = App(config)
        await app.prepare_database()
        channel: TelegramChannel | ZaloChannel
        parse: Callable[..., Any]
        if channel_name == "telegram":
            channel, body, close = telegram(config)
            parse = channel._parse
        else:
            channel, body, close = zalo_channel(config, app)
            parse = zalo.accepted
        errors = _ErrorCount()
        logging.getLogger("bot").addHandler(errors)
        gateway = TimedGateway(app, [channel])
        await gateway.start(port=free_port())
        intake = Intake(gateway, channel, parse)
        counter = SqlCounter().attach(app.engine)
        latencies: list[float] = []
        started = time.perf_counter()
        users = range(10_000, 10_000 + people)
        if alone:
            for user in users:
                await person(intake, body, user, latencies)
        else:
            await asyncio.gather(*(person(intake, body, user, latencies) for user in users))
        seconds = time.perf_counter() - started
        await gateway.idle()
        statements, commits = counter.statements, counter.commits
        await gateway.stop()
        await close()
        async with app.sessions() as session:
            sent = await session.scalar(
                select(func.count()).where(AssessmentRow.status == "submitted")
            )
        await app.close()
    logging.getLogger("bot").removeHandler(errors)
    assert sent == people, f"{sent} of {people} assessments sent"
    # A run in which the gateway failed somewhere measured something else.
    assert errors.count == 0, f"{errors.count} errors logged by the bot"
    return Run(label, len(latencies), seconds, latencies, statements, commits)


class _ErrorCount(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def anchor(folder: Path, script: str, *args: str) -> tuple[float, str]:
    """Run one anchor in a temporary folder; (updates/s, its summary line)."""
    with tempfile.TemporaryDirectory() as cwd:
        done = subprocess.run(
            [sys.executable, str(folder / script), *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            check=True,
            timeout=1800,
        )
    rates = re.findall(r": ([\d.]+) updates/s", done.stdout)
    assert rates, done.stdout[-500:]
    summary = next((ln for ln in done.stdout.splitlines() if "latency" in ln), "")
    return float(rates[-1]), summary


def sync_url(url: str) -> str:
    return re.sub(r"^postgresql(\+\w+)?://", "postgresql+psycopg2://", url).split("?")[0]


def cli_help_seconds(times: int = 5) -> float:
    """Median wall time of `cdht --help` in a fresh interpreter."""
    took = []
    for _ in range(times):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot", "--help"],
            capture_output=True,
            check=True,
            cwd=ROOT,
            timeout=120,
        )
        took.append(time.perf_counter() - started)
    return statistics.median(took)


def median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.rate)[len(runs) // 2]


async def engine_round(
    name: str, database: str | None, people: int, reps: int, anchors: Path | None
) -> None:
    """Anchor and cdht interleaved `reps` times on one engine; medians printed."""
    anchor_rates: list[float] = []
    summaries: list[str] = []
    runs: dict[str, list[Run]] = {"telegram": [], "zalo": []}
    for _ in range(reps):
        if anchors is not None:
            args = ["--people", str(people)]
            if database:
                await empty_postgres(database)
                args += ["--url", sync_url(database)]
            rate, summary = anchor(anchors, "survey_anchor.py", *args)
            anchor_rates.append(rate)
            summaries.append(summary)
        for channel in runs:
            label = f"cdht {channel} ({name}, {people} people)"
            runs[channel].append(await cdht(channel, database, people, label))
    base = statistics.median(anchor_rates) if anchor_rates else None
    if base is not None:
        print(f"anchor survey ({name}): {base:.0f} updates/s; last run: {summaries[-1]}")
    for channel_runs in runs.values():
        print(median_run(channel_runs).line(base), flush=True)


def anchors_folder(given: str | None) -> Path | None:
    """The anchors folder from --anchors or the environment, if it holds the anchors."""
    anchors = given or os.environ.get(ANCHORS_ENV)
    return Path(anchors) if anchors and Path(anchors, "survey_anchor.py").exists() else None


async def main(arguments: argparse.Namespace, folder: Path | None) -> None:
    print(f"transport: offline; anchors: {folder or 'none (cdht alone)'}")
    if folder is not None:
        rate, _ = anchor(folder, "ptb_echo_bench.py")
        print(f"anchor bare PTB echo: {rate:.0f} updates/s")
    await engine_round("sqlite", None, arguments.people, arguments.reps, folder)
    postgres = arguments.postgres or os.environ.get(POSTGRES_ENV)
    if postgres:
        await engine_round("postgresql", postgres, arguments.people, arguments.reps, folder)
    else:
        print(f"postgresql: skipped (set --postgres or {POSTGRES_ENV})")
    # With 20 people answering at once and no pause, a tap waits behind the other 19
    # people's (Little's law: mean time = 20 / updates per second); one after another, a
    # tap's time is its own, as the anchors measure theirs.
    crowd = await cdht("telegram", None, 20, "cdht telegram (sqlite, 20 people at once)")
    print(crowd.line())
    alone = await cdht(
        "telegram", None, 20, "cdht telegram (sqlite, 20 people one after another)", alone=True
    )
    print(alone.line())
    print(f"cdht --help: {cli_help_seconds():.2f} s (median of 5)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--reps", type=int, default=1, help="interleaved repetitions")
    parser.add_argument("--postgres", help="a PostgreSQL DATABASE_URL (emptied!)")
    parser.add_argument("--anchors", help=f"the anchors folder (else ${ANCHORS_ENV})")
    parsed = parser.parse_args()
    asyncio.run(main(parsed, anchors_folder(parsed.anchors)))
