"""Reusable steps of a conversation, written as a person would go through them."""

from conversations.model import default_criteria
from tests.support import Chat

GROUP_OCCUPATION = {"a": "farm", "b": "worker", "c": "official", "d": "student"}


def occupation_label(group: str, locale: str = "en") -> str:
    wanted = {
        o.group: o.label(locale) for o in reversed(default_criteria().occupations)
    }  # the first occupation listed for each group
    return wanted[group]


def group_label(group: str, locale: str = "en") -> str:
    """The group's button: its name with examples of who is in it."""
    return default_criteria().group(group).label(locale)


async def register(chat: Chat, group: str = "a", place: str = "Xóm 3") -> None:
    await chat.send("/batdau")
    await chat.click("I agree")
    await chat.send("Nguyễn Văn An")
    await chat.send("1968")
    await chat.send("hai hau")  # one commune by that name: chosen without a list
    await chat.send(place)
    await chat.click(group_label(group))


async def score_all(chat: Chat, scores: list[int], note: str | None = None) -> None:
    """Score each indicator; a note goes on the same line, after the score."""
    for score in scores:
        if note:
            await chat.send(f"{score}, {note}")
        else:
            await chat.click(str(score))


async def answer_digital(chat: Chat, answer: str = "I can do it", count: int = 10) -> None:
    for _ in range(count):
        await chat.click(answer)
