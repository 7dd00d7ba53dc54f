"""Numbers people type, in any script and any size: read, or refused with ScheduleError /
None, never an exception of another kind (OverflowError, ValueError from int)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.plan import PAIR_DIGITS, parse_pair
from conversations.schedule import KEYS, Schedule, ScheduleError, as_text, with_value
from conversations.text import clean_text, whole_number

ARABIC_INDIC, PERSIAN, FULLWIDTH = 0x0660, 0x06F0, 0xFF10  # where each script's 0 is


def written_in(zero: int, text: str) -> str:
    """`text` with its ASCII digits written in another script's digits."""
    return text.translate({ord("0") + d: zero + d for d in range(10)})


DIGITS = "".join(written_in(z, "0123456789") for z in (ord("0"), ARABIC_INDIC, PERSIAN, FULLWIDTH))
DIGITS += "\u00b2\u00b3\u00b9\u2074\u00bd\u2082"  # superscripts, a fraction, a subscript
hostile = st.one_of(
    st.text(alphabet=DIGITS + "/:-,.;h +", max_size=30),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.text(max_size=30),
    st.sampled_from(["1²", "9" * 20, "99999999999999999999/1", "1²:00", "\x00", "10/12\x00"]),
)


@given(st.sampled_from(KEYS), hostile)
def test_any_schedule_value_is_read_or_refused_with_a_reason(key: str, raw: str) -> None:
    try:
        changed = with_value(Schedule(), key, raw)
    except ScheduleError:
        return  # refused with a reason: the only other outcome allowed
    as_text(changed, key)  # what was saved shows again
    changed.deadline_in(2026)


@pytest.mark.parametrize(
    ("key", "raw", "shown"),
    [
        ("deadline", written_in(ARABIC_INDIC, "10/12"), "10/12"),
        ("deadline", written_in(FULLWIDTH, "5/12"), "05/12"),
        ("reminder_days", written_in(PERSIAN, "14, 7"), "14, 7"),
        ("digest_time", written_in(FULLWIDTH, "07:30"), "07:30"),
    ],
)
def test_digits_of_other_scripts_are_digits(key: str, raw: str, shown: str) -> None:
    assert as_text(with_value(Schedule(), key, raw), key) == shown


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("deadline", "1²/12"),
        ("deadline", "99999999999999999999/12"),
        ("reminder_days", "1²"),
        ("reminder_days", "9" * 20),
        ("digest_time", "99999999999999999999:00"),
        ("quiet_end", "-7:00"),
    ],
)
def test_superscripts_and_huge_numbers_are_refused(key: str, raw: str) -> None:
    with pytest.raises(ScheduleError):
        with_value(Schedule(), key, raw)


@given(hostile, st.integers(min_value=1, max_value=12))
def test_whole_number_reads_or_returns_none(text: str, max_digits: int) -> None:
    value = whole_number(text, max_digits)
    assert value is None or abs(value) < 10**max_digits


@given(st.text())
def test_cleaned_text_holds_no_control_character_or_surrogate(text: str) -> None:
    cleaned = clean_text(text + "\x00\ud800\x1b")
    assert not any(ch in cleaned for ch in "\x00\ud800\x1b\r")
    cleaned.encode("utf-8")  # storable


@given(hostile)
def test_a_typed_count_pair_is_read_or_refused(text: str) -> None:
    pair = parse_pair(text)
    assert pair is None or all(0 <= n < 10**PAIR_DIGITS for n in pair)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("85/120", (85, 120)),
        (written_in(ARABIC_INDIC, "85/120"), (85, 120)),
        ("1²/5", None),
        ("85/1²", None),
        ("1/" + "9" * 20, None),  # more than a 32-bit column holds
        ("-5/10", None),
    ],
)
def test_a_count_pair_in_other_digits_huge_or_superscript(typed: str, read: object) -> None:
    assert parse_pair(typed) == read
