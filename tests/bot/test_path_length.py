"""The shortest whole self-assessment stays short: answers and words, per group (issue 9)."""

import pytest

from bot.app import App
from tests.bot.shortest_path import walk_shortest_path

# Measured with tests/bot/shortest_path.py on main at d583718, before issue 9 (Vietnamese):
# answers after /batdau, and words in the bot's messages (buttons counted apart: 402).
BEFORE = {"a": (39, 1647), "b": (39, 1620), "c": (39, 1630), "d": (39, 1576)}
MOST_ANSWERS = 26


@pytest.mark.parametrize("group", sorted(BEFORE))
async def test_the_shortest_path_meets_the_goal(app: App, group: str) -> None:
    cost = await walk_shortest_path(app, group)
    _, words_before = BEFORE[group]
    assert cost.answers <= MOST_ANSWERS, cost
    assert cost.words * 2 <= words_before, cost
