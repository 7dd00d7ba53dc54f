"""Webhook mode: Telegram POSTs updates to our ASGI server; a wrong secret is refused untouched."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.gateway import Gateway
from storage.db import unit_of_work
from storage.models import Person
from tests.e2e.telegram_support import (
    WebhookCitizen,
    complete_assessment,
    running,
    telegram_settings,
)
from tests.fakes.telegram_api import FakeTelegram, webhook_headers
from tests.support import FakeClock

SECRET = "s3cret_token-42"
HOOK = "https://bot.example.vn/telegram/hook"


@pytest.fixture
async def webhook(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock
) -> AsyncIterator[tuple[App, Gateway, str]]:
    settings = telegram_settings(
        sqlite_url,
        fake,
        TELEGRAM_WEBHOOK_URL=HOOK,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        CDHT_HTTP_PORT=0,
    )
    async with running(settings, clock) as (app, service):
        assert service.http is not None
        yield app, service, f"http://127.0.0.1:{service.http.port}/telegram/hook"


async def post(url: str, update: dict[str, Any], headers: dict[str, str]) -> int:
    async with httpx.AsyncClient() as client:
        response = await client.post(url, json=update, headers=headers)
    return response.status_code


async def people(app: App) -> int:
    async with unit_of_work(app.sessions) as session:
        return (await session.execute(select(func.count()).select_from(Person))).scalar_one()


async def test_the_webhook_is_registered_with_its_secret(
    fake: FakeTelegram, webhook: tuple[App, Gateway, str]
) -> None:
    assert fake.webhook is not None
    assert fake.webhook["url"] == HOOK
    assert fake.webhook["secret_token"] == SECRET
    assert not fake.calls_to("getUpdates")


async def test_a_citizen_is_served_through_the_webhook(
    fake: FakeTelegram, webhook: tuple[App, Gateway, str]
) -> None:
    _app, _service, url = webhook
    headers = webhook_headers(SECRET)
    assert await post(url, fake.send_text(3003, "/start"), headers) == 200
    await fake.wait_for(lambda: fake.chat(3003))
    assert "Bạn có đồng ý không?" in fake.last(3003).text
    assert await post(url, fake.tap(3003, "Đồng ý"), headers) == 200
    await fake.wait_for(lambda: "Họ tên và năm sinh" in fake.last(3003).text)
    for line, expected in [
        ("Nguyễn Văn Tư", "Bạn sinh năm nào?"),
        ("1966", "xã, phường nào?"),
        ("hai hau", "Bạn ở thôn, xóm"),  # the only commune by that name
    ]:
        assert await post(url, fake.send_text(3003, line), headers) == 200
        await fake.wait_for(lambda e=expected: e in fake.last(3003).text, what=expected)  # type: ignore[misc]


@pytest.mark.parametrize("headers", [{}, webhook_headers("wrong"), webhook_headers(SECRET + "x")])
async def test_a_request_without_the_right_secret_gets_403_and_changes_nothing(
    fake: FakeTelegram, webhook: tuple[App, Gateway, str], headers: dict[str, str]
) -> None:
    app, service, url = webhook
    assert await post(url, fake.send_text(3004, "/start"), headers) == 403
    await service.idle()
    assert not fake.calls_to("sendMessage")
    assert await people(app) == 0


async def test_a_malformed_body_is_refused(webhook: tuple[App, Gateway, str]) -> None:
    _app, _service, url = webhook
    async with httpx.AsyncClient() as client:
        response = await client.post(url, content=b"{not json", headers=webhook_headers(SECRET))
    assert response.status_code == 400


async def test_a_webhook_retry_of_the_same_update_is_answered_once(
    fake: FakeTelegram, webhook: tuple[App, Gateway, str]
) -> None:
    _app, service, url = webhook
    update = fake.send_text(3005, "/start")
    assert await post(url, update, webhook_headers(SECRET)) == 200
    assert await post(url, update, webhook_headers(SECRET)) == 200  # Telegram retried
    await service.idle()
    assert len(fake.chat(3005)) == 1


async def test_a_citizen_completes_the_whole_assessment_through_the_webhook(
    fake: FakeTelegram, webhook: tuple[App, Gateway, str]
) -> None:
    _app, _service, url = webhook
    citizen = WebhookCitizen(fake, 3006, url=url, secret=SECRET)
    result = await complete_assessment(citizen, [9, 8, 10, 7, 6, 5, 8, 9, 9, 9])
    assert "Đã gửi" in result
    summary = next(m.text for m in reversed(fake.chat(3006)) if "Kết quả năm" in m.text)
    assert "/100 điểm." in summary
    assert not fake.calls_to("getUpdates")  # nothing came by polling
