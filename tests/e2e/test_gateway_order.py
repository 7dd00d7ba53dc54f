"""The gateway's order and stop under the conditions a review found: a backlog larger than
one sweep takes in, and marks that cannot be written when the process stops."""

import asyncio
from typing import Any

import pytest

from bot import gateway as gateway_module
from bot.app import App
from storage import inbox
from storage.db import unit_of_work
from tests.e2e.telegram_support import running, telegram_settings
from tests.fakes.telegram_api import FakeTelegram
from tests.support import FakeClock

AN, BINH = 940_001, 940_002


def message(update_id: int, user: int, text: str) -> tuple[str, dict[str, Any]]:
    """A private text message as the Bot API delivers it (kept as its payload)."""
    person = {"id": user, "is_bot": False, "first_name": "A", "language_code": "vi"}
    body: dict[str, Any] = {
        "message_id": update_id,
        "date": 1_780_000_000,
        "text": text,
        "chat": {"id": user, "type": "private", "first_name": "A"},
        "from": person,
    }
    if text.startswith("/"):
        body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return str(update_id), {"update_id": update_id, "message": body}


async def test_an_update_waiting_from_before_a_restart_is_answered_before_a_new_one(
    sqlite_url: str, fake: FakeTelegram, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More people waiting at the start than one sweep takes in: someone the sweep has not
    reached yet writes again, and their older update is still answered first."""
    monkeypatch.setattr(gateway_module, "SWEEP_LIMIT", 1)
    monkeypatch.setattr(gateway_module, "SWEEP_EVERY", 3600.0)
    settings = telegram_settings(sqlite_url, fake)
    first = App(settings, clock=clock)
    await first.prepare_database()
    async with unit_of_work(first.sessions) as session:  # left by a process that died
        updates = [message(1, AN, "/start"), message(2, BINH, "/start")]
        await inbox.keep(session, "telegram", updates, clock.now(), {"1": str(AN), "2": str(BINH)})
    await first.close()
    order: list[str] = []
    dispatch = App.dispatch

    async def recorded(app: App, event: Any, update: Any = None) -> Any:
        order.append(update[1] if update else "")
        return await dispatch(app, event, update)

    monkeypatch.setattr(App, "dispatch", recorded)
    async with running(settings, clock) as (_app, gateway):
        await gateway.keep("telegram", [message(3, BINH, "Nguyễn Văn Bình")])
        await gateway.idle()
    assert order.index("2") < order.index("3"), order
    assert sorted(order) == ["1", "2", "3"]


async def test_the_gateway_stops_while_replies_cannot_be_marked_sent(
    sqlite_url: str, fake: FakeTelegram, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mark that keeps failing is retried while the gateway runs, and given up at the
    stop (the reply is then sent again by the next start), never waited for forever."""
    monkeypatch.setattr(gateway_module, "LAST_MARKS", 0.5)

    async def failing(*_: object) -> None:
        raise ConnectionError("the database went away")

    settings = telegram_settings(sqlite_url, fake)
    first = App(settings, clock=clock)
    await first.prepare_database()
    await first.close()
    async with running(settings, clock) as (_app, gateway):
        monkeypatch.setattr(inbox, "delivered", failing)
        fake.send_text(AN, "/start")
        await fake.wait_for(lambda: bool(fake.chat(AN)), what="the reply")
        stopping = asyncio.create_task(gateway.stop())
        # A hang guard, not a timing: the stop waits LAST_MARKS for the marks at most.
        await asyncio.wait_for(asyncio.shield(stopping), 60)
    assert len(fake.chat(AN)) == 1
