"""One rule for both exports: text a spreadsheet would evaluate is kept as text."""

from hypothesis import given
from hypothesis import strategies as st

from bot.cells import FORMULA_STARTS, csv_value, formula_like


@given(st.sampled_from(FORMULA_STARTS), st.text(max_size=30))
def test_formula_like_text_gets_an_apostrophe_in_csv(start: str, rest: str) -> None:
    assert formula_like(start + rest)
    assert csv_value(start + rest) == "'" + start + rest


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.none()))
def test_numbers_and_blanks_stay_as_they_are(value: object) -> None:
    assert csv_value(value) == value  # -2 the number is data, "-2" the text is not


def test_ordinary_names_are_unchanged() -> None:
    assert csv_value("Nguyễn Văn An") == "Nguyễn Văn An"
