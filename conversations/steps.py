"""The registry of conversation steps: each knows its question, its answer and its way back."""

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from conversations.context import Ctx, Outcome, Reply
from conversations.events import Choice, OutboundMessage


class Step(Protocol):
    free_text: bool
    numeric: bool
    documents: bool  # takes a file's text (a CSV sent as a document) as its answer

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage: ...

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome: ...

    def back(self, ctx: Ctx, param: str) -> str | None: ...

    async def remind(self, ctx: Ctx, param: str) -> OutboundMessage | None: ...


STEPS: dict[str, Step] = {}
S = TypeVar("S", bound=type)


def step(name: str) -> Callable[[S], S]:
    def register(cls: S) -> S:
        STEPS[name] = cls()
        return cls

    return register


def split(step_key: str) -> tuple[str, str]:
    """ "ind:3" -> ("ind", "3"); "name" -> ("name", "")."""
    name, _, param = step_key.partition(":")
    return name, param


def lookup(step_key: str) -> tuple[Step, str]:
    name, param = split(step_key)
    return STEPS[name], param


def choice_id(step_key: str, value: str) -> str:
    """Button ids carry the step they belong to, so a stale button is recognisable."""
    return f"{step_key}={value}"


def ask(
    step_key: str,
    text: str,
    options: Sequence[tuple[str, str]] = (),
    aside: Sequence[tuple[str, str]] = (),
) -> OutboundMessage:
    """A question with its options as (value, label) pairs; `aside` options are helpers
    (such as "Explain") shown with the navigation, not among the answers."""
    choices = [Choice(choice_id(step_key, value), label) for value, label in options]
    choices += [Choice(choice_id(step_key, value), label, nav=True) for value, label in aside]
    return OutboundMessage(text, tuple(choices))


class BaseStep:
    """Defaults: choices only, no way back."""

    free_text = False
    numeric = False
    documents = False

    def back(self, ctx: Ctx, param: str) -> str | None:
        return None

    async def remind(self, ctx: Ctx, param: str) -> OutboundMessage | None:
        """The question again in a few words (after an error or a help text), with the
        same buttons; None when the full prompt is already short."""
        return None
