"""handle(event, state, ports) -> (replies, new state). No I/O except through the ports."""

from dataclasses import replace

from conversations import (  # noqa: F401  (importing them registers their steps)
    assessing,
    calendar_screen,
    commands,
    grouping,
    household,
    inviting,
    named_titles,
    places,
    placing,
    registration,
    reviewing,
    summary,
    titles_screen,
)
from conversations.commands import run_command
from conversations.context import Chosen, Ctx, InputError, Outcome, Reply, Typed
from conversations.events import Choice, EventKind, InboundEvent, OutboundMessage
from conversations.i18n import N_, Translator, negotiate
from conversations.inputs import is_greeting, yes_or_no
from conversations.ports import Ports
from conversations.state import UserState
from conversations.steps import choice_id, lookup, split
from conversations.text import clean_typed, fold, has_letter, whole_number

# The longest answer read, whatever the messenger allows: an answer or a note is a few
# sentences, and a pasted book should not reach the database.
LONGEST_ANSWER = 2000
BACK = "/lai"
COMMAND_BUTTON = "cmd="
BUTTON_COMMANDS = ("tiep", "batdau", "ketqua", "lanhdao")


WITHHELD = N_(
    "Zalo did not pass your message on to me, so I cannot read your answers here. "
    "Please ask the Khuyến học association of your village to help you, "
    "or use Telegram."
)


def new_state(event: InboundEvent, default_locale: str = "vi") -> UserState:
    return UserState(locale=negotiate(event.locale_hint, default_locale))


async def handle(
    event: InboundEvent, state: UserState, ports: Ports
) -> tuple[list[OutboundMessage], UserState]:
    who = (event.channel, event.user_ref)
    ctx = _context(state, ports, who)
    try:
        outcome = await _dispatch(ctx, event)
    except InputError as error:
        # Only the short question again: the person has just read the whole of it.
        refusal = OutboundMessage(error.message, error=True)
        return [refusal, await current_prompt(ctx, brief=True)], state
    replies = list(outcome.notes)
    if outcome.prompt:
        after = _context(outcome.state, ports, who)
        replies.append(await current_prompt(after, brief=outcome.brief))
    return replies, outcome.state


async def current_prompt(ctx: Ctx, brief: bool = False) -> OutboundMessage:
    """The question of the current step, with a back button where going back is possible;
    `brief`: its short reminder where the step has one."""
    current, param = lookup(ctx.state.step)
    prompt = (await current.remind(ctx, param) if brief else None) or await current.prompt(
        ctx, param
    )
    if current.back(ctx, param) is None:
        return prompt
    back = Choice(choice_id(ctx.state.step, BACK), ctx.t("« Back"), nav=True)
    return replace(prompt, choices=(*prompt.choices, back))


def _context(state: UserState, ports: Ports, who: tuple[str, str]) -> Ctx:
    return Ctx(state, ports, Translator(state.locale), ports.clock.now(), who)


async def _dispatch(ctx: Ctx, event: InboundEvent) -> Outcome:
    if event.kind == EventKind.WITHHELD:
        # Said once per such message, with no question after it: nothing the person does in
        # this chat can reach us, so repeating the question would only loop.
        return ctx.outcome(ctx.state, ctx.t(WITHHELD), prompt=False)
    if event.kind == EventKind.DOCUMENT and ctx.state.step != "new":
        return await _document(ctx, event)
    if event.kind == EventKind.MEDIA and ctx.state.step != "new":
        raise InputError(ctx.t("I can only read typed answers. Please type your answer."))
    if event.kind == EventKind.COMMAND:
        return await run_command(ctx, event.command, event.args)
    if event.kind == EventKind.CHOICE and event.choice_id.startswith(COMMAND_BUTTON):
        # Buttons in reminders ("Continue") run a command: valid whatever the step.
        name = event.choice_id.removeprefix(COMMAND_BUTTON)
        if name in BUTTON_COMMANDS:
            return await run_command(ctx, name, ())
    if ctx.state.step == "new":
        return registration.welcome(ctx)
    return await _answer(ctx, await _reply(ctx, event))


async def _document(ctx: Ctx, event: InboundEvent) -> Outcome:
    """A file is an answer only where a step asks for one (a leader's CSV import);
    elsewhere its caption, if any, is what the person typed."""
    current, param = lookup(ctx.state.step)
    if not current.documents:
        if event.text.strip():
            return await _answer(ctx, await _reply(ctx, replace(event, kind=EventKind.TEXT)))
        raise InputError(ctx.t("I can only read typed answers. Please type your answer."))
    if event.document is None:
        raise InputError(
            ctx.t(
                "I could not read that file. Please send a CSV file (text, at most 1 MB), "
                "or paste its lines here."
            )
        )
    return await current.answer(ctx, param, Typed(event.document))


async def _answer(ctx: Ctx, reply: Reply) -> Outcome:
    """The current step takes the answer; « Back and greetings are not answers."""
    if isinstance(reply, Chosen) and reply.value == BACK:
        return await run_command(ctx, BACK.lstrip("/"), ())
    current, param = lookup(ctx.state.step)
    if isinstance(reply, Typed) and current.free_text and is_greeting(reply.text):
        # "chào bạn" is a greeting, not a name, a village or a note.
        return ctx.outcome(ctx.state, ctx.t("Hello!"), brief=True)
    return await current.answer(ctx, param, reply)


async def _reply(ctx: Ctx, event: InboundEvent) -> Reply:
    """Turn a tap or a typed line into an answer to the current question, or refuse it."""
    prompt = await current_prompt(ctx)
    values = {choice.id: choice.id.rpartition("=")[2] for choice in prompt.choices}
    if event.kind == EventKind.CHOICE:
        if event.choice_id not in values:
            raise InputError(ctx.t("That question has passed. Here is the current one."))
        return Chosen(values[event.choice_id])
    text = clean_typed(event.text)
    if len(text) > LONGEST_ANSWER:
        raise InputError(ctx.t("That message is too long."))
    matched = _match_choice(ctx, prompt, text)
    if matched is not None:
        return Chosen(values[matched])
    current, _ = lookup(ctx.state.step)
    if current.free_text or current.numeric:
        return Typed(text)
    if not text.strip():
        raise InputError(ctx.t("You have not written anything yet."))
    raise InputError(ctx.t("Please choose one of the options, or type its number."))


def _match_choice(ctx: Ctx, prompt: OutboundMessage, text: str) -> str | None:
    """A typed label ("Đồng ý", "dong y") or, unless the labels are numbers, its position."""
    wanted = fold(text)
    if not wanted:
        return None
    exact = text.strip().casefold()
    for choice in prompt.choices:
        # Accents may be left out, but signs may not: "-1" is not the button "1".
        loose = has_letter(text) and fold(choice.label) == wanted
        if loose or choice.label.casefold() == exact:
            return choice.id
    answer = yes_or_no(text)
    if answer is not None:
        # "vâng", "ừ", "ko"… answer a yes/no question; "no" to a proposal means changing it.
        wanted_values = ("yes",) if answer else ("no", "change")
        for choice in prompt.choices:
            if choice.id.rpartition("=")[2] in wanted_values:
                return choice.id
    current, _ = lookup(ctx.state.step)
    numbered = [choice for choice in prompt.choices if not choice.nav]
    position = None if current.numeric else whole_number(exact, 3)
    if position is not None and 1 <= position <= len(numbered) and exact[:1] not in "+-":
        return numbered[position - 1].id
    return None


__all__ = ["current_prompt", "handle", "new_state", "split"]
