"""Leaders in the chat, in Vietnamese and in English: the calendar takes weekdays and dates
as people write them and says what is wrong in the leader's language; codes typed from
paper work in any case, with spaces or dashes; codes made before still work."""

from datetime import datetime

from bot.app import App
from conversations.roles import RoleName
from storage.db import unit_of_work
from storage.directory import SqlDirectory
from storage.leadership import create_invite
from storage.models import Invite, PlaceLink
from tests.support import Chat


async def commune_code(app: App) -> str:
    async with unit_of_work(app.sessions) as session:
        commune = (await SqlDirectory(session).search_communes("hai hau", 1))[0].id
        return await create_invite(session, RoleName.COMMUNE, commune, app.clock.now())


def as_typed(code: str) -> str:
    """How a leader types a code read off paper: lower case, in two halves."""
    return f"{code[:4].lower()} {code[4:].lower()}"


# (a button to press, or a line to type; what the leader then reads)
IN_VIETNAMESE = [
    ("Lịch nhắc và báo cáo", "Báo cáo tuần: Thứ Hai, lúc 07:30."),
    ("Đổi ngày báo cáo tuần", "ví dụ thứ 2 hoặc T2"),
    ("> thu", "Giá trị này chưa đúng. “thu” chưa rõ là thứ mấy."),
    ("> thứ 8", "“thứ 8” không phải thứ trong tuần. Hãy ghi thứ 2 … thứ 7, chủ nhật"),
    ("> thu 5", "Báo cáo tuần: Thứ Năm, lúc 07:30."),  # "thứ 5" unaccented: Thursday
    ("Đổi ngày báo cáo tuần", ""),
    ("> CN", "Báo cáo tuần: Chủ Nhật, lúc 07:30."),
    ("Đổi hạn của người dân", ""),
    ("> 31/02", "Giá trị này chưa đúng. Tháng 2 năm 2026 không có ngày 31."),
    ("> 11/20", "Không có tháng 20. Tháng chỉ từ 1 đến 12."),  # month first is never read
    ("> 15/11/2027", "Cài đặt này cho năm 2026."),
    ("> 12/12/2026", "Hạn của người dân (12/12) phải trước ngày gửi báo cáo (10/12)."),
    ("> 5-11-2026", "hạn tự đánh giá là 5 tháng 11 năm 2026"),
    ("Đổi hạn của người dân", ""),
    ("> ngày 15 tháng 11", "hạn tự đánh giá là 15 tháng 11 năm 2026"),
]
IN_ENGLISH = [
    ("Reminders and calendar", "Weekly report: Monday at 07:30."),
    ("Change the report day", "e.g. monday, thứ 2 or T2"),
    ("> thu", "That value does not fit. “thu” is unclear: write “thursday”"),
    ("> Thursday", "Weekly report: Thursday at 07:30."),
    ("Change the citizens' deadline", ""),
    ("> 29/02", "That value does not fit. Month 2 of 2026 has no day 29."),
    ("> 28/02", "self-assessments due by February 28, 2026"),
    ("Change reminder days", ""),
    ("> 14, 7, 200", "each from 1 to 120"),
]


async def leader_plays(app: App, locale: str, steps: list[tuple[str, str]]) -> None:
    """A commune leader joins with a code typed by hand, opens the leader menu and goes
    through the steps, reading each expected text."""
    leader = Chat(app, user=f"leader-{locale}", locale_hint=locale)
    await leader.send(f"/vaitro {as_typed(await commune_code(app))}")
    await leader.send("/lanhdao")
    for action, expected in steps:
        if action.startswith("> "):
            await leader.send(action[2:])
        else:
            await leader.click(action)
        assert expected in leader.text, f"after {action!r}"


async def test_a_vietnamese_leader_sets_the_calendar_in_vietnamese_words(app: App) -> None:
    await leader_plays(app, "vi", IN_VIETNAMESE)


async def test_an_english_leader_is_told_in_english(app: App) -> None:
    await leader_plays(app, "en", IN_ENGLISH)


async def test_codes_made_before_still_work_exactly_as_given(app: App) -> None:
    """Codes were case-sensitive URL-safe text ("aB3-x_9Q"); those given out keep working."""
    now = app.clock.now()
    async with unit_of_work(app.sessions) as session:
        commune = (await SqlDirectory(session).search_communes("hai hau", 1))[0]
        expires = datetime(2099, 1, 1, tzinfo=now.tzinfo)
        session.add(
            Invite(
                code="aB3-x_9Q",
                role="commune_leader",
                org_unit_id=commune.id,
                created_at=now,
                expires_at=expires,
            )
        )
        session.add(PlaceLink(code="Zz_0-oO1", org_unit_id=commune.id, created_at=now))
    leader = Chat(app, user="old", locale_hint="en")
    await leader.send("/vaitro aB3-x_9Q")
    assert "You are now commune association leader" in leader.text
    citizen = Chat(app, user="citizen", locale_hint="en")
    await citizen.send("/start Zz_0-oO1")
    assert "not valid any more" not in citizen.text
