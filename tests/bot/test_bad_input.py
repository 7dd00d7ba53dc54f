"""Bad input: one short explanation, the same question again, nothing stored changes."""

import pytest

from bot.app import App
from tests.bot.flows import answer_digital, register, score_all
from tests.bot.test_transcripts import stored
from tests.support import Chat

SCORE_QUESTION = "Your points? Guide: 0 no reading or watching"


@pytest.mark.parametrize(
    ("typed", "explanation"),
    [
        ("bảy mươi", "Please answer with a whole number from 0 to 10."),
        ("8/20", "The score must be from 0 to 10."),
        ("11", "The score must be from 0 to 10."),
        ("-1", "The score must be from 0 to 10."),
        ("7.5", "Please answer with a whole number from 0 to 10."),
        ("", "You have not written anything yet."),
        ("   ", "You have not written anything yet."),
        ("x" * 5000, "That message is too long."),
        ("😀", "Please answer with a whole number from 0 to 10."),
        ("1²", "Please answer with a whole number from 0 to 10."),  # isdigit, not int
        ("²", "Please answer with a whole number from 0 to 10."),
        ("9" * 20, "The score must be from 0 to 10."),
        ("\x00", "You have not written anything yet."),
        ("/khongco", "I do not know that command."),
        ("/sua 42", "Please give an indicator number from 1 to 10."),
    ],
)
async def test_a_bad_score_is_explained_and_the_question_repeated(
    app: App, typed: str, explanation: str
) -> None:
    chat = Chat(app, locale_hint="en")
    await register(chat)
    before = await stored(app)
    await chat.send(typed)
    assert len(chat.latest) == 2
    assert explanation in chat.latest[0].text
    assert SCORE_QUESTION in chat.last.text
    assert "Indicator 1/10" in chat.last.text
    assert await stored(app) == before


@pytest.mark.parametrize(
    ("step_input", "typed", "explanation"),
    [
        ([], "12345", "Please write your full name in letters"),
        ([], "😀😀", "Please write your full name in letters"),
        ([], "A" * 200, "Please keep it under 80 characters."),
        (["Nguyễn Văn An"], "sáu tám", "Please write your year of birth with 4 digits"),
        (["Nguyễn Văn An"], "1850", "The year of birth must be from 1926 to 2016."),
        (["Nguyễn Văn An"], "196", "Please write your year of birth with 4 digits"),
        (["Nguyễn Văn An", "1968"], "h", "Please type at least 2 letters of the name."),
    ],
)
async def test_bad_registration_answers_are_explained(
    app: App, step_input: list[str], typed: str, explanation: str
) -> None:
    chat = Chat(app, locale_hint="en")
    await chat.send("/batdau")
    await chat.click("I agree")
    for line in step_input:
        await chat.send(line)
    before = await stored(app)
    question = chat.last.text
    await chat.send(typed)
    assert explanation in chat.latest[0].text
    assert chat.last.text == question
    assert await stored(app) == before


async def test_a_too_long_evidence_note_is_refused(app: App) -> None:
    chat = Chat(app, locale_hint="en")
    await register(chat)
    before = await stored(app)
    await chat.send("6, " + "học " * 200)
    assert "Please keep it under 500 characters." in chat.text
    assert await stored(app) == before


async def test_text_where_a_button_is_expected_names_the_options(app: App) -> None:
    chat = Chat(app, locale_hint="en")
    await register(chat)
    for score in range(10):
        await chat.click(str(score))
    await chat.send("maybe")
    assert "Please choose one of the options, or type its number." in chat.text
    await chat.send("9")
    assert "Please choose one of the options" in chat.text


async def test_natural_answers_carry_a_farmer_through_registration(app: App) -> None:
    chat = Chat(app, locale_hint="vi")
    await chat.send("/batdau")
    await chat.send("vâng")
    await chat.send("Nguy\u200bễn Văn \u00d0ức")
    await chat.send("65")
    assert "Bạn sinh năm 1965, đúng không?" in chat.text
    await chat.send("ừ")
    await chat.send("hai hau")
    await chat.send("Xóm 3")
    await chat.send("lam ruong")
    assert "Câu 1/10" in chat.text
    await chat.send("8 điểm")
    state = await stored(app)
    assert state is not None
    assert state.assessment is not None
    assert state.profile.name == "Nguyễn Văn Đức"
    assert state.profile.birth_year == 1965
    assert state.assessment.group == "a"
    assert state.assessment.scores == {"1": 8}


async def test_a_guessed_century_can_be_refused(app: App) -> None:
    chat = Chat(app, locale_hint="vi")
    await chat.send("/batdau")
    await chat.send("có")
    await chat.send("Nguyễn Văn An")
    await chat.send("sinh năm 65")
    await chat.send("ko")
    assert "Bạn sinh năm nào?" in chat.text
    await chat.send("sinh năm 1966")
    state = await stored(app)
    assert state is not None
    assert state.profile.birth_year == 1966


async def test_no_at_the_consent_declines(app: App) -> None:
    chat = Chat(app, locale_hint="vi")
    await chat.send("/batdau")
    await chat.send("không")
    state = await stored(app)
    assert state is not None
    assert state.step == "declined"


@pytest.mark.parametrize("typed", ["\u0667", "\uff17", "\u06f7", " 7\x00"])
async def test_digits_of_other_scripts_are_read_as_digits(app: App, typed: str) -> None:
    chat = Chat(app, locale_hint="en")
    await register(chat)
    await chat.send(typed)
    state = await stored(app)
    assert state is not None
    assert state.assessment is not None
    assert state.assessment.scores == {"1": 7}


async def test_a_year_of_birth_in_arabic_indic_digits_is_understood(app: App) -> None:
    chat = Chat(app, locale_hint="en")
    await chat.send("/batdau")
    await chat.click("I agree")
    await chat.send("Nguyễn\x00 Văn\r\nAn")
    await chat.send("\u0661\u0669\u0666\u0668")  # 1968 in Arabic-Indic digits
    state = await stored(app)
    assert state is not None
    assert state.profile.birth_year == 1968
    assert state.profile.name == "Nguyễn Văn An"  # NUL dropped, the line break squeezed


@pytest.mark.parametrize("typed", ["1²", "²", "9" * 20, "0", "\u0661\u0661"])
async def test_a_bad_digital_question_number_is_explained(app: App, typed: str) -> None:
    chat = Chat(app, locale_hint="en")
    await register(chat)
    await score_all(chat, [9] * 10)
    await answer_digital(chat)
    await chat.click("Change an answer")
    await chat.click("Digital skills")
    before = await stored(app)
    await chat.send(typed)
    assert "Please give a number from 1 to 10." in chat.latest[0].text
    assert await stored(app) == before
