from hypothesis import given
from hypothesis import strategies as st

from conversations.model import Rule, default_criteria, default_digital
from conversations.scoring import digital_level, is_recognised, verdict

RULE = Rule(pass_total=80, min_each=5, max_score=10)
IDS = [str(n) for n in range(1, 11)]


def scores(*values: int) -> dict[str, int]:
    return dict(zip(IDS, values, strict=True))


def test_80_with_every_indicator_at_least_5_is_recognised() -> None:
    assert is_recognised(scores(8, 8, 8, 8, 8, 8, 8, 8, 8, 8), RULE)
    assert is_recognised(scores(5, 5, 10, 10, 10, 10, 10, 10, 5, 5), RULE)


def test_79_is_not_recognised() -> None:
    assert not is_recognised(scores(8, 8, 8, 8, 8, 8, 8, 8, 8, 7), RULE)


def test_94_with_one_indicator_at_4_is_not_recognised() -> None:
    result = verdict(scores(10, 10, 10, 10, 10, 4, 10, 10, 10, 10), RULE)
    assert result.total == 94
    assert not result.recognised
    assert result.below_minimum == ("6",)
    assert result.to_improve == ("6",)


def test_indicators_below_the_floor_come_first_then_the_lowest_others() -> None:
    result = verdict(scores(3, 6, 9, 9, 4, 7, 9, 9, 9, 9), RULE)
    assert result.total == 74
    assert result.below_minimum == ("1", "5")
    assert result.to_improve[:2] == ("1", "5")
    # Lifting 1 and 5 to 5 gives 77: three points short, so the lowest other follows.
    assert result.to_improve[2:] == ("2",)


def test_the_rule_comes_from_the_data_file() -> None:
    assert default_criteria().rule == RULE


@given(st.lists(st.integers(min_value=0, max_value=10), min_size=10, max_size=10))
def test_recognition_matches_the_rule_as_written(values: list[int]) -> None:
    expected = sum(values) >= 80 and min(values) >= 5
    assert is_recognised(scores(*values), RULE) is expected


@given(st.lists(st.integers(min_value=0, max_value=10), min_size=10, max_size=10))
def test_following_the_advice_is_enough_to_be_recognised(values: list[int]) -> None:
    result = verdict(scores(*values), RULE, extra=10)
    improved = {i: (10 if i in result.to_improve else s) for i, s in scores(*values).items()}
    assert is_recognised(improved, RULE)
    assert set(result.below_minimum) <= set(result.to_improve)
    assert result.recognised == (not result.below_minimum and result.total >= 80)


def test_digital_levels_follow_points_and_required_answers() -> None:
    check = default_digital()
    ids = [q.id for q in check.questions]
    assert digital_level(dict.fromkeys(ids, "no"), check).id == "none"
    assert digital_level(dict.fromkeys(ids, "help"), check).id == "basic"
    everything = dict.fromkeys(ids, "self")
    assert digital_level(everything, check).id == "proficient"
    # Proficient means finding the criteria online alone (QĐ 677), whatever the points.
    assert digital_level({**everything, "d10": "help"}, check).id == "basic"


def test_ten_points_without_scams_e_services_or_payment_is_not_digital_skills() -> None:
    check = default_digital()
    ids = [q.id for q in check.questions]
    five_alone_five_not = {
        q: ("self" if q in ("d1", "d2", "d3", "d4", "d8") else "no") for q in ids
    }
    assert digital_level(five_alone_five_not, check).id == "none"
    core_with_help = {
        **dict.fromkeys(ids, "no"),
        **dict.fromkeys(("d1", "d2", "d5", "d6"), "help"),
    }
    core_with_help.update(dict.fromkeys(("d3", "d4", "d7"), "self"))
    assert digital_level(core_with_help, check).id == "basic"


def test_proficient_needs_no_not_yet_and_safety_done_alone() -> None:
    check = default_digital()
    ids = [q.id for q in check.questions]
    everything = dict.fromkeys(ids, "self")
    assert digital_level({**everything, "d7": "no"}, check).id == "basic"  # 18 points
    assert digital_level({**everything, "d5": "help"}, check).id == "basic"
    assert digital_level({**everything, "d9": "help"}, check).id == "basic"
    assert digital_level({**everything, "d3": "help"}, check).id == "proficient"


@given(st.lists(st.sampled_from(["self", "help", "no"]), min_size=10, max_size=10))
def test_a_level_always_has_its_coverage(answers: list[str]) -> None:
    check = default_digital()
    given_answers = dict(zip([q.id for q in check.questions], answers, strict=True))
    level = digital_level(given_answers, check)
    assert all(given_answers[q] == "self" for q in level.requires_self)
    assert all(given_answers[q] != "no" for q in level.requires_help)
