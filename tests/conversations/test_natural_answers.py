"""Answers as people type them: words for numbers, yes/no words, short years, invisible
characters and look-alike letters. Property tests cover the open-ended kinds."""

import asyncio
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations import inputs
from conversations.context import InputError
from conversations.engine import handle, new_state
from conversations.events import EventKind, InboundEvent, from_typed_text
from conversations.grouping import match_occupation
from conversations.i18n import Translator
from conversations.model import default_criteria
from conversations.ports import Ports
from conversations.state import UserState
from conversations.text import clean_typed
from tests.conversations.fakes import fake_ports

T = Translator("en")
SEASON = 2026
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u2060"]
OCCUPATIONS = default_criteria().occupations


@pytest.mark.parametrize(
    ("typed", "score"),
    [("8", 8), ("8 điểm", 8), ("8 diem", 8), ("8đ", 8), ("tám", 8), ("Tám điểm", 8),
     ("8/10", 8), ("8 / 10", 8), ("mười", 10), ("không", 0), ("năm", 5), ("ten", 10)],
)  # fmt: skip
def test_scores_are_read_as_people_write_them(typed: str, score: int) -> None:
    assert inputs.parse_score(T, typed, 10) == score


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("7.5", "whole number"), ("8/20", "from 0 to 10"), ("11 điểm", "from 0 to 10"),
     ("-1", "from 0 to 10"), ("tám mươi", "whole number"), ("abc", "whole number")],
)  # fmt: skip
def test_scores_that_are_not_scores_are_refused(typed: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        inputs.parse_score(T, typed, 10)


@pytest.mark.parametrize(
    ("typed", "year", "guessed"),
    [("1965", 1965, False), ("sinh năm 1965", 1965, False), ("Năm 1965", 1965, False),
     ("65", 1965, True), ("năm 65", 1965, True), ("05", 2005, True),
     ("tôi sinh năm 1970", 1970, False)],
)  # fmt: skip
def test_birth_years_as_people_write_them(typed: str, year: int, guessed: bool) -> None:
    assert inputs.parse_birth_year(T, typed, SEASON) == inputs.BirthYear(year, guessed)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("1850", "must be from 1926 to 2016"), ("2020", "must be from 1926 to 2016"),
     ("20", "must be from 1926 to 2016"), ("196", "with 4 digits"), ("sáu tám", "with 4 digits"),
     ("1965 1966", "with 4 digits"), ("nhà 1965", "with 4 digits")],
)  # fmt: skip
def test_a_wrong_birth_year_gets_the_real_reason(typed: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        inputs.parse_birth_year(T, typed, SEASON)


@pytest.mark.parametrize("typed", ["vâng", "có", "ừ", "ok", "OK", "đúng", "dung", "Dạ", "đồng ý"])
def test_yes_words(typed: str) -> None:
    assert inputs.yes_or_no(typed) is True


@pytest.mark.parametrize("typed", ["không", "ko", "Không đúng", "sai", "k"])
def test_no_words(typed: str) -> None:
    assert inputs.yes_or_no(typed) is False


@pytest.mark.parametrize(
    ("typed", "occupation"),
    [("làm ruộng", "farm"), ("nông dân", "farm"), ("lam ruong", "farm"), ("Tôi làm ruộng", "farm"),
     ("làm thuê việc đồng áng", "farm"), ("làm thuê", "worker"), ("giáo viên", "official"),
     ("đi học", "student"), ("nghỉ hưu", "home"), ("bán hàng online", "freelance")],
)  # fmt: skip
def test_occupations_are_found_by_the_words_people_use(typed: str, occupation: str) -> None:
    found = match_occupation(OCCUPATIONS, typed)
    assert found is not None
    assert found.id == occupation


def test_an_unknown_occupation_matches_nothing() -> None:
    assert match_occupation(OCCUPATIONS, "phi hành gia") is None


@pytest.mark.parametrize("look_alike", ["\u00d0", "\u0189"])
def test_look_alike_letters_are_the_vietnamese_letter(look_alike: str) -> None:
    name = inputs.clean_name(T, clean_typed(f"{look_alike}ặng Văn An"))
    assert name == "Đặng Văn An"
    assert inputs.parse_score(T, clean_typed(f"8 {look_alike.lower()}iểm"), 10) == 8


VALID: dict[str, tuple[list[str], Callable[[str], object]]] = {
    "score": (["8", "8 điểm", "tám", "8/10", "10"], lambda s: inputs.parse_score(T, s, 10)),
    "year": (["1965", "sinh năm 1965", "65"], lambda s: inputs.parse_birth_year(T, s, SEASON)),
    "name": (["Nguyễn Văn An", "Đặng Thị Hoa"], lambda s: inputs.clean_name(T, s)),
    "yes/no": (["vâng", "không", "đúng"], inputs.yes_or_no),
    "occupation": (["làm ruộng", "giáo viên"], lambda s: match_occupation(OCCUPATIONS, s)),
}


@given(
    kind=st.sampled_from(sorted(VALID)),
    pick=st.integers(min_value=0, max_value=10),
    where=st.integers(min_value=0, max_value=40),
    hidden=st.lists(st.sampled_from(INVISIBLE), min_size=1, max_size=3),
)
def test_invisible_characters_anywhere_keep_a_valid_answer_valid(
    kind: str, pick: int, where: int, hidden: list[str]
) -> None:
    answers, read = VALID[kind]
    answer = answers[pick % len(answers)]
    position = where % (len(answer) + 1)
    polluted = answer[:position] + "".join(hidden) + answer[position:]
    assert read(clean_typed(polluted)) == read(answer)


@given(st.text(max_size=12))
def test_any_accepted_score_round_trips(typed: str) -> None:
    try:
        value = inputs.parse_score(T, typed, 10)
    except InputError:
        return
    assert inputs.parse_score(T, str(value), 10) == value


@given(st.text(max_size=14) | st.integers(min_value=0, max_value=2100).map(str))
def test_any_accepted_birth_year_round_trips(typed: str) -> None:
    try:
        born = inputs.parse_birth_year(T, typed, SEASON)
    except InputError:
        return
    assert inputs.parse_birth_year(T, str(born.year), SEASON) == inputs.BirthYear(born.year, False)


@given(st.text(min_size=2, max_size=30))
def test_any_accepted_name_round_trips(typed: str) -> None:
    try:
        name = inputs.clean_name(T, typed)
    except InputError:
        return
    assert inputs.clean_name(T, name) == name


async def _at_name_step() -> tuple[UserState, Ports]:
    ports = fake_ports()
    first = InboundEvent("test", "u", EventKind.COMMAND, command="batdau")
    _, state = await handle(first, new_state(first), ports)
    _, state = await handle(from_typed_text("test", "u", "1"), state, ports)
    return state, ports


@given(where=st.integers(min_value=0, max_value=20), hidden=st.sampled_from(INVISIBLE))
def test_the_engine_stores_the_same_name_with_invisible_characters(
    where: int, hidden: str
) -> None:
    async def run() -> None:
        state, ports = await _at_name_step()
        name = "Nguyễn Văn An"
        polluted = name[: where % (len(name) + 1)] + hidden + name[where % (len(name) + 1) :]
        _, clean = await handle(from_typed_text("test", "u", name), state, ports)
        _, dirty = await handle(from_typed_text("test", "u", polluted), state, ports)
        assert dirty == clean
        assert dirty.profile.name == name

    asyncio.run(run())
