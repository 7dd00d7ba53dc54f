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


def test_every_plan_metric_has_a_proper_heading() -> None:
    """A heading is the plan's column or our translated label, never a note about the plan
    ("(văn bản, không có cột) …" once stood as a row label of the Excel report)."""
    from conversations.i18n import Translator
    from conversations.plan import BY_ID, PLAN_METRICS

    for locale in ("vi", "en"):
        t = Translator(locale)
        for metric in PLAN_METRICS:
            heading = metric.heading(t)
            assert heading.strip()
            assert "(" not in heading
            assert "không có cột" not in heading
    assert BY_ID["digital_proficient"].heading(Translator("vi")) == (
        "Người đạt danh hiệu thành thạo kỹ năng số"
    )
