"""What leaders type into settings and codes: weekdays in Vietnamese ("thứ 2", "T2", "CN")
and English, dates day first ("20/11", "20-11-2026"), invitation codes in any case with
spaces or dashes. Every accepted form means exactly one thing; "thu" means none."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.codes import ALPHABET, LENGTH, new_code, normal_code
from conversations.i18n import ExplainedError, Translator
from conversations.schedule import Schedule, as_text, with_value
from conversations.when import WEEKDAY_FORMS, parse_day_month, parse_weekday, weekday_key

VI_WORDS = ("hai", "ba", "tư", "năm", "sáu", "bảy")
ENGLISH = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _cases(text: str) -> st.SearchStrategy[str]:
    return st.sampled_from([text, text.upper(), text.title(), text.lower()])


@st.composite
def weekday_forms(draw: st.DrawFn) -> tuple[int, str]:
    """(weekday, a way a person writes it): "Thứ 2", "thu hai", "T2", "CN", "Monday"…"""
    day = draw(st.integers(0, 6))
    space = draw(st.sampled_from(["", " ", "  "]))
    if day == 6:
        forms = ["CN", "cn", f"chủ{space}nhật", f"chu{space}nhat", "Chủ Nhật"]
    else:
        number, word = str(day + 2), VI_WORDS[day]
        thu = draw(st.sampled_from(["thứ", "thu", "Thứ", "THỨ", "Thu"]))
        forms = [f"{thu}{space}{number}", f"{thu} {word}", f"T{number}", f"t{number}"]
        forms.append(f"Th{space}{number}")
    forms += [ENGLISH[day], ENGLISH[day][:3] if day != 3 else "thur"]
    form = draw(st.sampled_from(forms))
    return day, draw(_cases(form)) if form.isascii() else form


@given(weekday_forms())
def test_every_written_weekday_is_that_weekday(case: tuple[int, str]) -> None:
    day, text = case
    assert parse_weekday(text) == day
    assert parse_weekday(f"  {text} ") == day


@pytest.mark.parametrize("locale", ["vi", "en"])
@pytest.mark.parametrize("day", range(7))
def test_a_weekday_as_shown_reads_back_as_itself(locale: str, day: int) -> None:
    """What the calendar screen shows ("Thứ Hai", "Monday") and what settings store ("T2")
    are accepted forms of the same day."""
    assert parse_weekday(Translator(locale).weekday(day)) == day
    stored = with_value(Schedule(), "digest_weekday", ENGLISH[day])
    assert stored.digest_weekday == day
    assert parse_weekday(as_text(stored, "digest_weekday")) == day


@pytest.mark.parametrize("text", ["thu", "Thu", "THU", "thứ", "Thứ", " thu ", "thu."])
def test_thu_alone_is_refused_not_thursday(text: str) -> None:
    with pytest.raises(ExplainedError) as refused:
        parse_weekday(text)
    assert "unclear" in str(refused.value)
    assert "“thứ 2” … “thứ 7”" in refused.value.text(Translator("vi"))


@pytest.mark.parametrize("text", ["thu 2", "thu2", "Thu hai"])
def test_thu_with_a_number_is_the_vietnamese_weekday(text: str) -> None:
    assert parse_weekday(text) == 0  # the old parser read the first 3 letters: Thursday


@given(st.text(max_size=12))
def test_anything_else_is_refused_with_the_accepted_forms(text: str) -> None:
    try:
        day = parse_weekday(text)
    except ExplainedError as refused:
        vi = refused.text(Translator("vi"))
        assert "thứ 2" in vi
        assert "CN" in vi or "“thứ 5”" not in vi
    else:
        assert WEEKDAY_FORMS[weekday_key(text)] == day


@pytest.mark.parametrize("text", ["monkey", "2", "thứ 8", "T1", "sunday funday", "mo"])
def test_near_misses_are_refused(text: str) -> None:
    with pytest.raises(ExplainedError, match="not a weekday"):
        parse_weekday(text)


DATES = st.dates(date(2000, 1, 1), date(2100, 12, 31))


@given(DATES, st.sampled_from(["/", "-", ".", " / "]), st.booleans(), st.booleans())
def test_every_date_written_day_first_is_that_date(
    day: date, separator: str, padded: bool, with_year: bool
) -> None:
    pattern = "{d:02d}{s}{m:02d}" if padded else "{d}{s}{m}"
    text = pattern.format(d=day.day, m=day.month, s=separator)
    if with_year:
        text += f"{separator}{day.year}"
    assert parse_day_month(text, day.year) == (day.day, day.month)


@given(DATES)
def test_a_date_as_shown_in_vietnamese_reads_back(day: date) -> None:
    shown = Translator("vi").date(day)  # "20 tháng 11 năm 2026"
    assert parse_day_month(shown, day.year) == (day.day, day.month)
    assert parse_day_month(f"ngày {shown}", None) == (day.day, day.month)


@given(st.integers(1, 40), st.integers(1, 20), st.sampled_from([None, 2026, 2027, 2028]))
def test_an_accepted_date_exists_and_a_refused_one_says_why(
    day: int, month: int, year: int | None
) -> None:
    try:
        exists = date(year or 2024, month, day) is not None
    except ValueError:
        exists = False
    if exists:
        assert parse_day_month(f"{day}/{month}", year) == (day, month)
        return
    with pytest.raises(ExplainedError) as refused:
        parse_day_month(f"{day}/{month}", year)
    assert f"tháng {month}" in refused.value.text(Translator("vi")).lower()


@pytest.mark.parametrize(
    ("text", "year", "why"),
    [
        ("31/02", None, "Tháng 2 không có ngày 31."),
        ("29/02", 2027, "Tháng 2 năm 2027 không có ngày 29."),
        ("11/20", 2026, "Không có tháng 20."),  # mm/dd is never read
        ("20/11/2027", 2026, "Cài đặt này cho năm 2026."),
        ("20/11/26", 2026, "26 không phải là năm."),
        ("hai mươi", 2026, "Hãy ghi ngày trước, tháng sau"),
    ],
)
def test_a_refused_date_says_what_is_wrong_in_vietnamese(
    text: str, year: int | None, why: str
) -> None:
    with pytest.raises(ExplainedError) as refused:
        parse_day_month(text, year)
    assert why in refused.value.text(Translator("vi"))


def test_29_february_fits_every_year_settings_and_leap_seasons() -> None:
    assert parse_day_month("29/02", None) == (29, 2)
    assert parse_day_month("29/02/2028", 2028) == (29, 2)


LOOK_ALIKES = "0O1IL5S2Z8B"


def test_codes_have_no_characters_that_look_alike() -> None:
    assert set(ALPHABET).isdisjoint(LOOK_ALIKES + LOOK_ALIKES.lower())
    assert len(set(ALPHABET)) == len(ALPHABET)
    code = new_code()
    assert len(code) == LENGTH
    assert set(code) <= set(ALPHABET)


FULLWIDTH = {ch: chr(ord(ch) + 0xFEE0) for ch in ALPHABET}
# Cyrillic letters drawn like the Latin ones
CYRILLIC = {
    "A": "\u0430",
    "C": "\u0421",
    "E": "\u0435",
    "H": "\u041d",
    "K": "\u043a",
    "M": "\u041c",
    "P": "\u0440",
    "T": "\u0422",
}


@st.composite
def typed_codes(draw: st.DrawFn) -> tuple[str, str]:
    """(a code, how a person typed it: any case, spaces and dashes, fullwidth or Cyrillic
    letters from a phone keyboard)."""
    code = "".join(draw(st.lists(st.sampled_from(ALPHABET), min_size=LENGTH, max_size=LENGTH)))
    typed = []
    for ch in code:
        form = draw(st.sampled_from(["same", "lower", "fullwidth", "cyrillic"]))
        ch = {
            "lower": ch.lower(),
            "fullwidth": FULLWIDTH[ch],
            "cyrillic": CYRILLIC.get(ch, ch),
        }.get(form, ch)
        typed.append(ch + draw(st.sampled_from(["", "", " ", "-", "\u200b"])))
    return code, " " + "".join(typed) + " "


@given(typed_codes())
def test_a_typed_code_is_the_code(case: tuple[str, str]) -> None:
    code, typed = case
    assert normal_code(typed) == code
    assert normal_code(normal_code(typed)) == code
