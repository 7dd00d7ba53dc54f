"""Zalo over real HTTP on 127.0.0.1: webhook rules, repeats, pictures, limits, files."""

import asyncio
import socket
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.gateway import Gateway
from bot.scheduler import Campaigns
from conversations.events import OutboundMessage
from storage.db import unit_of_work
from storage.models import InboxUpdate, OutboxMessage, Person
from storage.outbox import SqlOutbox
from tests.e2e.zalo_support import (
    SECRET,
    hook_url,
    running_zalo,
    webhook_settings,
    zalo_settings,
)
from tests.fakes.zalo_api import SECRET_HEADER, FakeZalo
from tests.kit import ZaloPerson
from tests.support import FakeClock

AN = "0a1b2c3d4e5f"


@pytest.fixture
async def fake() -> FakeZalo:
    async with FakeZalo() as server:
        yield server  # type: ignore[misc]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def count(app: App, model: type) -> int:
    async with unit_of_work(app.sessions) as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def post(url: str, body: object, headers: dict[str, str] | None = None) -> int:
    async with httpx.AsyncClient() as client:
        response = await client.post(url, json=body, headers=headers or {})
    return response.status_code


async def test_the_webhook_is_registered_with_its_secret(
    fake: FakeZalo, sqlite_url: str, clock: FakeClock
) -> None:
    async with running_zalo(webhook_settings(sqlite_url, fake), clock):
        assert fake.webhook is not None
        assert fake.webhook["url"] == "https://bot.example.vn/zalo/hook"
        assert fake.webhook["secret_token"] == SECRET
        assert not fake.calls_to("getUpdates")


@pytest.mark.parametrize("headers", [{}, {SECRET_HEADER: "forged-secret"}])
async def test_a_call_without_the_secret_is_refused_and_not_kept(
    fake: FakeZalo, sqlite_url: str, clock: FakeClock, headers: dict[str, str]
) -> None:
    async with running_zalo(webhook_settings(sqlite_url, fake), clock) as (app, gateway):
        update = fake.send_text(AN, "/start")
        assert await post(hook_url(gateway), fake.webhook_body(update), headers) == 403
        await gateway.idle()
        assert await count(app, InboxUpdate) == 0
        assert fake.chat(AN) == []


@pytest.mark.parametrize("wrapped", [True, False])
async def test_both_body_shapes_are_read(
    fake: FakeZalo, sqlite_url: str, clock: FakeClock, wrapped: bool
) -> None:
    async with running_zalo(webhook_settings(sqlite_url, fake), clock) as (_app, gateway):
        body = fake.webhook_body(fake.send_text(AN, "/start"), wrapped=wrapped)
        assert await post(hook_url(gateway), body, {SECRET_HEADER: SECRET}) == 200
        await fake.wait_for(AN)
        assert "Bạn có đồng ý không?" in fake.last(AN).text


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("not an object", 400),
        ({"event_name": "message.text.received", "message": "x"}, 400),
        ({"ok": True, "result": []}, 400),
        ({"event_name": "message.text.received", "message": {"text": "x" * (1 << 20)}}, 413),
    ],
)
async def test_malformed_or_huge_bodies_are_refused_cleanly(
    fake: FakeZalo, sqlite_url: str, clock: FakeClock, body: object, status: int
) -> None:
    async with running_zalo(webhook_settings(sqlite_url, fake), clock) as (app, gateway):
        assert await post(hook_url(gateway), body, {SECRET_HEADER: SECRET}) == status
        assert await count(app, InboxUpdate) == 0


async def test_the_same_update_posted_at_once_is_answered_once(
    fake: FakeZalo, sqlite_url: str, clock: FakeClock
) -> None:
    async with running_zalo(webhook_settings(sqlite_url, fake), clock) as (app, gateway):
        body = fake.webhook_body(fake.send_text(AN, "/start"))
        posts = [post(hook_url(gateway), body, {SECRET_HEADER: SECRET}) for _ in range(6)]
        assert await asyncio.gather(*posts) == [200] * 6
        await gateway.idle()
        assert len(fake.chat(AN)) == 1
        assert await count(app, InboxUpdate) == 1


async def test_a_redelivered_update_is_answered_once_when_polling(
    fake: FakeZalo, sqlite_url: str, clock: FakeClock
) -> None:
    async with running_zalo(zalo_settings(sqlite_url, fake), clock) as (_app, gateway):
        update = fake.send_text(AN, "/start")
        await fake.wait_for(AN)
        fake.redeliver(update)
        await fake.wait_for(lambda: fake.pending() == 0)
        person = ZaloPerson(fake, AN, gateway)
        assert "Họ tên và năm sinh" in await person.choose("Đồng ý")
        assert len(fake.chat(AN)) == 2


async def test_a_restart_in_the_middle_continues_where_the_person_was(
    fake: FakeZalo, sqlite_url: str, clock: FakeClock
) -> None:
    settings = zalo_settings(sqlite_url, fake)
    async with running_zalo(settings, clock) as (_app, gateway):
        person = ZaloPerson(fake, AN, gateway)
        await person.say("/start")
        await person.choose("Đồng ý")
    async with running_zalo(settings, clock) as (_app, gateway):
        person = ZaloPerson(fake, AN, gateway)
        assert "năm" in (await person.say("Trần Văn Bình")).lower()  # the birth year comes next


async def test_pictures_stickers_and_voice_get_please_type(
    fake: FakeZalo, sqlite_url: str, clock: FakeClock
) -> None:
    async with running_zalo(zalo_settings(sqlite_url, fake), clock) as (_app, gateway):
        person = ZaloPerson(fake, AN, gateway)
        await person.say("/start")
        await person.choose("Đồng ý")
        for send in (fake.send_image, fake.send_sticker, fake.send_voice):
            before = len(fake.chat(AN))
            send(AN)
            await fake.wait_for(AN, before + 1)
            await gateway.idle()
            said = "\n".join(m.text for m in fake.chat(AN)[before:])
            assert "Hãy gõ câu trả lời" in said
            assert "Họ tên và năm sinh" in said  # the question again, nothing stored
        before = len(fake.chat(AN))
        fake.send_image(AN, caption="Nguyễn Thị Lan")  # a caption is typed text
        await fake.wait_for(AN, before + 1)
        assert "năm" in fake.last(AN).text.lower()


async def test_a_withheld_message_is_explained_once_without_a_loop(
    fake: FakeZalo, sqlite_url: str, clock: FakeClock
) -> None:
    async with running_zalo(zalo_settings(sqlite_url, fake), clock) as (_app, gateway):
        fake.send_unsupported(AN)
        await fake.wait_for(AN)
        await gateway.idle()
        assert len(fake.chat(AN)) == 1
        assert "Khuyến học" in fake.last(AN).text
        assert "Bạn có đồng ý" not in fake.last(AN).text


async def long_reply(app: App, gateway: Gateway, text: str, **extra: str) -> None:
    """Queue a message for AN through the outbox, as a leader's decision or a digest does."""
    async with unit_of_work(app.sessions) as session:
        await SqlOutbox(session).put(
            "t:1", "zalo", AN, OutboundMessage(text, **extra), app.clock.now()
        )
    gateway.sender.wake()


async def test_a_long_text_is_split_within_zalos_limit(
    fake: FakeZalo, sqlite_url: str, clock: FakeClock
) -> None:
    text = "\n".join(f"Chỉ số {n}: " + "minh chứng dài " * 12 for n in range(1, 15))
    assert len(text) > 2500
    async with running_zalo(zalo_settings(sqlite_url, fake), clock) as (app, gateway):
        fake.send_text(AN, "/start")  # Zalo gives a chat id only after the person wrote
        await fake.wait_for(AN)
        await long_reply(app, gateway, text)
        await fake.wait_for(AN, 3)
    parts = [m.text for m in fake.chat(AN)[1:]]
    assert all(len(part) <= 2000 for part in parts)
    assert " ".join(parts).split() == text.split()


async def test_a_chart_goes_as_a_photo_from_a_link_that_stays_valid(
    fake: FakeZalo, sqlite_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    chart = reports / "chart.png"
    chart.write_bytes(b"\x89PNG fake chart")
    (reports / "report.xlsx").write_bytes(b"PK workbook")
    port = free_port()
    settings = zalo_settings(
        sqlite_url,
        fake,
        CDHT_REPORTS_DIR=str(reports),
        CDHT_HTTP_PORT=port,
        CDHT_PUBLIC_URL=f"http://127.0.0.1:{port}",
    )
    async with running_zalo(settings, clock) as (_app, gateway):
        fake.send_text(AN, "/start")
        await fake.wait_for(AN)
        # A leader's chart is a direct reply in the leader menu.
        zalo = gateway.channels["zalo"]
        reply = OutboundMessage("Biểu đồ tuần này", image=str(chart))
        assert (await zalo.send(AN, [reply], None)).outcome == "sent"
        photo = fake.last(AN)
        assert photo.kind == "photo"
        assert photo.photo_ok
        assert (await fake.fetch_again(photo)).ok
        clock.advance(days=7)  # a week later the link still works...
        assert (await fake.fetch_again(photo)).ok
        forged = str(photo.photo_url).replace("chart.png", "report.xlsx")
        async with httpx.AsyncClient() as client:
            assert (await client.get(forged)).status_code == 404  # ...and cannot be bent
        report = OutboundMessage("Báo cáo Excel", document=str(reports / "report.xlsx"))
        assert (await zalo.send(AN, [report], None)).outcome == "sent"
        link = fake.last(AN).text.split("📎 ")[1]
        async with httpx.AsyncClient() as client:
            assert (await client.get(link)).content == b"PK workbook"
        clock.advance(days=2)
        assert not (await fake.fetch_again(photo)).ok


async def test_429_is_waited_out_and_a_block_marks_the_person_unreachable(
    fake: FakeZalo, sqlite_url: str, clock: FakeClock
) -> None:
    async with running_zalo(zalo_settings(sqlite_url, fake), clock) as (app, gateway):
        person = ZaloPerson(fake, AN, gateway)
        fake.fail_next("sendMessage", status=429, retry_after=1)
        assert "Bạn có đồng ý không?" in await person.say("/start")
        fake.blocked.add(AN)
        fake.send_text(AN, "1")
        await fake.wait_for(lambda: any(c.status == 403 for c in fake.calls_to("sendMessage")))
        await gateway.idle()
        async with unit_of_work(app.sessions) as session:
            who = (await session.execute(select(Person))).scalar_one()
            queued = await session.execute(select(func.count()).select_from(OutboxMessage))
        assert who.unreachable_at is not None
        assert queued.scalar_one() == 0  # not retried: the person said no


async def test_reminders_reach_people_on_zalo_as_a_command_to_type(
    fake: FakeZalo, sqlite_url: str, clock: FakeClock
) -> None:
    """A reminder's "Làm tiếp" is typed as /tiep on Zalo: a number would answer the current
    question instead."""
    async with running_zalo(zalo_settings(sqlite_url, fake), clock) as (app, gateway):
        person = ZaloPerson(fake, AN, gateway)
        await person.say("/start")
        await person.choose("Đồng ý")
        await person.say("Nguyễn Thị Lan")
        await person.say("1972")
        await person.say("hai hau")  # the only commune by that name: the village comes next
        # 08:05 in Hà Nội, 14 days before the citizens' deadline (20/11)
        clock.current = datetime(2026, 11, 6, 1, 5, tzinfo=UTC)
        report = await Campaigns(app, {}, channels=("zalo",)).plan_now()
        assert report.reminders == 1
        gateway.sender.wake()
        await fake.wait_for(lambda: "/tiep" in fake.last(AN).text)
        reminder = fake.last(AN).text
        assert "Làm tiếp: /tiep" in reminder
        assert "1." not in reminder
        assert "thôn" in await person.say("/tiep")  # back at the village question


async def test_healthz_fails_when_the_sender_has_stopped_passing(
    fake: FakeZalo, sqlite_url: str, clock: FakeClock
) -> None:
    async with running_zalo(webhook_settings(sqlite_url, fake), clock) as (_app, gateway):
        url = hook_url(gateway).replace("/zalo/hook", "/healthz")
        async with httpx.AsyncClient() as client:
            await fake.wait_for(lambda: gateway.sender.last_pass is not None)
            assert (await client.get(url)).text == "ok"
            gateway.sender.last_pass = -1e9  # as if the last pass ended long ago
            assert (await client.get(url)).status_code == 503


async def test_a_long_reply_failing_half_way_is_resent_from_the_unsent_piece(
    fake: FakeZalo, sqlite_url: str, clock: FakeClock
) -> None:
    text = "\n".join(f"Dòng {n}: " + "chữ " * 40 for n in range(1, 30))
    async with running_zalo(zalo_settings(sqlite_url, fake), clock) as (app, gateway):
        fake.send_text(AN, "/start")
        await fake.wait_for(AN)

        async def fail_the_next_one(call: object) -> None:
            fake.after_send = None
            fake.fail_next("sendMessage", status=502)

        fake.after_send = fail_the_next_one
        await long_reply(app, gateway, text)
        await fake.wait_for(AN, 2)  # the first piece went out, the second failed
        clock.advance(minutes=2)  # the retry is due
        gateway.sender.wake()
        await fake.wait_for(
            lambda: " ".join(m.text for m in fake.chat(AN)[1:]).split() == text.split()
        )
    pieces = [m.text for m in fake.chat(AN)[1:]]
    assert len(pieces) == len(set(pieces))  # no piece twice


async def test_a_403_while_polling_does_not_stop_polling(
    fake: FakeZalo, sqlite_url: str, clock: FakeClock
) -> None:
    async with running_zalo(zalo_settings(sqlite_url, fake), clock) as (_app, gateway):
        fake.fail_next("getUpdates", status=403)
        await fake.wait_for(lambda: any(c.status == 403 for c in fake.calls_to("getUpdates")))
        person = ZaloPerson(fake, AN, gateway)
        assert "Bạn có đồng ý không?" in await person.say("/start")
