"""Reusable steps of a conversation, written as a person would go through them."""

from conversations.model import default_criteria
from tests.support import Chat

GROUP_OCCUPATION = {"a": "farm", "b": "worker", "c": "official", "d": "student"}


def occupation_label(group: str, locale: str = "en") -> str:
    wanted = {
        o.group: o.label(locale) for o in reversed(default_criteria().occupations)
    }  # the first occupation listed for each group
    return wanted[group]


async def register(chat: Chat, group: str = "a", place: str = "Xóm 3") -> None:
    await chat.send("/batdau")
    await chat.click("I agree")
    await chat.send("Nguyễn Văn An")
    await chat.send("1968")
    await chat.send("hai hau")
    await chat.click("Xã Hải Hậu, Ninh Bình")
    await chat.send(place)
    await chat.click(occupation_label(group))
    await chat.click("Yes, that is right")


async def score_all(chat: Chat, scores: list[int], note: str | None = None) -> None:
    for score in scores:
        await chat.click(str(score))
        if note:
            await chat.send(note)
        else:
            await chat.click("Skip")


async def answer_digital(chat: Chat, answer: str = "I can do it myself", count: int = 10) -> None:
    for _ in range(count):
        await chat.click(answer)
