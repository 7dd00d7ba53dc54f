"""Whatever a person sends, in any order, the engine answers and never breaks its state."""

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations.engine import (
    BUTTON_COMMANDS,
    COMMAND_BUTTON,
    current_prompt,
    handle,
    new_state,
)
from conversations.events import EventKind, InboundEvent, OutboundMessage, from_typed_text
from conversations.state import UserState
from conversations.steps import STEPS, split
from tests.conversations.fakes import fake_ports

COMMANDS = [
    "/batdau",
    "/tiep",
    "/lai",
    "/sua",
    "/sua 3",
    "/sua 99",
    "/ketqua",
    "/huy",
    "/ngonngu",
    "/ngonngu en",
    "/trogiup",
    "/dulieu",
    "/xyz",
]
TEXTS = [
    "",
    "1",
    "2",
    "5",
    "10",
    "11",
    "-1",
    "7.5",
    "hai hau",
    "Nguyễn Văn An",
    "1970",
    "😀",
    "x" * 5000,
    "1\u00b2",  # "1²": isdigit() is true, int() refuses it
    "\u0661\u0669\u0667\u0660",  # 1970 in Arabic-Indic digits
    "\uff17",  # fullwidth 7
    "9" * 20,
    "\x00",
    "Nguy\x00n\x1b[31m",
    "\ud800",
    "đồng ý",
    "bỏ qua",
]

actions = st.one_of(
    st.tuples(st.just("tap"), st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("text"), st.sampled_from(TEXTS) | st.text(max_size=30)),
    st.tuples(st.just("text"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("forged"), st.text(max_size=70)),
)


async def play(steps: list[tuple[str, object]]) -> None:
    ports = fake_ports()
    first = InboundEvent("test", "u", EventKind.COMMAND, command="batdau")
    state: UserState = new_state(first)
    replies, state = await handle(first, state, ports)
    for kind, value in steps:
        prompt = replies[-1]
        if kind == "tap" and prompt.choices:
            choice = prompt.choices[int(value) % len(prompt.choices)]  # type: ignore[call-overload]
            event = InboundEvent("test", "u", EventKind.CHOICE, choice_id=choice.id)
        elif kind == "forged":
            event = InboundEvent("test", "u", EventKind.CHOICE, choice_id=str(value))
        else:
            event = from_typed_text("test", "u", str(value))
        before = state
        replies, state = await handle(event, state, ports)
        assert replies, "every event gets an answer"
        assert all(reply.text.strip() for reply in replies)
        assert split(state.step)[0] in STEPS
        if kind == "forged" and not _offered_or_command(str(value), prompt):
            assert state == before, "a forged button changes nothing"
        if state.assessment is not None:
            assert all(0 <= s <= 10 for s in state.assessment.scores.values())
    await current_prompt_is_renderable(state)


def _offered_or_command(choice_id: str, prompt: OutboundMessage) -> bool:
    """A button of the current question, or a command button (a reminder's "Làm tiếp"),
    which is valid whatever the step: neither is forged."""
    command = choice_id.removeprefix(COMMAND_BUTTON)
    offered = any(c.id == choice_id for c in prompt.choices)
    return offered or (choice_id.startswith(COMMAND_BUTTON) and command in BUTTON_COMMANDS)


async def current_prompt_is_renderable(state: UserState) -> None:
    from conversations.context import Ctx
    from conversations.i18n import Translator

    ports = fake_ports()
    ctx = Ctx(state, ports, Translator(state.locale), ports.clock.now())
    assert (await current_prompt(ctx)).text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, max_size=60))
def test_any_sequence_of_taps_texts_and_commands_is_handled(
    steps: list[tuple[str, object]],
) -> None:
    asyncio.run(play(steps))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2), min_size=200, max_size=200))
def test_tapping_buttons_alone_always_reaches_the_end(choices: list[int]) -> None:
    async def run() -> None:
        ports = fake_ports()
        event = InboundEvent("test", "u", EventKind.COMMAND, command="batdau")
        replies, state = await handle(event, new_state(event), ports)
        typed = {
            "name": "Lê Văn Tám",
            "birth_year": "1980",
            "commune": "hai hau",
            "place_text": "Xóm 9",
        }
        for pick in choices:
            if state.step == "submitted":
                break
            prompt = replies[-1]
            if state.step in typed:
                event = from_typed_text("test", "u", typed[state.step])
            else:
                preferred = [
                    c
                    for c in prompt.choices
                    if not c.id.endswith(("=no", "=again", "=edit", "=later", "=change", "=info"))
                ]
                options = preferred or list(prompt.choices)
                event = InboundEvent(
                    "test", "u", EventKind.CHOICE, choice_id=options[pick % len(options)].id
                )
            replies, state = await handle(event, state, ports)
        assert state.step == "submitted"

    asyncio.run(run())
