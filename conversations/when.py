"""Weekdays and dates as Vietnamese leaders type them: "thứ 2", "T2", "CN", "20/11",
"20/11/2026", "ngày 20 tháng 11"; English weekday names too. Day before month always, as
Vietnamese dates are written (Nghị định 30/2020/NĐ-CP, Phụ lục I: "ngày … tháng … năm …"),
never mm/dd; a form that could mean two things is refused, not guessed."""

import re
from datetime import date

from conversations.i18n import N_, ExplainedError
from conversations.text import fold, loose

# Vietnamese weekdays are numbered from Monday = "thứ hai" (2) to Saturday = "thứ bảy" (7).
_VI_NUMBERS = {
    "2": 0,
    "hai": 0,
    "3": 1,
    "ba": 1,
    "4": 2,
    "tu": 2,
    "5": 3,
    "nam": 3,
    "6": 4,
    "sau": 4,
    "7": 5,
    "bay": 5,
}
_ENGLISH = (
    ("mon", "monday"),
    ("tue", "tues", "tuesday"),
    ("wed", "weds", "wednesday"),
    ("thur", "thurs", "thursday"),
    ("fri", "friday"),
    ("sat", "saturday"),
    ("sun", "sunday"),
)
# "thu" is Vietnamese "thứ" without its accent and English "Thu(rsday)": it means neither.
AMBIGUOUS = ("thu",)


def _weekday_forms() -> dict[str, int]:
    """Every accepted form, folded and without spaces -> 0 (Monday) … 6 (Sunday). A form
    that two days would claim stops the import: no form may mean two weekdays."""
    pairs = [("cn", 6), ("chunhat", 6)]
    for word, day in _VI_NUMBERS.items():
        pairs.append(("thu" + word, day))
        if word.isdigit():
            pairs += [("t" + word, day), ("th" + word, day)]
    pairs += [(name, day) for day, names in enumerate(_ENGLISH) for name in names]
    forms: dict[str, int] = {}
    for form, day in pairs:
        if forms.setdefault(form, day) != day or form in AMBIGUOUS:
            raise ValueError(f"weekday form {form!r} would mean two days")
    return forms


WEEKDAY_FORMS = _weekday_forms()


def weekday_key(text: str) -> str:
    """The form `text` is looked up by: accent-free, lower case, no spaces ("Thứ 2" -> "thu2")."""
    return fold(text).replace(" ", "")


def parse_weekday(text: str) -> int:
    """0 (Monday) … 6 (Sunday) from "thứ 2", "thu hai", "T2", "CN", "chủ nhật", "mon",
    "Monday"… ExplainedError for "thu" alone (ambiguous) and for anything not a weekday."""
    key = weekday_key(text)
    if key in AMBIGUOUS:
        raise ExplainedError(
            N_("“{text}” is unclear: write “thứ 5” for Thursday, or “thứ 2” … “thứ 7”."),
            text=text.strip(),
        )
    if key not in WEEKDAY_FORMS:
        raise ExplainedError(
            N_("“{text}” is not a weekday. Write thứ 2 … thứ 7, chủ nhật, or T2 … T7, CN."),
            text=text.strip()[:20],
        )
    return WEEKDAY_FORMS[key]


_DATE = re.compile(
    r"(?:ngay\s*)?(\d{1,2})\s*(?:[/.-]|\s|thang)\s*(\d{1,2})"
    r"(?:\s*(?:[/.-]|\s|nam)\s*(\d{1,4}))?"
)
_LEAP_YEAR = 2024  # with no year known, 29/02 is a date


def parse_day_month(text: str, year: int | None = None) -> tuple[int, int]:
    """(day, month) from "20/11", "5/1", "20-11-2026", "20.11.2026", "ngày 20 tháng 11 năm
    2026": day first, as Vietnamese dates are. A written year must be `year` when given
    (the season the setting is for); without a year the date is checked in `year`, or in a
    leap year when the setting is for every year. ExplainedError naming what is wrong otherwise."""
    match = _DATE.fullmatch(loose(text))
    if match is None:
        raise ExplainedError(N_("Write the day, then the month, e.g. 20/11 (20 November)."))
    day, month = int(match.group(1)), int(match.group(2))
    written = int(match.group(3)) if match.group(3) else None
    if written is not None and not 2000 <= written <= 2100:
        raise ExplainedError(
            N_("{year} is not a year: write it with 4 digits, e.g. 2026."), year=written
        )
    if written is not None and year is not None and written != year:
        raise ExplainedError(
            N_("This setting is for {season}: write a date in {season}, or only day/month."),
            season=year,
        )
    _check_exists(day, month, written or year)
    return day, month


def _check_exists(day: int, month: int, year: int | None) -> None:
    if not 1 <= month <= 12:
        raise ExplainedError(N_("There is no month {month}: months go from 1 to 12."), month=month)
    try:
        date(year or _LEAP_YEAR, month, day)
    except ValueError:
        if year is None:
            raise ExplainedError(
                N_("Month {month} has no day {day}."), day=day, month=month
            ) from None
        raise ExplainedError(
            N_("Month {month} of {year} has no day {day}."), day=day, month=month, year=year
        ) from None
