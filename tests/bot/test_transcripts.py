"""The citizen's whole conversation, as the person sees it, on a real SQLite database."""

import pytest

from bot.app import App
from conversations.model import default_criteria
from conversations.state import Status, UserState
from storage.db import unit_of_work
from storage.directory import SqlDirectory
from storage.links import create_place_link
from storage.models import OrgUnit
from storage.state_store import StateStore
from tests.bot.flows import answer_digital, register, score_all
from tests.support import Chat

CRITERIA = default_criteria()


async def stored(app: App, user: str = "u1") -> UserState | None:
    async with unit_of_work(app.sessions) as session:
        return await StateStore(session, app.criteria, app.digital).load("console", user)


@pytest.fixture
def chat(app: App) -> Chat:
    return Chat(app, locale_hint="en")


@pytest.mark.parametrize("group", ["a", "b", "c", "d"])
async def test_a_citizen_of_each_group_completes_and_submits(
    app: App, chat: Chat, group: str
) -> None:
    await register(chat, group=group)
    assert "Indicator 1/10" in chat.text
    await chat.click("Explain")
    assert CRITERIA.indicator("1").by_group[group].explain.en in chat.text
    assert CRITERIA.indicator("1").by_group[group].example.en in chat.text
    assert "Indicator 1/10" in chat.last.text
    await score_all(chat, [9] * 10)
    assert "Digital skills 1/10" in chat.text
    await answer_digital(chat)
    assert "Your result for 2026: 90/100 points." in chat.text
    assert "you may be considered for the title" in chat.text
    assert "Digital skills: Proficient" in chat.text
    await chat.click("Send for confirmation")
    assert "Sent." in chat.text
    state = await stored(app)
    assert state is not None
    assert state.assessment is not None
    assert state.assessment.status == Status.SUBMITTED
    assert state.assessment.group == group
    assert state.profile.name == "Nguyễn Văn An"
    await chat.send("/ketqua")
    assert "Your result for 2026: 90/100 points." in chat.text


async def test_one_indicator_below_5_blocks_recognition_and_gets_a_tip(chat: Chat) -> None:
    await register(chat, group="a")
    await score_all(chat, [10, 10, 10, 10, 10, 4, 10, 10, 10, 10])
    await answer_digital(chat, "With help")
    text = chat.text
    assert "Your result for 2026: 94/100 points." in text
    assert "The points are enough (80 needed)." in text
    assert "Below 5: indicator 6 (4 points)." in text
    assert "may be considered" not in text
    assert CRITERIA.indicator("6").by_group["a"].tip.en in text
    assert "Digital skills: Has digital skills" in text


async def test_evidence_notes_are_kept_with_the_scores(app: App, chat: Chat) -> None:
    await register(chat)
    await chat.send("8, Học lớp tin học ở nhà văn hóa")
    state = await stored(app)
    assert state is not None
    assert state.assessment is not None
    assert state.assessment.scores == {"1": 8}
    assert state.assessment.notes == {"1": "Học lớp tin học ở nhà văn hóa"}


async def test_back_goes_to_the_previous_question_and_keeps_the_answers(chat: Chat) -> None:
    await register(chat)
    await score_all(chat, [7, 6])
    assert "Indicator 3/10" in chat.text
    await chat.send("/lai")
    assert "Indicator 2/10" in chat.text
    assert "Your answer now: 6" in chat.text
    await chat.click("9")
    assert "Indicator 3/10" in chat.text


async def test_change_an_indicator_from_the_summary_comes_back_to_the_summary(
    app: App, chat: Chat
) -> None:
    await register(chat)
    await score_all(chat, [8] * 10)
    await answer_digital(chat)
    assert "Your result for 2026: 80/100 points." in chat.text
    await chat.send("/sua 3")
    assert "Indicator 3/10" in chat.text
    await chat.click("4")
    assert "Your result for 2026: 76/100 points." in chat.text
    assert "4 more points needed: the title needs 80." in chat.text
    await chat.click("Change an answer")
    await chat.send("3")
    await chat.click("8")
    assert "Your result for 2026: 80/100 points." in chat.text


async def test_cancel_asks_first_then_deletes_the_draft(app: App, chat: Chat) -> None:
    await register(chat)
    await score_all(chat, [7, 7])
    await chat.send("/huy")
    await chat.click("No, continue")
    assert "Indicator 3/10" in chat.text
    await chat.send("/huy")
    await chat.click("Yes, cancel")
    assert "Cancelled" in chat.text
    state = await stored(app)
    assert state is not None
    assert state.assessment is None
    assert state.profile.name == "Nguyễn Văn An"
    await chat.send("/batdau")
    assert "Your target group is" in chat.text


async def test_resume_shows_the_current_question_again(chat: Chat) -> None:
    await register(chat)
    await score_all(chat, [5])
    await chat.send("/tiep")
    assert "Indicator 2/10" in chat.last.text


async def test_language_switch_is_remembered(app: App) -> None:
    chat = Chat(app)  # no hint: Vietnamese by default
    await chat.send("/batdau")
    vietnamese = chat.last.text
    await chat.send("/ngonngu")
    await chat.click("English")
    assert "The language is now English." in chat.text
    assert chat.last.text != vietnamese
    assert "Do you agree?" in chat.last.text
    await chat.send("/tiep")
    assert "Do you agree?" in chat.last.text
    await chat.send("/ngonngu vi")
    assert chat.last.text == vietnamese
    state = await stored(app)
    assert state is not None
    assert state.locale == "vi"


async def test_a_telegram_language_hint_picks_the_first_locale(app: App) -> None:
    chat = Chat(app, locale_hint="en-US")
    await chat.send("/start")
    assert "Do you agree?" in chat.last.text


async def test_choices_can_be_typed_by_number_or_by_label(chat: Chat) -> None:
    await chat.send("/batdau")
    await chat.send("2")
    assert "Who holds your data" in chat.text
    await chat.send("i agree")
    assert "Your full name and year of birth?" in chat.text


async def test_declining_consent_stores_no_personal_data(app: App, chat: Chat) -> None:
    await chat.send("/batdau")
    await chat.click("I do not agree")
    assert "I will not keep any of your details" in chat.text
    await chat.send("Nguyễn Văn An")
    assert "You have not agreed" in chat.text
    state = await stored(app)
    assert state is not None
    assert state.profile.name is None
    assert state.profile.consent_at is None


async def test_the_commune_search_ignores_accents_and_explains_no_match(chat: Chat) -> None:
    await chat.send("/batdau")
    await chat.click("I agree")
    await chat.send("Trần Thị Bình")
    await chat.send("1980")
    await chat.send("khong co xa nay")
    assert "I found no commune or ward" in chat.text
    assert "Which commune or ward" in chat.last.text
    await chat.send("HẢI HẬU")
    assert "Xã Hải Hậu, Ninh Bình: which village" in chat.last.text  # the only one: chosen
    await chat.send("/lai")
    await chat.send("hai")
    assert "There are many matches" in chat.text
    assert "Page 1/5." in chat.last.text  # 40 kept, 8 a page
    assert len(chat.labels) == 10
    assert chat.labels[-2:] == ["Next page »", "Search again"]


async def test_a_stale_button_changes_nothing(app: App, chat: Chat) -> None:
    await register(chat)
    old_button = next(c.id for c in chat.last.choices if c.label == "7")
    await chat.click("7")
    before = await stored(app)
    await chat.press(old_button)
    assert "That question has passed" in chat.text
    assert "Indicator 2/10" in chat.last.text
    assert await stored(app) == before
    await chat.press("ind:2=99")
    assert "That question has passed" in chat.text
    assert await stored(app) == before


async def test_help_lists_the_commands(chat: Chat) -> None:
    await chat.send("/trogiup")
    for command in ("/batdau", "/tiep", "/lai", "/sua", "/ketqua", "/huy", "/ngonngu"):
        assert command in chat.text


async def test_after_submitting_the_answers_cannot_be_changed(chat: Chat) -> None:
    await register(chat)
    await score_all(chat, [9] * 10)
    await answer_digital(chat)
    await chat.click("Send for confirmation")
    await chat.send("/sua 2")
    assert "There is no open self-assessment to change." in chat.text
    await chat.send("hello")
    assert "Waiting for confirmation" in chat.text


async def test_villages_and_units_of_the_commune_are_offered_as_buttons(
    app: App, chat: Chat
) -> None:
    async with unit_of_work(app.sessions) as session:
        commune = (await SqlDirectory(session).search_communes("hai hau", 1))[0]
        session.add(
            OrgUnit(parent_id=commune.id, kind="village", name="Xóm 1", search_key="xom 1")
        )
        session.add(
            OrgUnit(parent_id=commune.id, kind="unit", name="UBND xã", search_key="ubnd xa")
        )
    await chat.send("/batdau")
    await chat.click("I agree")
    await chat.send("Đỗ Thị Mai")
    await chat.send("1990")
    await chat.send("hai hau")
    assert chat.labels == ["UBND xã", "Xóm 1", "Not in the list"]
    await chat.send("xom 1")
    state = await stored(app)
    assert state is not None
    assert state.profile.place_name == "Xóm 1"
    assert state.profile.place_id is not None
    await chat.send("/lai")
    await chat.click("Not in the list")
    await chat.send("Tổ dân phố 4")
    state = await stored(app)
    assert state is not None
    assert (state.profile.place_name, state.profile.place_id) == ("Tổ dân phố 4", None)


@pytest.mark.parametrize("by_hand", [False, True])
async def test_an_invitation_code_preselects_the_commune_and_village(
    app: App, chat: Chat, by_hand: bool
) -> None:
    """From the link, or typed by hand off a poster: any case, in two halves."""
    async with unit_of_work(app.sessions) as session:
        commune = (await SqlDirectory(session).search_communes("hai hau", 1))[0]
        village = OrgUnit(parent_id=commune.id, kind="village", name="Xóm 1", search_key="xom 1")
        session.add(village)
        await session.flush()
        code = await create_place_link(session, village.id, app.clock.now())
    assert len(code) == 8
    await chat.send(
        f"/start {code[:4].lower()} {code[4:].lower()}" if by_hand else f"/start {code}"
    )
    await chat.click("I agree")
    await chat.send("Vũ Văn Hùng")
    await chat.send("1985")
    assert "Which group are you in?" in chat.last.text
    state = await stored(app)
    assert state is not None
    assert state.profile.commune_name == "Xã Hải Hậu, Ninh Bình"
    assert state.profile.place_name == "Xóm 1"


async def test_an_unknown_invitation_code_still_lets_the_person_sign_up(chat: Chat) -> None:
    await chat.send("/start nosuchcode")
    assert "This invitation link is not valid any more." in chat.text
    await chat.click("I agree")
    await chat.send("Vũ Văn Hùng")
    await chat.send("1985")
    assert "Which commune or ward" in chat.last.text


async def test_the_back_button_goes_back_and_a_stale_back_button_does_nothing(chat: Chat) -> None:
    await register(chat)
    await score_all(chat, [7])
    stale_back = next(c.id for c in chat.last.choices if c.label == "« Back")
    await chat.click("« Back")
    assert "Indicator 1/10" in chat.last.text
    await chat.click("8")
    await chat.click("9")
    await chat.press(stale_back)
    assert "That question has passed" in chat.text
    assert "Indicator 3/10" in chat.last.text


@pytest.mark.parametrize(
    ("scores", "says", "never"),
    [
        ([10, 10, 10, 10, 10, 4, 10, 10, 10, 10],
         ["94/100", "The points are enough (80 needed).", "Below 5: indicator 6 (4 points)."],
         ["more points needed", "may be considered"]),
        ([8, 8, 8, 8, 8, 8, 8, 8, 8, 2],
         ["74/100", "6 more points needed: the title needs 80.",
          "Below 5: indicator 10 (2 points)."],
         ["may be considered"]),
        ([7] * 10, ["70/100", "10 more points needed"], ["Below 5", "may be considered"]),
        ([8] * 10, ["80/100", "no indicator is below 5", "you may be considered for the title"],
         ["more points needed", "You are recognised", "To work on"]),
    ],
)  # fmt: skip
async def test_the_result_says_exactly_why(
    chat: Chat, scores: list[int], says: list[str], never: list[str]
) -> None:
    await register(chat)
    await score_all(chat, scores)
    await answer_digital(chat)
    for text in says:
        assert text in chat.text
    for text in never:
        assert text not in chat.text


async def test_the_vietnamese_result_says_may_be_considered_not_recognised(app: App) -> None:
    chat = Chat(app, locale_hint="vi")
    await chat.send("/batdau")
    for line in ["1", "Nguyễn Văn An, 1968", "hai hau", "Xóm 3", "làm ruộng"]:
        await chat.send(line)
    for _ in range(10):
        await chat.send("9")
    for _ in range(10):
        await chat.send("1")
    assert "có thể được xét công nhận" in chat.text
    assert "đã được công nhận" not in chat.text
