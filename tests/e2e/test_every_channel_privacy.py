"""/dulieu on every channel, written once with the transcript kit: see the data, withdraw
consent (asked once), then delete it (asked once); nothing of the person is left."""

import pytest
from sqlalchemy import select

from conversations.model import default_criteria
from storage.db import unit_of_work
from storage.models import Person as PersonRow
from tests.e2e.test_every_channel import CHANNELS
from tests.kit import Person
from tests.support import FakeClock


async def register(person: Person) -> None:
    assert "Hội Khuyến học xã, phường nơi bạn sống giữ" in await person.say("/start")
    await person.choose("Đồng ý")
    await person.say("Nguyễn Thị Lan")
    await person.say("1972")
    await person.say("hai hau")
    await person.choose("Xã Hải Hậu, Ninh Bình")
    await person.say("Xóm 3")
    await person.choose(default_criteria().occupations[0].label.vi)
    assert "Chỉ số 1/10" in await person.choose("Đúng rồi")


@pytest.mark.parametrize("channel", list(CHANNELS))
async def test_see_withdraw_and_delete_on_every_channel(
    channel: str, sqlite_url: str, clock: FakeClock
) -> None:
    async with CHANNELS[channel](sqlite_url, clock) as (app, person):
        await register(person)
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
