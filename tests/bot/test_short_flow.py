"""Fewer, shorter messages: reminders instead of repeats, greetings are not answers,
evidence costs nothing when skipped (issue 9, item 2)."""

import pytest

from bot.app import App
from tests.bot.flows import answer_digital, register, score_all
from tests.bot.test_transcripts import stored
from tests.support import Chat


@pytest.fixture
def chat(app: App) -> Chat:
    return Chat(app, locale_hint="en")


async def test_an_error_repeats_only_the_short_question(chat: Chat) -> None:
    await register(chat)
    await chat.send("bảy mươi")
    assert len(chat.latest) == 2
    reminder = chat.last.text
    assert reminder.startswith("Indicator 1/10: Finding and reading")
    assert "You may add what you did" not in reminder
    assert [c.label for c in chat.last.choices][:11] == [str(n) for n in range(11)]


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        ("/trogiup", "Send it for confirmation?"),
        ("/ngonngu en", "Send it for confirmation?"),
        ("/dulieu", "What would you like to do?"),  # the data menu, then back to the result
    ],
)
async def test_commands_at_the_result_do_not_reprint_it(
    chat: Chat, command: str, shown: str
) -> None:
    await register(chat)
    await score_all(chat, [9] * 10)
    await answer_digital(chat)
    await chat.send(command)
    assert "Your result for 2026" not in chat.text
    assert shown in chat.last.text
    await chat.send("/ketqua")
    assert "Your result for 2026: 90/100 points." in chat.text


async def test_changing_language_from_its_menu_at_the_result_does_not_reprint_it(
    chat: Chat,
) -> None:
    await register(chat)
    await score_all(chat, [9] * 10)
    await answer_digital(chat)
    await chat.send("/ngonngu")
    await chat.click("Tiếng Việt")
    assert "Kết quả năm" not in chat.text
    assert "Gửi để Hội Khuyến học xác nhận?" in chat.last.text


@pytest.mark.parametrize("greeting", ["chào bạn", "Xin chào!", "alo", "Chao ban"])
async def test_a_greeting_at_a_free_text_step_is_not_stored(
    app: App, chat: Chat, greeting: str
) -> None:
    await chat.send("/batdau")
    await chat.click("I agree")
    before = await stored(app)
    await chat.send(greeting)
    assert "Hello!" in chat.text
    assert "Your full name and year of birth?" in chat.last.text
    assert await stored(app) == before


async def test_a_person_coming_back_sees_which_question_they_are_on(chat: Chat) -> None:
    await register(chat)
    await score_all(chat, [8, 8, 8])
    await chat.send("/tiep")
    assert chat.last.text.startswith("Indicator 4/10: Encouraging")


async def test_evidence_goes_with_the_score_or_from_the_result(app: App, chat: Chat) -> None:
    await register(chat)
    await chat.send("8, học lớp tin học ở nhà văn hóa")
    assert "Indicator 2/10" in chat.last.text
    await score_all(chat, [8] * 9)
    await answer_digital(chat)
    await chat.click("Add what you did (evidence)")
    await chat.click("3")
    assert "Indicator 3/10" in chat.text
    await chat.send("đi họp thôn đều")
    assert "Your result for 2026" in chat.last.text
    state = await stored(app)
    assert state is not None
    assert state.assessment is not None
    assert state.assessment.notes == {
        "1": "học lớp tin học ở nhà văn hóa",
        "3": "đi họp thôn đều",
    }


async def test_the_name_and_year_come_in_one_answer(app: App, chat: Chat) -> None:
    await chat.send("/batdau")
    await chat.click("I agree")
    await chat.send("Lê Thị Hoa, 1965")
    assert "Which commune or ward" in chat.last.text
    state = await stored(app)
    assert state is not None
    assert (state.profile.name, state.profile.birth_year) == ("Lê Thị Hoa", 1965)


async def test_explain_shows_the_group_text_then_the_short_question(chat: Chat) -> None:
    await register(chat, group="d")
    await chat.click("Explain")
    assert "school library" in chat.text
    assert chat.last.text.startswith("Indicator 1/10")


async def test_each_score_question_says_what_its_scores_mean(chat: Chat) -> None:
    await register(chat)
    assert "0 no reading or watching · 5 now and then · 8 every week" in chat.last.text
    await chat.click("7")
    assert "0 no plan to learn · 5 an idea, not done yet" in chat.last.text
