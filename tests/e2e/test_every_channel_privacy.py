"""/dulieu on every channel, written once with the transcript kit: see the data, withdraw
consent (asked once), then delete it (asked once); nothing of the person is left."""

import pytest
from sqlalchemy import select

from storage.db import unit_of_work
from storage.models import Person as PersonRow
from tests.e2e.test_every_channel import CHANNELS
from tests.kit import register
from tests.support import FakeClock


@pytest.mark.parametrize("channel", list(CHANNELS))
async def test_see_withdraw_and_delete_on_every_channel(
    channel: str, sqlite_url: str, clock: FakeClock
) -> None:
    async with CHANNELS[channel](sqlite_url, clock) as (app, person):
        assert "Câu 1/10" in await register(person)
        assert "Hội Khuyến học Xã Hải Hậu, Ninh Bình" in await person.say("/dulieu")
        seen = await person.choose("Xem dữ liệu của tôi")
        assert "Họ tên: Nguyễn Thị Lan" in seen
        assert "Năm sinh: 1972" in seen
        assert "cán bộ Hội không xem được" in await person.choose("Rút lại sự đồng ý")
        assert "Xong: bạn đã rút lại sự đồng ý." in await person.choose("Có, rút lại")
        assert "tôi không ghi thêm gì" in await person.say("9")
        await person.say("/dulieu")
        assert "không lấy lại được" in await person.choose("Xóa dữ liệu của tôi")
        assert "Dữ liệu của bạn đã được xóa." in await person.choose("Có, xóa")
        async with unit_of_work(app.sessions) as session:
            assert (await session.execute(select(PersonRow))).first() is None
