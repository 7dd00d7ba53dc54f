"""Welcome, consent and the first personal details: name and year of birth."""

from conversations import inputs
from conversations.context import Chosen, Ctx, Outcome, Reply, Typed
from conversations.events import OutboundMessage
from conversations.places import enter_commune
from conversations.privacy import CONSENT_VERSION, consent_details, consent_text
from conversations.steps import BaseStep, ask, step


def welcome(ctx: Ctx) -> Outcome:
    text = ctx.t(
        "Hello! I help you score yourself as a “Công dân học tập” (Learning Citizen). "
        "There are 10 questions about learning, 0 to 10 points each, then 10 short ones "
        "about using a phone. About 15 minutes. You can stop and go on later."
    )
    return ctx.outcome(ctx.state.at("consent"), text)


@step("new")
class New(BaseStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        return OutboundMessage(ctx.t("Type /batdau to begin."))

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        return welcome(ctx)


@step("consent")
class Consent(BaseStep):
    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t = ctx.t
        options = [
            ("yes", t("I agree")),
            ("info", t("Details")),
            ("no", t("I do not agree")),
        ]
        return ask("consent", consent_text(ctx), options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        value = reply.value if isinstance(reply, Chosen) else ""
        if value == "info":
            return ctx.outcome(ctx.state, consent_details(ctx))
        if value == "no":
            note = ctx.t(
                "No problem. I will not keep any of your details. "
                "If you change your mind, type /batdau."
            )
            return ctx.outcome(ctx.state.at("declined"), note, prompt=False)
        state = ctx.state.with_profile(
            consent_at=ctx.now, consent_version=CONSENT_VERSION, withdrawn_at=None
        )
        # Someone agreeing again after withdrawing keeps what they had already given.
        return ctx.outcome(state.at(state.profile.missing or "idle"))


@step("declined")
class Declined(New):
    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        return OutboundMessage(
            ctx.t(
                "You have not agreed to the storage of your details. "
                "Type /batdau if you change your mind."
            )
        )

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        return ctx.outcome(ctx.state, prompt=True)


@step("name")
class Name(BaseStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        if ctx.state.return_to:  # changing the name only, from the result
            return OutboundMessage(_with_current(ctx, ctx.t("What is your full name?"), "name"))
        return OutboundMessage(
            ctx.t("Your full name and year of birth? For example: Nguyễn Văn An, 1968")
        )

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        """The name, and the year too when written after it (then one question less)."""
        name_part, year_part = inputs.split_name_and_year(_typed(reply))
        name = inputs.clean_name(ctx.t, name_part)
        state = ctx.state.with_profile(name=name)
        if year_part is None or ctx.state.return_to:
            return ctx.outcome(state.next("birth_year"))
        born = inputs.parse_birth_year(ctx.t, year_part, ctx.season)
        if born.guessed:
            return ctx.outcome(state.at(f"birth_check:{born.year}"))
        return await _born(ctx.with_state(state), born.year)


@step("birth_year")
class BirthYear(BaseStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        question = ctx.t("What year were you born? (for example 1968)")
        return OutboundMessage(_with_current(ctx, question, "birth_year"))

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        born = inputs.parse_birth_year(ctx.t, _typed(reply), ctx.season)
        if born.guessed:
            return ctx.outcome(ctx.state.at(f"birth_check:{born.year}"))
        return await _born(ctx, born.year)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "name"


@step("birth_check")
class BirthYearCheck(BaseStep):
    """ "65" was read as 1965: the person says whether that is right."""

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t = ctx.t
        options = [("yes", t("Yes")), ("no", t("No, I will write it again"))]
        return ask(
            f"birth_check:{param}", t("Born in {year}, is that right?", year=param), options
        )

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        if isinstance(reply, Chosen) and reply.value == "yes":
            return await _born(ctx, int(param))
        return ctx.outcome(ctx.state.at("birth_year"))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "birth_year"


def _with_current(ctx: Ctx, question: str, field: str) -> str:
    """When the person is changing an answer, show what is stored now."""
    current = getattr(ctx.state.profile, field)
    if not ctx.state.return_to or current is None:
        return question
    return question + "\n" + ctx.t("Your answer now: {answer}", answer=current)


async def _born(ctx: Ctx, year: int) -> Outcome:
    state = ctx.state.with_profile(birth_year=year)
    if state.return_to:  # changed from the result: nothing else depends on the year
        return ctx.outcome(state.next("commune"))
    return await enter_commune(ctx, state)


def _typed(reply: Reply) -> str:
    return reply.text if isinstance(reply, Typed) else ""
