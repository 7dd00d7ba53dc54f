"""The whole assessment on Telegram in polling mode, over real HTTP on 127.0.0.1."""

from sqlalchemy import select

from storage.db import unit_of_work
from storage.models import AssessmentRow, Person
from tests.e2e.telegram_support import (
    Citizen,
    complete_assessment,
    register_until_scores,
    running,
    telegram_settings,
)
from tests.fakes.telegram_api import FakeTelegram
from tests.support import FakeClock

LAN = 1001


async def test_a_citizen_completes_the_assessment_by_tapping_buttons(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock
) -> None:
    async with running(telegram_settings(sqlite_url, fake), clock) as (app, _service):
        citizen = Citizen(fake, LAN)
        result = await complete_assessment(citizen, [9, 8, 10, 7, 6, 5, 8, 9, 9, 9])
        assert "Đã gửi" in result
        chat = fake.chat(LAN)
        summary = next(m.text for m in reversed(chat) if "Kết quả năm" in m.text)
        assert "Kết quả năm 2026 của bạn: 80/100 điểm." in summary
        assert "✅ Gửi để xác nhận" in summary  # the tapped question shows the answer...
        assert not next(
            m for m in reversed(chat) if "Kết quả năm" in m.text
        ).buttons  # ...and no buttons
        async with unit_of_work(app.sessions) as session:
            row = (await session.execute(select(AssessmentRow))).scalar_one()
            person = (await session.execute(select(Person))).scalar_one()
        assert (row.total, row.recognised, row.status) == (80, True, "submitted")
        assert (person.channel, person.user_ref, person.locale) == ("telegram", str(LAN), "vi")
    assert len(fake.calls_to("answerCallbackQuery")) == citizen.taps  # every tap acknowledged
    assert len(fake.calls_to("editMessageText")) == citizen.taps


async def test_scores_come_as_two_rows_with_back_below(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock
) -> None:
    async with running(telegram_settings(sqlite_url, fake), clock):
        citizen = Citizen(fake, LAN)
        await register_until_scores(citizen)
        rows = [[b["text"] for b in row] for row in fake.last(LAN).buttons]
        assert rows == [
            [str(n) for n in range(6)],
            [str(n) for n in range(6, 11)],
            ["Giải thích", "« Quay lại"],
        ]
        # Free text works too: a wrong one is refused with only the short question again.
        refused = await citizen.say("mười một")
        assert "Bạn bấm hoặc gõ một số từ 0 đến 10" in refused
        assert "Câu 1/10" in refused
        assert "Câu 2/10" in await citizen.say("7 điểm")


async def test_commands_are_registered_in_vietnamese_and_english(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock
) -> None:
    async with running(telegram_settings(sqlite_url, fake), clock):
        vietnamese = {c["command"]: c["description"] for c in fake.commands("vi")}
        english = {c["command"]: c["description"] for c in fake.commands("en")}
        default = {c["command"]: c["description"] for c in fake.commands(None)}
    assert (
        set(vietnamese)
        == set(english)
        == {"batdau", "tiep", "lai", "sua", "ketqua", "huy", "ngonngu", "dulieu", "trogiup"}
    )
    assert vietnamese["lai"] == "quay lại câu trước"
    assert english["lai"] == "go back one question"
    assert default == vietnamese


async def test_the_telegram_language_picks_english(
    fake: FakeTelegram, sqlite_url: str, clock: FakeClock
) -> None:
    async with running(telegram_settings(sqlite_url, fake), clock):
        fake.send_text(2002, "/start", language_code="en-GB")
        await fake.wait_for(lambda: fake.chat(2002))
        assert "Do you agree?" in fake.last(2002).text
