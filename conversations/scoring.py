"""The recognition rule and the digital-skill level, as plain functions over scores."""

from collections.abc import Mapping
from dataclasses import dataclass

from conversations.model import DigitalCheck, Level, Rule


@dataclass(frozen=True)
class Verdict:
    total: int
    recognised: bool
    below_minimum: tuple[str, ...]
    to_improve: tuple[str, ...]
    points_needed: int = 0  # how far the total is below pass_total (0 when it is enough)


def is_recognised(scores: Mapping[str, int], rule: Rule) -> bool:
    """Total at least pass_total and no indicator below min_each (QĐ 324/QĐ-KHVN)."""
    return sum(scores.values()) >= rule.pass_total and all(
        score >= rule.min_each for score in scores.values()
    )


def verdict(scores: Mapping[str, int], rule: Rule, extra: int = 3) -> Verdict:
    """The result, with the indicators to work on: those below the floor first, then,
    while the total is short, the lowest others until their headroom covers the gap."""
    total = sum(scores.values())
    below = tuple(
        sorted((i for i, s in scores.items() if s < rule.min_each), key=scores.__getitem__)
    )
    to_improve = list(below)
    gap = rule.pass_total - total - sum(rule.min_each - scores[i] for i in below)
    others = sorted(
        (i for i, s in scores.items() if i not in below and s < rule.max_score),
        key=lambda i: (scores[i], int(i) if i.isdigit() else i),
    )
    for indicator_id in others[:extra]:
        if gap <= 0:
            break
        to_improve.append(indicator_id)
        gap -= rule.max_score - scores[indicator_id]
    needed = max(0, rule.pass_total - total)
    return Verdict(total, is_recognised(scores, rule), below, tuple(to_improve), needed)


def digital_points(answers: Mapping[str, str], check: DigitalCheck) -> int:
    return sum(check.answer(answer_id).points for answer_id in answers.values())


def digital_level(
    answers: Mapping[str, str], check: DigitalCheck, certified: bool = False
) -> Level:
    """The highest level whose points and coverage are met: enough points, the questions it
    requires done alone, and those it requires done at least with help (kns-2025.toml,
    after QĐ 757/QĐ-BKHCN and QĐ 677's wording; the thresholds are our guidance). A holder
    of the state's certificate (`certified`) has at least the level the check's data says
    it counts as, if any."""
    points = digital_points(answers, check)
    alone = check.answers[0]
    with_help = min(
        (option for option in check.answers if option.points > 0),
        key=lambda option: option.points,
        default=alone,
    )
    scored = {q: check.answer(a).points for q, a in answers.items()}
    reached = check.levels[0]
    for level in check.levels:
        done_alone = all(answers.get(q) == alone.id for q in level.requires_self)
        covered = all(scored.get(q, 0) >= with_help.points for q in level.requires_help)
        if points >= level.min_points and done_alone and covered:
            reached = level
    floor = check.certificate.counts_as if certified and check.certificate else None
    ids = [level.id for level in check.levels]
    if floor is not None and ids.index(floor) > ids.index(reached.id):
        return check.levels[ids.index(floor)]
    return reached
