"""A leader pastes the lines of a CSV file on every channel (Zalo's Bot Platform delivers no
files, so pasting is the way there): all lines or none, each bad line named in Vietnamese."""

import pytest
from sqlalchemy import select

from conversations.i18n import Translator
from conversations.roles import RoleName
from conversations.text import fold
from storage.db import unit_of_work
from storage.directory import SqlDirectory
from storage.leadership import create_invite
from storage.models import NamedUnit, OrgUnit
from tests.e2e.test_every_channel import CHANNELS
from tests.support import FakeClock

T = Translator("vi")
BAD = "Nơi;Loại;Năm;Đạt;Tên\nXóm 5;Gia đình;2026;1;Nguyễn Văn An\nXóm 9;Dòng họ;2026;1;Họ Trần"
GOOD = "Nơi;Loại;Năm;Đạt;Tên\nXóm 5;Gia đình;2026;1;Nguyễn Văn An\nXóm 5;Dòng họ;2026;1;Họ Trần"


@pytest.mark.parametrize("channel", list(CHANNELS))
async def test_a_leader_pastes_csv_lines(channel: str, sqlite_url: str, clock: FakeClock) -> None:
    async with CHANNELS[channel](sqlite_url, clock) as (app, leader):
        async with unit_of_work(app.sessions) as session:
            commune = (await SqlDirectory(session).search_communes("hai hau", 1))[0]
            xom = OrgUnit(parent_id=commune.id, kind="village", name="Xóm 5", search_key="")
            xom.search_key = fold(xom.name)
            session.add(xom)
            code = await create_invite(session, RoleName.COMMUNE, commune.id, clock.now())
        await leader.say(f"/vaitro {code}")
        await leader.say("/lanhdao")
        await leader.choose(T("Titles and the association's numbers"))
        await leader.choose(T("Import from a CSV file"))
        refused = await leader.say(BAD)
        assert "Chưa nhập gì." in refused
        assert "dòng 3: Xã Hải Hậu không có thôn hay đơn vị nào tên “Xóm 9”" in refused
        assert T("Imported: {n} lines.", n=2) in await leader.say(GOOD)
        async with unit_of_work(app.sessions) as session:
            names = (await session.execute(select(NamedUnit.name))).scalars().all()
    assert sorted(names) == ["Họ Trần", "Nguyễn Văn An"]
