"""Regressions found in review: each test is one way a real person got stuck or lost data."""

import unicodedata
from dataclasses import replace

from bot.app import App
from storage.db import unit_of_work
from storage.state_store import StateStore
from tests.bot.flows import answer_digital, register, score_all
from tests.bot.test_transcripts import stored
from tests.support import Chat


async def test_an_incomplete_assessment_cannot_be_sent(app: App) -> None:
    chat = Chat(app, locale_hint="en")
    await register(chat)
    await score_all(chat, [8])
    await chat.send("/sua")
    await chat.send("/lai")
    assert "Indicator 2/10" in chat.last.text  # back to the first open question, not the summary
    state = await stored(app)
    assert state is not None
    # Even a summary reached some other way refuses to send while answers are missing.
    async with unit_of_work(app.sessions) as session:
        store = StateStore(session, app.criteria, app.digital)
        await store.save("console", "u1", replace(state, step="summary"), app.clock.now())
    await chat.send("/tiep")
    await chat.click("Send for confirmation")
    assert "Some questions are not answered yet" in chat.text
    assert "Indicator 2/10" in chat.last.text
    after = await stored(app)
    assert after is not None
    assert after.assessment is not None
    assert after.assessment.status == "draft"


async def test_choosing_the_language_twice_does_not_trap_the_person(app: App) -> None:
    chat = Chat(app, locale_hint="en")
    await register(chat)
    await chat.send("/ngonngu")
    await chat.send("/ngonngu")
    await chat.click("English")
    assert "Indicator 1/10" in chat.last.text
    await chat.send("/huy")
    await chat.send("/ngonngu")
    await chat.click("English")
    assert "Indicator 1/10" in chat.last.text


async def test_changing_the_current_indicator_goes_on_to_the_next(app: App) -> None:
    chat = Chat(app, locale_hint="en")
    await register(chat)
    await chat.send("/sua 1")
    await chat.click("7")
    assert "Indicator 2/10" in chat.last.text


async def test_no_as_an_evidence_note_means_skip(app: App) -> None:
    chat = Chat(app, locale_hint="en")
    await register(chat)
    await score_all(chat, [6] * 10)
    await answer_digital(chat)
    await chat.click("Add what you did (evidence)")
    await chat.click("1")
    await chat.send("không")
    assert "Your result for 2026" in chat.last.text
    state = await stored(app)
    assert state is not None
    assert state.assessment is not None
    assert state.assessment.notes == {}


async def test_a_name_typed_with_decomposed_accents_is_accepted_and_stored_composed(
    app: App,
) -> None:
    chat = Chat(app, locale_hint="en")
    await chat.send("/batdau")
    await chat.click("I agree")
    await chat.send(unicodedata.normalize("NFD", "Nguyễn Văn An"))
    assert "What year were you born?" in chat.last.text
    state = await stored(app)
    assert state is not None
    assert state.profile.name == "Nguyễn Văn An"
