import tomllib
from pathlib import Path
from typing import Any

import pytest

from conversations.datafile import LANGUAGES, QuestionnaireError
from conversations.model import (
    QUESTIONNAIRE_DIR,
    default_criteria,
    default_digital,
    load_criteria,
    load_digital,
)

CRITERIA_FILE = QUESTIONNAIRE_DIR / "cdht-2023.toml"
DIGITAL_FILE = QUESTIONNAIRE_DIR / "kns-2025.toml"


def test_the_criteria_have_3_competences_10_indicators_and_4_groups() -> None:
    criteria = default_criteria()
    assert [c.id for c in criteria.competences] == ["I", "II", "III"]
    assert [i.id for i in criteria.indicators] == [str(n) for n in range(1, 11)]
    assert [g.id for g in criteria.groups] == ["a", "b", "c", "d"]
    assert all(set(i.by_group) == {"a", "b", "c", "d"} for i in criteria.indicators)
    assert {o.group for o in criteria.occupations} == {"a", "b", "c", "d"}


def test_the_digital_check_has_8_to_12_questions_and_rising_levels() -> None:
    check = default_digital()
    assert 8 <= len(check.questions) <= 12
    assert [level.id for level in check.levels] == ["none", "basic", "proficient"]


def _texts(node: Any, path: str = "") -> list[tuple[str, dict[str, str]]]:
    if isinstance(node, dict):
        if set(node) == set(LANGUAGES):
            return [(path, node)]
        return [t for key, value in node.items() for t in _texts(value, f"{path}.{key}")]
    if isinstance(node, list):
        return [t for i, value in enumerate(node) for t in _texts(value, f"{path}[{i}]")]
    return []


@pytest.mark.parametrize("path", [CRITERIA_FILE, DIGITAL_FILE], ids=lambda p: p.name)
def test_every_questionnaire_text_is_in_vietnamese_and_english(path: Path) -> None:
    texts = _texts(tomllib.loads(path.read_text(encoding="utf-8")))
    assert len(texts) >= 20
    for where, text in texts:
        if isinstance(text["vi"], list):  # words people type, per language
            assert text["vi"], where
            assert text["en"], where
            continue
        assert text["vi"].strip(), where
        assert text["en"].strip(), where
        assert text["vi"] != text["en"], f"{where} is not translated"


def _broken(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    content = source.read_text(encoding="utf-8")
    assert old in content
    target = tmp_path / source.name
    target.write_text(content.replace(old, new, 1), encoding="utf-8")
    return target


def test_a_missing_english_text_names_file_item_and_field(tmp_path: Path) -> None:
    content = CRITERIA_FILE.read_text(encoding="utf-8")
    data = tomllib.loads(content)
    tip = data["indicators"][3]["groups"]["b"]["tip"]["en"]
    broken = _broken(tmp_path, CRITERIA_FILE, f'en = "{tip}"', 'english = "x"')
    with pytest.raises(QuestionnaireError) as raised:
        load_criteria(broken)
    message = str(raised.value)
    assert message.startswith("cdht-2023.toml: ")
    assert "indicators[3] (id '4').groups.b.tip.en: missing" in message


def test_an_unknown_group_is_reported(tmp_path: Path) -> None:
    broken = _broken(tmp_path, CRITERIA_FILE, 'group = "b"', 'group = "z"')
    with pytest.raises(
        QuestionnaireError, match=r"occupations\[\d\] \(id '\w+'\)\.group: unknown group 'z'"
    ):
        load_criteria(broken)


def test_a_duplicate_id_is_reported(tmp_path: Path) -> None:
    broken = _broken(tmp_path, DIGITAL_FILE, 'id = "d2"', 'id = "d1"')
    with pytest.raises(QuestionnaireError, match=r"kns-2025\.toml: questions: duplicate id 'd1'"):
        load_digital(broken)


def test_a_score_outside_its_range_is_reported(tmp_path: Path) -> None:
    broken = _broken(tmp_path, CRITERIA_FILE, "min_each = 5", "min_each = 50")
    with pytest.raises(QuestionnaireError, match=r"rule\.min_each: 50 is outside 0\.\.10"):
        load_criteria(broken)


def test_falling_level_thresholds_are_reported(tmp_path: Path) -> None:
    broken = _broken(tmp_path, DIGITAL_FILE, "min_points = 18", "min_points = 5")
    with pytest.raises(QuestionnaireError, match="levels: min_points must start at 0"):
        load_digital(broken)


def test_a_file_that_is_not_toml_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "cdht-2023.toml"
    broken.write_text('id = "cdht-2023"\nkind = ', encoding="utf-8")
    with pytest.raises(QuestionnaireError, match=r"cdht-2023\.toml: cannot be read"):
        load_criteria(broken)


def test_every_indicator_says_what_0_5_8_and_10_mean() -> None:
    for indicator in default_criteria().indicators:
        assert [score for score, _ in indicator.anchors] == [0, 5, 8, 10], indicator.id


def test_an_anchor_outside_the_scale_is_refused(tmp_path: Path) -> None:
    broken = _broken(tmp_path, CRITERIA_FILE, '10 = { vi = "ngày nào', '11 = { vi = "ngày nào')
    with pytest.raises(QuestionnaireError, match=r"anchors\.11: expected a score from 0 to 10"):
        load_criteria(broken)


def test_a_certificate_counting_as_an_unknown_level_is_refused(tmp_path: Path) -> None:
    broken = _broken(tmp_path, DIGITAL_FILE, 'counts_as = "basic"', 'counts_as = "expert"')
    with pytest.raises(QuestionnaireError, match=r"counts_as: unknown level 'expert'"):
        load_digital(broken)


def test_a_group_wording_without_text_or_tip_is_refused(tmp_path: Path) -> None:
    learning = 'text = { vi = "Học, bồi dưỡng'  # d8, group c: a text and no tip
    broken = _broken(tmp_path, DIGITAL_FILE, learning, learning.replace("text", "texts", 1))
    with pytest.raises(QuestionnaireError, match=r"groups\.c\.text: missing \(give text, tip"):
        load_digital(broken)
