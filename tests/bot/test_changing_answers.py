"""Changing any answer from the result, before sending and after a leader returned it."""

import pytest

from bot.app import App
from tests.bot.flows import answer_digital, group_label, register, score_all
from tests.bot.test_transcripts import stored
from tests.support import Chat


@pytest.fixture
async def at_result(app: App) -> Chat:
    chat = Chat(app, locale_hint="en")
    await register(chat)
    await score_all(chat, [8] * 10)
    await answer_digital(chat)
    assert "Your result for 2026: 80/100 points." in chat.text
    return chat


async def test_name_and_birth_year_are_changed_from_the_result(app: App, at_result: Chat) -> None:
    chat = at_result
    await chat.click("Change an answer")
    await chat.click("Name")
    assert "Your answer now: Nguyễn Văn An" in chat.text
    await chat.send("Nguyễn Văn Bình")
    assert "Your result for 2026" in chat.text
    await chat.click("Change an answer")
    await chat.click("Year of birth")
    await chat.send("1970")
    assert "Your result for 2026" in chat.text
    state = await stored(app)
    assert state is not None
    assert state.profile.name == "Nguyễn Văn Bình"
    assert state.profile.birth_year == 1970
    assert state.step == "summary"


async def test_commune_change_asks_the_village_again_then_returns(
    app: App, at_result: Chat
) -> None:
    chat = at_result
    await chat.click("Change an answer")
    await chat.send("commune")
    await chat.send("hai hau")
    await chat.send("Xóm 7")
    assert "Your result for 2026" in chat.text
    state = await stored(app)
    assert state is not None
    assert state.profile.place_name == "Xóm 7"
    assert state.step == "summary"


async def test_village_group_indicator_and_digital_answers_are_changed(
    app: App, at_result: Chat
) -> None:
    chat = at_result
    await chat.click("Change an answer")
    await chat.click("Village or unit")
    await chat.send("Xóm 9")
    await chat.click("Change an answer")
    await chat.click("Group")
    await chat.click(group_label("b"))
    assert "Your result for 2026" in chat.text
    await chat.click("Change an answer")
    await chat.click("4")
    await chat.click("10")
    assert "Your result for 2026: 82/100 points." in chat.text
    await chat.click("Change an answer")
    await chat.click("Digital skills")
    await chat.click("5")
    await chat.click("Not yet")
    assert "Your result for 2026" in chat.text
    state = await stored(app)
    assert state is not None
    assert state.assessment is not None
    assert state.profile.place_name == "Xóm 9"
    assert state.assessment.group == "b"
    assert state.assessment.scores["4"] == 10
    assert state.assessment.digital["d5"] == "no"


async def test_back_at_the_result_goes_to_the_last_question(at_result: Chat) -> None:
    await at_result.send("/lai")
    assert "Digital skills 10/10" in at_result.text
    await at_result.click("Not yet")
    assert "Your result for 2026" in at_result.text
