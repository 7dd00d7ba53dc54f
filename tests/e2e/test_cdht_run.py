"""`cdht run` with a messenger's token serves it and stops cleanly on SIGTERM."""

import asyncio
import os
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from tests.fakes import telegram_api, zalo_api
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

ROOT = Path(__file__).resolve().parents[2]
Says = Callable[[], Awaitable[str]]


async def cdht_run(env: dict[str, str], first_reply: Says) -> tuple[str, str]:
    """Start `cdht run`, let a person write once, stop it with SIGTERM; (reply, stderr)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=ROOT,
        env={**os.environ, **env},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        reply = await first_reply()
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    for token in (telegram_api.TOKEN, zalo_api.TOKEN):
        assert token not in stderr.decode() + stdout.decode()
    return reply, stderr.decode()


async def test_cdht_run_serves_telegram_until_sigterm(fake: FakeTelegram, tmp_path: Path) -> None:
    async def first_reply() -> str:
        await fake.wait_for(lambda: fake.calls_to("getUpdates"), seconds=90, what="polling")
        fake.send_text(4242, "/start")
        await fake.wait_for(lambda: fake.chat(4242), seconds=60, what="a reply")
        return fake.last(4242).text

    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cdht.db'}",
        "TELEGRAM_BOT_TOKEN": telegram_api.TOKEN,
        "TELEGRAM_API_URL": fake.root,
        "TELEGRAM_POLL_TIMEOUT": "1",
    }
    reply, stderr = await cdht_run(env, first_reply)
    assert "Bạn có đồng ý không?" in reply
    assert "Đang chạy telegram (polling)" in stderr  # the terminal speaks Vietnamese


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_cdht_run_serves_zalo_until_sigterm(tmp_path: Path, mode: str) -> None:
    async with FakeZalo() as fake:

        async def first_reply() -> str:
            if mode == "polling":
                await fake.wait_for(lambda: fake.calls_to("getUpdates"), seconds=90)
                fake.send_text("abc123", "/start")
            else:
                await fake.wait_for(lambda: fake.webhook is not None, seconds=90)
                update = fake.send_text("abc123", "/start")
                await post_until_served(fake.webhook_body(update), port)
            await fake.wait_for("abc123", seconds=90)
            return fake.last("abc123").text

        port = free_port()
        env = {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cdht.db'}",
            "ZALO_BOT_TOKEN": zalo_api.TOKEN,
            "ZALO_API_URL": fake.root,
            "ZALO_POLL_TIMEOUT": "1",
            "CDHT_HTTP_PORT": str(port),
        }
        if mode == "webhook":
            env["ZALO_WEBHOOK_URL"] = "https://bot.example.vn/zalo"
            env["ZALO_WEBHOOK_SECRET"] = "zalo-secret-1"
        reply, stderr = await cdht_run(env, first_reply)
    assert "Bạn có đồng ý không?" in reply
    assert f"Đang chạy zalo ({mode})" in stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def post_until_served(body: dict[str, object], port: int) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"http://127.0.0.1:{port}/zalo",
            json=body,
            headers={zalo_api.SECRET_HEADER: "zalo-secret-1"},
        )
    assert response.status_code == 200
