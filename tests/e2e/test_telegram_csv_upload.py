"""A leader sends a CSV file as a Telegram document: the bot fetches it (getFile, then the
download) over real HTTP, imports all lines or none, and names each bad line in the
leader's language; a file that is not text is refused with a clear message."""

from sqlalchemy import select

from conversations.i18n import Translator
from conversations.roles import RoleName
from conversations.text import fold
from storage.db import unit_of_work
from storage.directory import SqlDirectory
from storage.leadership import create_invite
from storage.models import NamedUnit, OrgUnit
from storage.plan_facts import fact_totals
from tests.e2e.telegram_support import Citizen, running, telegram_settings
from tests.fakes.telegram_api import FakeTelegram
from tests.support import FakeClock

LEADER = 2001
T = Translator("vi")
BAD = (
    "\ufeffNơi;Loại;Năm;Đạt;Tên\r\n"
    "Xóm 5;Gia đình học tập;2026;1;Nguyễn Văn An\r\n"
    "Xóm 9;Gia đình học tập;2026;1;Trần Thị Bình\r\n"
    "Xóm 5;Dòng họ học tập;2026;2;Họ Trần\r\n"
).encode()
GOOD = (
    "\ufeffNơi;Loại;Năm;Đạt;Tên\r\n"
    "Xóm 5;Gia đình học tập;2026;1;Nguyễn Văn An\r\n"
    "Xóm 5;Gia đình học tập;2026;0;Trần Thị Bình\r\n"
    "Xóm 5;Dòng họ học tập;2026;1;Họ Trần\r\n"
).encode()


async def upload(leader: Citizen, name: str, content: bytes) -> str:
    before = len(leader.fake.chat(leader.user_id))
    leader.fake.send_document(leader.user_id, name, content)
    await leader.fake.wait_for(
        lambda: len(leader.fake.chat(leader.user_id)) > before, seconds=10, what="a reply"
    )
    return "\n".join(m.text for m in leader.fake.chat(leader.user_id)[before:])


async def test_a_commune_leader_uploads_a_csv_file(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock
) -> None:
    async with running(telegram_settings(sqlite_url, fake), clock) as (app, _gateway):
        async with unit_of_work(app.sessions) as session:
            commune = (await SqlDirectory(session).search_communes("hai hau", 1))[0]
            session.add(
                OrgUnit(
                    parent_id=commune.id, kind="village", name="Xóm 5", search_key=fold("Xóm 5")
                )
            )
            code = await create_invite(session, RoleName.COMMUNE, commune.id, clock.now())
        leader = Citizen(fake, LEADER)
        await leader.say(f"/vaitro {code}")
        await leader.say("/lanhdao")
        await leader.tap(T("Titles and the association's numbers"))
        await leader.tap(T("Import from a CSV file"))

        refused = await upload(leader, "danh-hieu.csv", BAD)
        assert T("Nothing was imported. Correct these lines and send the file again:") in refused
        assert "dòng 3: Xã Hải Hậu không có thôn hay đơn vị nào tên “Xóm 9”" in refused
        assert "dòng 4: cột Đạt “2” phải là 1 (được công nhận) hoặc 0" in refused
        async with unit_of_work(app.sessions) as session:
            assert (await session.execute(select(NamedUnit))).first() is None

        workbook = await upload(leader, "danh-hieu.xlsx", b"PK\x03\x04\x14\x00\x06\x00")
        assert "Không đọc được tệp này." in workbook

        stored = await upload(leader, "danh-hieu.csv", GOOD)
        assert T("Imported: {n} lines.", n=3) in stored
        async with unit_of_work(app.sessions) as session:
            hai_hau = await session.get(OrgUnit, commune.id)
            assert hai_hau is not None
            totals = await fact_totals(session, hai_hau, 2026)
        assert (totals["households"], totals["clans"]) == ((1, 2), (1, 1))
    assert len(fake.calls_to("getFile")) == 3
    assert len(fake.calls_to("download")) == 3
