"""What is left of a started self-assessment, as the report and the reminder say it: only what
is really left (the stored digital level says whether the digital-skills questions are done)."""

from datetime import date

import pytest

from bot.annual_report import started_row
from conversations.campaigns import Recipient, reminder
from conversations.digest import PersonRow
from conversations.i18n import Translator


def person(answered: int, digital_level: str | None, status: str = "draft") -> PersonRow:
    return PersonRow("An", 1980, "Xóm 3", "citizen", 30, digital_level, status, None, answered)


@pytest.mark.parametrize(
    ("answered", "level", "vi", "en"),
    [
        (10, "basic", "chỉ còn bấm gửi", "only sending"),
        (10, None, "phần kỹ năng số và bấm gửi", "the digital-skills questions and sending"),
        (9, "basic", "1 chỉ số và bấm gửi", "1 indicator and sending"),
        (
            3,
            None,
            "7 chỉ số, phần kỹ năng số và bấm gửi",
            "7 indicators, the digital-skills questions and sending",
        ),
    ],
)
def test_the_report_says_only_what_is_left(
    answered: int, level: str | None, vi: str, en: str
) -> None:
    assert started_row(person(answered, level), Translator("vi"))[-1] == vi
    assert started_row(person(answered, level), Translator("en"))[-1] == en


def test_a_reminder_says_only_what_is_left() -> None:
    def text(answered: int, digital_done: bool, locale: str) -> str:
        who = Recipient(1, "telegram", "1", locale, answered, digital_done=digital_done)
        return reminder(who, date(2026, 12, 10), date(2026, 12, 1), 10).text

    assert "only sending is left" in text(10, True, "en")
    assert "digital" not in text(10, True, "en")
    assert "digital-skills questions and sending" in text(10, False, "en")
    assert "1 indicator left to answer." in text(9, True, "en")
    assert "2 indicators left to answer." in text(8, False, "en")
    assert text(10, True, "vi").endswith("Chỉ còn bấm Gửi.")
    assert "Chỉ còn phần kỹ năng số" in text(10, False, "vi")
