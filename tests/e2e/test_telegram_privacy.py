"""/dulieu on Telegram, over real HTTP against the fake Bot API: see the data, receive it as a
file, withdraw consent, then delete everything (Law 91/2025/QH15)."""

import json

from sqlalchemy import select

from storage.db import unit_of_work
from storage.models import Conversation, InboxUpdate, Person
from tests.e2e.telegram_support import Citizen, register_until_scores, running, telegram_settings
from tests.fakes.telegram_api import FakeTelegram
from tests.support import FakeClock

LAN = 1001


async def test_see_export_withdraw_and_delete_on_telegram(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock, tmp_path: object
) -> None:
    settings = telegram_settings(sqlite_url, fake, CDHT_REPORTS_DIR=f"{tmp_path}/reports")
    async with running(settings, clock) as (app, _service):
        citizen = Citizen(fake, LAN)
        assert "Câu 1/10" in await register_until_scores(citizen)
        assert "Bạn muốn làm gì?" in await citizen.say("/dulieu")
        assert "Họ tên: Nguyễn Thị Lan" in await citizen.tap("Xem dữ liệu của tôi")
        await citizen.tap("Nhận bản sao (tệp)")  # the summary as text, the file, the menu
        await fake.wait_for(
            lambda: "Rút lại sự đồng ý" in citizen.labels, seconds=10, what="the menu again"
        )
        document = next(m for m in fake.chat(LAN) if m.kind == "document")
        assert document.file_bytes is not None
        exported = json.loads(document.file_bytes)
        assert exported["person"]["name"] == "Nguyễn Thị Lan"
        assert exported["person"]["user_ref"] == str(LAN)

        await citizen.tap("Rút lại sự đồng ý")
        assert "Xong: bạn đã rút lại sự đồng ý." in await citizen.tap("Có, rút lại")
        assert "tôi không ghi thêm gì" in await citizen.say("7")

        await citizen.say("/dulieu")
        assert "Rút lại sự đồng ý" not in citizen.labels  # already withdrawn
        assert "không lấy lại được" in await citizen.tap("Xóa dữ liệu của tôi")
        assert "Dữ liệu của bạn đã được xóa." in await citizen.tap("Có, xóa")
        async with unit_of_work(app.sessions) as session:
            assert (await session.execute(select(Person))).first() is None
            assert (await session.execute(select(Conversation))).first() is None
            payloads = (await session.execute(select(InboxUpdate.payload))).scalars().all()
        assert not any("Nguyễn Thị Lan" in json.dumps(p, ensure_ascii=False) for p in payloads)
        assert not any(str(LAN) in json.dumps(p) for p in payloads)
