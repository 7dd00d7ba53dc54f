"""The process may stop at any moment; a new one continues each person at the same step."""

import pytest

from bot.app import App
from bot.settings import Settings
from storage.state_store import StateStore
from tests.bot.flows import register, score_all
from tests.support import Chat, FakeClock


async def test_a_new_process_continues_each_person_where_they_were(
    sqlite_url: str, clock: FakeClock
) -> None:
    first = App(Settings(DATABASE_URL=sqlite_url), clock=clock)
    an, binh = Chat(first, user="an", locale_hint="en"), Chat(first, user="binh", locale_hint="en")
    await register(an)
    await score_all(an, [7, 8, 9])
    await binh.send("/batdau")
    await binh.click("I agree")
    await binh.send("Trần Thị Bình")
    await first.close()

    second = App(Settings(DATABASE_URL=sqlite_url), clock=clock)
    try:
        an, binh = Chat(second, user="an"), Chat(second, user="binh")
        await an.send("/tiep")
        assert "Indicator 4/10" in an.last.text
        await an.send("/lai")
        assert "Your answer now: 9" in an.last.text
        await binh.send("/tiep")
        assert "What year were you born?" in binh.last.text
        await binh.send("1975")
        assert "Which commune or ward" in binh.last.text
    finally:
        await second.close()


async def test_a_failed_transaction_leaves_the_previous_state_and_logs_no_personal_data(
    app: App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    chat = Chat(app, locale_hint="en")
    await register(chat)
    await chat.click("5")

    async def broken_save(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full while saving Nguyễn Văn An")

    with monkeypatch.context() as patch:
        patch.setattr(StateStore, "save", broken_save)
        await chat.send("6, hello note")
    assert chat.text.startswith("Sorry, something went wrong on our side.")
    assert chat.latest[0].error
    assert "RuntimeError" in caplog.text
    assert "Nguyễn" not in caplog.text
    assert "hello note" not in caplog.text
    await chat.send("/tiep")
    assert "Indicator 2/10" in chat.last.text  # the score and its note were not kept
