"""The state's basic digital-skills certificate (QĐ 757/QĐ-BKHCN, on VNeID) and digital
questions worded for each group (issue 9, items 7 and 9)."""

import csv
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App
from bot.export import write_csv
from conversations.i18n import Translator
from conversations.model import default_criteria, default_digital
from conversations.scoring import digital_level
from storage.db import unit_of_work
from storage.models import AssessmentRow
from storage.queries import assessment_rows
from tests.bot.flows import answer_digital, register, score_all
from tests.bot.test_leaders import commune_leader
from tests.bot.test_place_lists import at_the_place_question
from tests.bot.test_transcripts import stored
from tests.support import Chat

CLAIM = "I have the digital skills certificate (VNeID)"
UNCLAIM = "I do not have the digital skills certificate"
FACT = "Holds the basic digital skills certificate on VNeID."


@pytest.fixture
def chat(app: App) -> Chat:
    return Chat(app, locale_hint="en")


async def test_saying_so_costs_no_question_and_is_shown_with_the_result(
    app: App, chat: Chat
) -> None:
    await register(chat)
    await score_all(chat, [9] * 10)
    assert "Digital skills 1/10" in chat.last.text
    assert chat.labels == ["I can do it", "With help", "Not yet", CLAIM]
    await chat.click(CLAIM)
    assert "Noted: you have the digital skills certificate." in chat.text
    assert "Digital skills 1/10" in chat.last.text  # the same question, nothing skipped
    assert chat.labels[-1] == UNCLAIM
    await answer_digital(chat, "Not yet")
    # Basic only because kns-2025.toml says the certificate counts as basic (UNCONFIRMED).
    assert "Digital skills: Has digital skills" in chat.text
    assert FACT in chat.text
    async with unit_of_work(app.sessions) as session:
        row = (await session.execute(select(AssessmentRow))).scalar_one()
    assert (row.digital_certificate, row.digital_level) == (True, "basic")
    state = await stored(app)
    assert state is not None
    assert state.assessment is not None
    assert state.assessment.certified


async def test_without_it_no_skill_is_no_skill(app: App, chat: Chat) -> None:
    await register(chat)
    await score_all(chat, [9] * 10)
    await answer_digital(chat, "Not yet")
    assert "Digital skills: No digital skills yet" in chat.text
    assert FACT not in chat.text
    async with unit_of_work(app.sessions) as session:
        row = (await session.execute(select(AssessmentRow))).scalar_one()
    assert (row.digital_certificate, row.digital_level) == (None, "none")


async def test_it_can_be_taken_back_from_the_result(app: App, chat: Chat) -> None:
    await register(chat)
    await score_all(chat, [9] * 10)
    await chat.click(CLAIM)
    await answer_digital(chat, "Not yet")
    await chat.click("Change an answer")
    await chat.click("Digital skills")
    await chat.send("1")
    await chat.click(UNCLAIM)
    assert "Noted: no digital skills certificate." in chat.text
    await chat.click("Not yet")
    assert "Digital skills: No digital skills yet" in chat.text
    assert FACT not in chat.text
    state = await stored(app)
    assert state is not None
    assert state.assessment is not None
    assert not state.assessment.certified


async def test_the_leader_and_the_export_show_it_as_a_fact(app: App, tmp_path: Path) -> None:
    citizen = Chat(app, user="an", locale_hint="en")
    await register(citizen)
    await score_all(citizen, [9] * 10)
    await citizen.click(CLAIM)
    await answer_digital(citizen)
    await citizen.click("Send for confirmation")
    leader = await commune_leader(app)
    await leader.click("Waiting for a decision (1)")
    await leader.click("Nguyễn Văn An · Xóm 3 · 90")
    assert "Digital skills: Proficient in digital skills" in leader.text
    assert FACT in leader.text
    async with unit_of_work(app.sessions) as session:
        rows = await assessment_rows(session)
    out = tmp_path / "a.csv"
    t = Translator("vi")
    write_csv(out, rows, t, app.criteria, app.digital, "Asia/Ho_Chi_Minh")
    exported = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert exported[0]["Chứng nhận kỹ năng số (VNeID)"] == "có"


def test_the_certificate_counts_only_as_far_as_the_data_says() -> None:
    check = default_digital()
    nothing = {q.id: "no" for q in check.questions}
    assert digital_level(nothing, check, certified=True).id == "basic"
    assert digital_level(nothing, check, certified=False).id == "none"
    assert check.certificate is not None
    fact_only = replace(check, certificate=replace(check.certificate, counts_as=None))
    assert digital_level(nothing, fact_only, certified=True).id == "none"
    everything = {q.id: "self" for q in check.questions}
    assert digital_level(everything, check, certified=True).id == "proficient"  # never lower


# What each group is asked about searching online (d3): nobody gets another group's life.
SEARCH = {
    "a": "Tìm trên mạng điều mình cần biết, như thời tiết, giá lúa.",
    "b": "Tìm trên mạng điều mình cần biết, như việc làm, giá cả.",
    "c": "Tìm trên mạng văn bản, quy định mới cho công việc.",
    "d": "Tìm trên mạng tài liệu cho bài học.",
}


@pytest.mark.parametrize("group", sorted(SEARCH))
async def test_digital_questions_fit_the_group(app: App, group: str) -> None:
    chat = await at_the_place_question(app)
    await chat.send("Xóm 3")
    await chat.click(default_criteria().group(group).label("vi"))
    await score_all(chat, [9] * 10)
    shown = []
    for _ in range(10):
        shown.append(chat.last.text)
        await chat.click("Tự làm được")
    asked = "\n".join(shown)
    assert SEARCH[group] in asked
    if group == "d":
        assert "giá lúa" not in asked
        assert "lương" not in asked
        assert "Trả tiền bằng mã QR, như đóng học phí." in asked
    else:
        assert "học phí" not in asked
        assert "bài học" not in asked


def test_per_group_wording_names_only_groups_of_the_criteria() -> None:
    groups = {group.id for group in default_criteria().groups}
    for question in default_digital().questions:
        assert {group for group, _, _ in question.by_group} <= groups, question.id
        for group in groups:
            assert question.text_for(group).vi.strip()
            assert question.tip_for(group).en.strip()
