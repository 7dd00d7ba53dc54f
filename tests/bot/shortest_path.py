"""Walk the shortest path through a whole self-assessment and count what it costs.

The walker answers whatever step the person is on (read from storage), always taking the
cheapest answer: no evidence, no changes. It counts the person's answers (every message
sent, from the first /batdau to "Send") and the words the bot showed (message texts and
button labels), which is what a reader has to get through.
"""

from dataclasses import dataclass

from bot.app import App
from conversations.model import default_criteria
from storage.db import unit_of_work
from storage.repositories import StateStore
from tests.support import Chat

PASSING_SCORE = "9"


@dataclass(frozen=True)
class PathCost:
    answers: int
    words: int


def words_seen(chat: Chat) -> int:
    total = 0
    for message in chat.seen:
        total += len(message.text.split())
        total += sum(len(choice.label.split()) for choice in message.choices)
    return total


def occupation_number(group: str) -> str:
    """The position (1-based) of the first occupation that proposes this group."""
    occupations = default_criteria().occupations
    return str(next(i for i, o in enumerate(occupations, 1) if o.group == group))


def answer_for(step: str, group: str) -> str:
    """The cheapest typed answer to a step; choices are answered by their number."""
    name = step.partition(":")[0]
    typed = {
        "name": "Nguyễn Văn An",
        "birth_year": "1968",
        "commune": "hai hau",
        "place": "Xóm 3",
        "place_text": "Xóm 3",
        "occupation": occupation_number(group),
        "ind": PASSING_SCORE,
        "ev": "không",
    }
    return typed.get(name, "1")


async def current_step(app: App, user: str) -> str:
    async with unit_of_work(app.sessions) as session:
        state = await StateStore(session, app.criteria, app.digital).load("console", user)
    assert state is not None
    return state.step


async def walk_shortest_path(app: App, group: str, limit: int = 80) -> PathCost:
    """Answer from /batdau until the assessment is sent; fails if it loops past `limit`."""
    chat = Chat(app, user=f"path-{group}", locale_hint="vi")
    await chat.send("/batdau")
    answers = 1
    while (step := await current_step(app, chat.user)) != "submitted":
        assert answers < limit, f"stuck at {step}: {chat.text}"
        await chat.send(answer_for(step, group))
        answers += 1
    return PathCost(answers, words_seen(chat))
