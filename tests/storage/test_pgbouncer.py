"""PostgreSQL through PgBouncer in transaction mode: a whole assessment, no apology.

Needs the pgbouncer binary (skipped without it) and CDHT_TEST_POSTGRES_URL; PgBouncer is
started on a free port of 127.0.0.1 in front of that database."""

import asyncio
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.app import APOLOGY, App
from bot.settings import Settings
from conversations.i18n import Translator
from tests.bot.flows import answer_digital, register, score_all
from tests.support import Chat, FakeClock, postgres_url_or_skip, reset_postgres

pytestmark = pytest.mark.postgres
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def pooled_url(tmp_path: Path) -> Iterator[str]:
    """The test database's URL through a PgBouncer in transaction mode."""
    url = make_url(postgres_url_or_skip())
    if not os.access(PGBOUNCER, os.X_OK):
        pytest.skip("pgbouncer is not installed")
    port = free_port()
    tmp_path.chmod(0o755)  # pgbouncer refuses root and runs as postgres: it reads these
    (tmp_path / "users.txt").write_text(f'"{url.username}" "{url.password or ""}"\n')
    (tmp_path / "pgbouncer.ini").write_text(
        f"[databases]\n{url.database} = host={url.host} port={url.port or 5432}"
        f" dbname={url.database}\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n"
        f"unix_socket_dir =\nauth_type = trust\nauth_file = {tmp_path / 'users.txt'}\n"
        "pool_mode = transaction\nignore_startup_parameters = extra_float_digits\n"
    )
    user = ["-u", "postgres"] if os.geteuid() == 0 else []
    process = subprocess.Popen(
        [PGBOUNCER, *user, str(tmp_path / "pgbouncer.ini")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_listening(port, process)
        pooled = url.set(port=port, query={"prepared_statement_cache_size": "0"})
        yield pooled.render_as_string(hide_password=False)
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()


def wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            assert process.stderr is not None
            pytest.fail(f"pgbouncer stopped: {process.stderr.read().decode()[-500:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)  # polling for the port, not ordering events
    pytest.fail("pgbouncer did not start listening")


async def test_a_whole_assessment_through_pgbouncer_in_transaction_mode(
    pooled_url: str, clock: FakeClock
) -> None:
    await (await reset_postgres(postgres_url_or_skip())).dispose()
    app = App(Settings(DATABASE_URL=pooled_url), clock=clock)
    try:
        await app.prepare_database()
        chats = [Chat(app, user=f"u{n}", locale_hint="en") for n in range(3)]
        # Three people side by side: their transactions share PgBouncer's server connections.
        await asyncio.gather(*(register(chat) for chat in chats))
        await asyncio.gather(*(score_all(chat, [9] * 10) for chat in chats))
        await asyncio.gather(*(answer_digital(chat) for chat in chats))
        for chat in chats:
            await chat.click("Send for confirmation")
            assert "Sent." in chat.text
        apology = Translator("en")(APOLOGY)
        assert all(apology not in message.text for chat in chats for message in chat.seen)
    finally:
        await app.close()
