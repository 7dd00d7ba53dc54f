"""The 90% rule of an Đơn vị học tập (TT 24/2023) as people still to be recognised."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from conversations.digest import members_short


@given(st.integers(0, 5000), st.integers(1, 5000))
def test_people_short_of_ninety_percent(part: int, whole: int) -> None:
    part = min(part, whole)
    short = members_short(part, whole)
    assert short >= 0
    assert Fraction(part + short, whole) >= Fraction(9, 10)
    if short:
        assert Fraction(part + short - 1, whole) < Fraction(9, 10)
