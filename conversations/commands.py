"""Commands that work at any step: start, resume, back, change, result, cancel, language, help."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from conversations.context import Chosen, Ctx, InputError, Outcome, Reply
from conversations.events import OutboundMessage
from conversations.grouping import start
from conversations.i18n import SUPPORTED, Translator
from conversations.leading import join, open_menu
from conversations.privacy import open_data_menu
from conversations.state import Status
from conversations.steps import BaseStep, ask, lookup, split, step
from conversations.summary import edit_indicator, result_text

ASSESSMENT_STEPS = ("ind", "ev", "dig", "summary", "edit_pick", "edit_digital", "note_pick")
# Questions that return to resume_step.
MODAL_STEPS = ("lang", "cancel_confirm", "data", "data_withdraw", "data_erase")
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


@dataclass(frozen=True)
class Command:
    name: str
    aliases: tuple[str, ...]
    describe: Callable[[Translator], str]
    run: Callable[[Ctx, tuple[str, ...]], Awaitable[Outcome]]
    public: bool = True  # listed in the messenger's command menu for everyone


async def _start(ctx: Ctx, args: tuple[str, ...]) -> Outcome:
    """/batdau, or /start CODE from an invitation link that names the commune and village."""
    if not args or ctx.state.profile.commune_id is not None:
        return start(ctx)
    target = await ctx.directory.resolve_link(" ".join(args))  # "AC4D 7KX9" typed in two
    if target is None:
        outcome = start(ctx)
        note = ctx.t("This invitation link is not valid any more. You can still sign up here.")
        return replace(outcome, notes=(OutboundMessage(note), *outcome.notes))
    commune_id, place_id = target
    preset = (commune_id,) if place_id is None else (commune_id, place_id)
    return start(ctx.with_state(replace(ctx.state, preset=preset)))


async def _resume(ctx: Ctx, args: tuple[str, ...]) -> Outcome:
    if ctx.state.step in ("new", "idle", "declined", "submitted"):
        return start(ctx)
    return ctx.outcome(ctx.state)


async def _back(ctx: Ctx, args: tuple[str, ...]) -> Outcome:
    current, param = lookup(ctx.state.step)
    previous = current.back(ctx, param)
    if previous is None:
        raise InputError(ctx.t("There is no earlier question to go back to."))
    return ctx.outcome(ctx.state.at(previous))


async def _change(ctx: Ctx, args: tuple[str, ...]) -> Outcome:
    assessment = ctx.state.assessment
    if (
        assessment is None
        or not assessment.editable
        or split(ctx.state.step)[0] not in ASSESSMENT_STEPS
    ):
        raise InputError(ctx.t("There is no open self-assessment to change."))
    if not args:
        return ctx.outcome(ctx.state.at("edit_pick"))
    return edit_indicator(ctx, args[0])


async def _result(ctx: Ctx, args: tuple[str, ...]) -> Outcome:
    assessment = ctx.state.assessment
    if assessment is None:
        raise InputError(ctx.t("You have no result yet. Type /batdau to begin."))
    if ctx.state.step == "summary":
        return ctx.outcome(ctx.state)
    return ctx.outcome(ctx.state, result_text(ctx, assessment))


async def _cancel(ctx: Ctx, args: tuple[str, ...]) -> Outcome:
    name = split(ctx.state.step)[0]
    if name in ("new", "idle", "declined", "submitted", "cancel_confirm"):
        raise InputError(ctx.t("There is nothing to cancel."))
    return ctx.outcome(ctx.state.at("cancel_confirm", resume_step=ctx.state.step))


async def _language(ctx: Ctx, args: tuple[str, ...]) -> Outcome:
    if args and args[0].lower() in SUPPORTED:
        return _set_language(ctx, args[0].lower())
    if ctx.state.step in MODAL_STEPS:
        # Already in a question that will send the person back: keep where it returns to.
        return ctx.outcome(ctx.state.at("lang"))
    return ctx.outcome(ctx.state.at("lang", resume_step=ctx.state.step))


async def _help(ctx: Ctx, args: tuple[str, ...]) -> Outcome:
    lines = [ctx.t("Commands:")]
    lines += [f"/{command.name} — {command.describe(ctx.t)}" for command in COMMANDS]
    lines.append(ctx.t("You can also answer by typing the number or the words of an option."))
    return ctx.outcome(ctx.state, "\n".join(lines), brief=True)


COMMANDS = (
    Command(
        "batdau",
        ("start",),
        lambda t: t("start or continue your self-assessment"),
        _start,
    ),
    Command(
        "tiep",
        ("tieptuc", "resume", "continue"),
        lambda t: t("show the current question again"),
        _resume,
    ),
    Command("lai", ("quaylai", "back"), lambda t: t("go back one question"), _back),
    Command(
        "sua",
        ("change", "edit"),
        lambda t: t("change an indicator, e.g. /sua 3"),
        _change,
    ),
    Command("ketqua", ("result",), lambda t: t("see your result"), _result),
    Command(
        "huy",
        ("cancel",),
        lambda t: t("cancel the self-assessment in progress"),
        _cancel,
    ),
    Command(
        "ngonngu",
        ("language", "lang"),
        lambda t: t("change language (Tiếng Việt / English)"),
        _language,
    ),
    Command(
        "dulieu",
        ("data", "privacy"),
        lambda t: t("your data: see it, get a file, withdraw consent, delete it"),
        open_data_menu,
    ),
    Command("trogiup", ("help", "huongdan"), lambda t: t("list of commands"), _help),
    Command(
        "lanhdao",
        ("leader",),
        lambda t: t("leader menu (for association leaders)"),
        open_menu,
        False,
    ),
    Command("vaitro", ("join",), lambda t: t("take up a leader role with a code"), join, False),
)
_BY_NAME = {alias: command for command in COMMANDS for alias in (command.name, *command.aliases)}


async def run_command(ctx: Ctx, name: str, args: tuple[str, ...]) -> Outcome:
    command = _BY_NAME.get(name.lower())
    if command is None:
        raise InputError(ctx.t("I do not know that command. Type /trogiup to see the commands."))
    return await command.run(ctx, args)


def _set_language(ctx: Ctx, locale: str) -> Outcome:
    state = replace(ctx.state, locale=locale)
    if ctx.state.step == "lang":
        state = replace(state, step=ctx.state.resume_step or "idle", resume_step=None)
    t = Translator(locale)
    return ctx.outcome(state, t("The language is now English."), brief=True)


@step("lang")
class Language(BaseStep):
    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        options = [(code, LANGUAGE_NAMES[code]) for code in SUPPORTED]
        return ask("lang", ctx.t("Choose your language:"), options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        value = reply.value if isinstance(reply, Chosen) else ""
        if value not in SUPPORTED:
            raise InputError(ctx.t("Please choose one of the options."))
        return _set_language(ctx, value)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return ctx.state.resume_step


@step("cancel_confirm")
class CancelConfirm(BaseStep):
    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t = ctx.t
        text = t(
            "Cancel the self-assessment in progress? Your answers of this season will be deleted."
        )
        return ask(
            "cancel_confirm",
            text,
            [("yes", t("Yes, cancel")), ("no", t("No, continue"))],
        )

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        resume = ctx.state.resume_step or "idle"
        if isinstance(reply, Chosen) and reply.value == "yes":
            state = ctx.state.at("idle", resume_step=None, return_to=None, candidates=())
            if state.assessment is not None and state.assessment.status == Status.DRAFT:
                state = replace(state, assessment=None)
            return ctx.outcome(
                state, ctx.t("Cancelled. Type /batdau to start again."), prompt=False
            )
        return ctx.outcome(ctx.state.at(resume, resume_step=None))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return ctx.state.resume_step
