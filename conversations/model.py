"""Loaded, validated questionnaires: the criteria and the digital-skills check."""

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

from conversations.datafile import LANGUAGES, LocalText, Node, QuestionnaireError, unique_ids
from conversations.text import fold

QUESTIONNAIRE_DIR = Path(__file__).parent / "questionnaires"
CRITERIA_ID = "cdht-2023"
DIGITAL_ID = "kns-2025"
T = TypeVar("T")


@dataclass(frozen=True)
class Rule:
    pass_total: int
    min_each: int
    max_score: int


@dataclass(frozen=True)
class Group:
    id: str
    name: LocalText  # the official name, for leaders and exports
    examples: LocalText | None = None  # who is in it, in everyday words, for citizens

    def label(self, locale: str) -> str:
        """ "Người dân trong xã (làm ruộng, buôn bán nhỏ, nội trợ, nghỉ hưu)"."""
        if self.examples is None:
            return self.name(locale)
        return f"{self.name(locale)} ({self.examples(locale)})"


@dataclass(frozen=True)
class Occupation:
    id: str
    group: str
    label: LocalText
    words: tuple[str, ...] = ()  # what people type for it, folded ("lam ruong", "nong dan")


@dataclass(frozen=True)
class Competence:
    id: str
    title: LocalText


@dataclass(frozen=True)
class IndicatorText:
    explain: LocalText
    example: LocalText
    tip: LocalText


@dataclass(frozen=True)
class Indicator:
    id: str
    competence: str
    title: LocalText
    by_group: dict[str, IndicatorText]
    # What some scores mean for this indicator, lowest first: ((0, text), (5, text), …).
    anchors: tuple[tuple[int, LocalText], ...] = ()


@dataclass(frozen=True)
class Criteria:
    id: str
    source: LocalText
    note: LocalText
    rule: Rule
    groups: tuple[Group, ...]
    occupations: tuple[Occupation, ...]
    competences: tuple[Competence, ...]
    indicators: tuple[Indicator, ...]

    def indicator(self, indicator_id: str) -> Indicator:
        return next(item for item in self.indicators if item.id == indicator_id)

    def group(self, group_id: str) -> Group:
        return next(item for item in self.groups if item.id == group_id)

    def competence(self, competence_id: str) -> Competence:
        return next(item for item in self.competences if item.id == competence_id)


@dataclass(frozen=True)
class AnswerOption:
    id: str
    points: int
    label: LocalText


@dataclass(frozen=True)
class Level:
    id: str
    min_points: int
    requires_self: tuple[str, ...]  # questions answered "I can do it" (alone)
    name: LocalText
    requires_help: tuple[str, ...] = ()  # questions answered at least "with help"


@dataclass(frozen=True)
class Question:
    id: str
    text: LocalText
    tip: LocalText
    # Wording that fits one group better (a pupil is asked about lessons, not crop prices):
    # group id -> (text, tip); a group not named here gets `text` and `tip`.
    by_group: tuple[tuple[str, LocalText, LocalText], ...] = ()

    def text_for(self, group: str | None) -> LocalText:
        return next((text for g, text, _ in self.by_group if g == group), self.text)

    def tip_for(self, group: str | None) -> LocalText:
        return next((tip for g, _, tip in self.by_group if g == group), self.tip)


@dataclass(frozen=True)
class Certificate:
    """The state's basic digital-skills certificate (QĐ 757/QĐ-BKHCN, on VNeID), as the
    person says they hold it: `claim` and `unclaim` are the choices that say so, `fact` how
    it is shown, `counts_as` the level a holder has at least (None: a fact only)."""

    claim: LocalText
    unclaim: LocalText
    fact: LocalText
    counts_as: str | None = None


@dataclass(frozen=True)
class DigitalCheck:
    id: str
    source: LocalText
    intro: LocalText
    answers: tuple[AnswerOption, ...]
    levels: tuple[Level, ...]
    questions: tuple[Question, ...]
    certificate: Certificate | None = None

    def answer(self, answer_id: str) -> AnswerOption:
        return next(item for item in self.answers if item.id == answer_id)

    def question(self, question_id: str) -> Question:
        return next(item for item in self.questions if item.id == question_id)


def read_root(path: Path, kind: str) -> Node:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise QuestionnaireError(f"{path.name}: cannot be read: {error}") from error
    root = Node(path.name, "", raw)
    if root.string("kind") != kind:
        raise root.fail("kind", f"expected '{kind}'")
    return root


def load_criteria(path: Path) -> Criteria:
    root = read_root(path, "criteria")
    rule_node = root.child("rule")
    max_score = rule_node.integer("max_score", 1, 100)
    rule = Rule(
        pass_total=rule_node.integer("pass_total", 0, 100 * max_score),
        min_each=rule_node.integer("min_each", 0, max_score),
        max_score=max_score,
    )
    groups = _items(root, "groups", _group)
    group_ids = [group.id for group in groups]
    occupations = _items(root, "occupations", lambda n: _occupation(n, group_ids))
    competences = _items(
        root, "competences", lambda n: Competence(n.string("id"), n.text("title"))
    )
    competence_ids = [item.id for item in competences]
    indicators = _items(
        root, "indicators", lambda n: _indicator(n, group_ids, competence_ids, max_score)
    )
    return Criteria(
        id=root.string("id"),
        source=root.text("source"),
        note=root.text("note"),
        rule=rule,
        groups=groups,
        occupations=occupations,
        competences=competences,
        indicators=indicators,
    )


def load_digital(path: Path) -> DigitalCheck:
    root = read_root(path, "digital")
    answers = _items(
        root,
        "answers",
        lambda n: AnswerOption(n.string("id"), n.integer("points", 0, 100), n.text("label")),
    )
    questions = _items(root, "questions", _question)
    question_ids = [question.id for question in questions]
    levels = _items(root, "levels", lambda n: _level(n, question_ids))
    _check_levels(root, levels)
    certificate = _certificate(root, levels) if "certificate" in root.raw else None
    return DigitalCheck(
        id=root.string("id"),
        source=root.text("source"),
        intro=root.text("intro"),
        answers=answers,
        levels=levels,
        questions=questions,
        certificate=certificate,
    )


def _question(node: Node) -> Question:
    """`[questions.groups.d]` holds `text` and/or `tip` for group d; the rest is shared."""
    text, tip = node.text("text"), node.text("tip")
    by_group = []
    if "groups" in node.raw:
        table = node.child("groups")
        for group in table.raw:
            own = table.child(group)
            if not {"text", "tip"} & set(own.raw):
                raise own.fail("text", "missing (give text, tip or both)")
            by_group.append(
                (
                    group,
                    own.text("text") if "text" in own.raw else text,
                    own.text("tip") if "tip" in own.raw else tip,
                )
            )
    return Question(node.string("id"), text, tip, tuple(by_group))


def _certificate(root: Node, levels: tuple[Level, ...]) -> Certificate:
    node = root.child("certificate")
    counts_as = node.string("counts_as") if "counts_as" in node.raw else None
    if counts_as is not None and counts_as not in [level.id for level in levels]:
        raise node.fail("counts_as", f"unknown level '{counts_as}'")
    return Certificate(node.text("claim"), node.text("unclaim"), node.text("fact"), counts_as)


@cache
def default_criteria() -> Criteria:
    return load_criteria(QUESTIONNAIRE_DIR / f"{CRITERIA_ID}.toml")


@cache
def default_digital() -> DigitalCheck:
    return load_digital(QUESTIONNAIRE_DIR / f"{DIGITAL_ID}.toml")


def _items(root: Node, key: str, build: Callable[[Node], T]) -> tuple[T, ...]:
    nodes = root.children(key)
    if not nodes:
        raise root.fail(key, "no items")
    unique_ids(root, key, nodes)
    return tuple(build(node) for node in nodes)


def _group(node: Node) -> Group:
    examples = node.text("examples") if "examples" in node.raw else None
    return Group(node.string("id"), node.text("name"), examples)


def _occupation(node: Node, group_ids: list[str]) -> Occupation:
    group = node.string("group")
    if group not in group_ids:
        raise node.fail("group", f"unknown group '{group}'")
    words: tuple[str, ...] = ()
    if "words" in node.raw:
        table = node.child("words")
        words = tuple(fold(word) for lang in LANGUAGES for word in table.strings(lang))
    return Occupation(node.string("id"), group, node.text("label"), words)


def _indicator(
    node: Node, group_ids: list[str], competence_ids: list[str], max_score: int
) -> Indicator:
    competence = node.string("competence")
    if competence not in competence_ids:
        raise node.fail("competence", f"unknown competence '{competence}'")
    texts = node.child("groups")
    by_group = {}
    for group_id in group_ids:
        group_node = texts.child(group_id)
        by_group[group_id] = IndicatorText(
            group_node.text("explain"),
            group_node.text("example"),
            group_node.text("tip"),
        )
    anchors = _anchors(node, max_score) if "anchors" in node.raw else ()
    return Indicator(node.string("id"), competence, node.text("title"), by_group, anchors)


def _anchors(node: Node, max_score: int) -> tuple[tuple[int, LocalText], ...]:
    """`anchors = { "0" = {vi, en}, "5" = …, "8" = …, "10" = … }`: scores within the scale."""
    table = node.child("anchors")
    found = []
    for key in table.raw:
        if not key.isdigit() or int(key) > max_score:
            raise table.fail(key, f"expected a score from 0 to {max_score}")
        found.append((int(key), table.text(key)))
    return tuple(sorted(found, key=lambda pair: pair[0]))


def _level(node: Node, question_ids: list[str]) -> Level:
    required = _questions(node, "requires_self", question_ids)
    with_help = (
        _questions(node, "requires_help", question_ids) if "requires_help" in node.raw else ()
    )
    return Level(
        node.string("id"),
        node.integer("min_points", 0, 1000),
        required,
        node.text("name"),
        with_help,
    )


def _questions(node: Node, key: str, question_ids: list[str]) -> tuple[str, ...]:
    """A list of question ids; "*" stands for every question."""
    listed = node.strings(key)
    if listed == ("*",):
        return tuple(question_ids)
    unknown = [item for item in listed if item not in question_ids]
    if unknown:
        raise node.fail(key, f"unknown question '{unknown[0]}'")
    return listed


def _check_levels(root: Node, levels: tuple[Level, ...]) -> None:
    thresholds = [level.min_points for level in levels]
    if thresholds[0] != 0 or thresholds != sorted(set(thresholds)):
        raise root.fail("levels", "min_points must start at 0 and rise strictly")
