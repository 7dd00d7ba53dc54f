"""Welcome, consent and the first personal details: name and year of birth."""

from conversations import inputs
from conversations.context import Chosen, Ctx, Outcome, Reply, Typed
from conversations.events import OutboundMessage
from conversations.places import enter_commune
from conversations.privacy import CONSENT_VERSION, consent_details, consent_text
from conversations.steps import BaseStep, ask, step


def welcome(ctx: Ctx) -> Outcome:
    text = ctx.t(
        "Hello! I help you do the self-assessment for the title "
        "“Công dân học tập” (Learning Citizen).\n"
        "You answer 10 short questions about your learning, scoring each from 0 to 10, "
        "then a few questions about digital skills. It takes about 10 minutes. "
        "You can stop at any time and continue later."
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
        return OutboundMessage(ctx.t("What is your full name?"))

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        name = inputs.clean_name(ctx.t, _typed(reply))
        return ctx.outcome(ctx.state.at("birth_year").with_profile(name=name))


@step("birth_year")
class BirthYear(BaseStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        return OutboundMessage(ctx.t("What year were you born? (for example 1968)"))

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        year = inputs.parse_birth_year(ctx.t, _typed(reply), ctx.season)
        return await enter_commune(ctx, ctx.state.with_profile(birth_year=year))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "name"


def _typed(reply: Reply) -> str:
    return reply.text if isinstance(reply, Typed) else ""
