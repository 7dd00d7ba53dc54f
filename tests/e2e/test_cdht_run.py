"""`cdht run` with a Telegram token serves Telegram and stops cleanly on SIGTERM."""

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakes.telegram_api import TOKEN, FakeTelegram

ROOT = Path(__file__).resolve().parents[2]


async def test_cdht_run_serves_telegram_until_sigterm(fake: FakeTelegram, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cdht.db'}",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": fake.root,
        "TELEGRAM_POLL_TIMEOUT": "1",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=ROOT,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_for(lambda: fake.calls_to("getUpdates"), seconds=30, what="polling")
        fake.send_text(4242, "/start")
        await fake.wait_for(lambda: fake.chat(4242), seconds=10, what="a reply")
        assert "Bạn có đồng ý không?" in fake.last(4242).text
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()
    assert "Running telegram (polling)" in stderr.decode()
    assert TOKEN not in stderr.decode() + stdout.decode()
