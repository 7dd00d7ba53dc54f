"""Walk the shortest path through a whole self-assessment and count what it costs.

The walker answers whatever step the person is on (read from storage), always taking the
cheapest answer: no evidence, no changes. It counts the person's answers (every message
sent after /batdau, up to "Send") and the words the bot showed: in its messages, and on
its buttons, counted apart.
"""

from dataclasses import dataclass

from bot.app import App
from conversations.model import default_criteria
from storage.db import unit_of_work
from storage.state_store import StateStore
from tests.support import Chat

PASSING_SCORE = "9"


@dataclass(frozen=True)
class PathCost:
    answers: int
    words: int  # in the bot's messages
    button_words: int  # on the buttons (scores, options, « Back)


def words(text: str) -> int:
    """Words a person reads: tokens with a letter or a digit ("«" and "·" are not words)."""
    return sum(1 for token in text.split() if any(ch.isalnum() for ch in token))


def words_seen(chat: Chat) -> tuple[int, int]:
    """Words in the messages, and words on their buttons."""
    said = sum(words(message.text) for message in chat.seen)
    labels = sum(words(choice.label) for message in chat.seen for choice in message.choices)
    return said, labels


def occupation_number(group: str) -> str:
    """The position (1-based) of the first occupation that proposes this group."""
    occupations = default_criteria().occupations
    return str(next(i for i, o in enumerate(occupations, 1) if o.group == group))


def answer_for(step: str, group: str) -> str:
    """The cheapest typed answer to a step; choices are answered by their number."""
    name = step.partition(":")[0]
    typed = {
        "name": "Nguyễn Văn An, 1968",
        "birth_year": "1968",
        "commune": "hai hau",
        "place": "Xóm 3",
        "place_text": "Xóm 3",
        "occupation": occupation_number(group),
        "group_pick": str("abcd".index(group) + 1),
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
    """Answer from /batdau until the assessment is sent; fails if it loops past `limit`.
    /batdau itself is not counted (Telegram's Start button, or the invitation link, sends
    it); every answer after it is, "Send" included."""
    chat = Chat(app, user=f"path-{group}", locale_hint="vi")
    await chat.send("/batdau")
    answers = 0
    while (step := await current_step(app, chat.user)) != "submitted":
        assert answers < limit, f"stuck at {step}: {chat.text}"
        await chat.send(answer_for(step, group))
        answers += 1
    return PathCost(answers, *words_seen(chat))
