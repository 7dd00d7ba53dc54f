"""Consent and the few personal details: name, birth year, commune, village or unit."""

from conversations import inputs
from conversations.context import Chosen, Ctx, InputError, Outcome, Reply, Typed
from conversations.events import OutboundMessage
from conversations.ports import Place
from conversations.steps import BaseStep, ask, step
from conversations.text import fold

SEARCH_SHOWN = 8
PLACES_SHOWN = 20


def data_statement(ctx: Ctx) -> str:
    t, profile = ctx.t, ctx.state.profile
    unknown = t("(not given)")
    return t(
        "What we store and why:\n"
        "• Your name and year of birth: {name}, {year}\n"
        "• Your commune and village or unit: {commune}, {place}\n"
        "• Your target group and your answers\n"
        "• Your messenger user id, to know it is you\n"
        "Why: so that the learning association (Hội Khuyến học) of your commune or unit can "
        "confirm your self-assessment, and count the progress of the commune. "
        "Only the association's leaders of your commune or unit can see your answers. "
        "We do not share them with anyone else.",
        name=profile.name or unknown,
        year=profile.birth_year or unknown,
        commune=profile.commune_name or unknown,
        place=profile.place_name or unknown,
    )


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
        text = t(
            "To do the self-assessment I need to keep a few details: your name, year of "
            "birth, commune, village or unit, and target group. Do you agree?"
        )
        options = [
            ("yes", t("I agree")),
            ("info", t("What is stored?")),
            ("no", t("I do not agree")),
        ]
        return ask("consent", text, options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        value = reply.value if isinstance(reply, Chosen) else ""
        if value == "info":
            return ctx.outcome(ctx.state, data_statement(ctx))
        if value == "no":
            note = ctx.t(
                "No problem. I will not keep any of your details. "
                "If you change your mind, type /batdau."
            )
            return ctx.outcome(ctx.state.at("declined"), note, prompt=False)
        return ctx.outcome(ctx.state.at("name").with_profile(consent_at=ctx.now))


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
        return ctx.outcome(ctx.state.at("commune").with_profile(birth_year=year))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "name"


@step("commune")
class Commune(BaseStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        return OutboundMessage(
            ctx.t(
                "Which commune or ward do you live or work in? "
                "Type part of its name, for example: hai hau"
            )
        )

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        return await search_communes(ctx, _typed(reply))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "birth_year"


async def search_communes(ctx: Ctx, text: str) -> Outcome:
    query = inputs.required(ctx.t, text, inputs.SEARCH_LIMIT)
    if len(fold(query).replace(" ", "")) < 2:
        raise InputError(ctx.t("Please type at least 2 letters of the name."))
    found = await ctx.directory.search_communes(query, SEARCH_SHOWN + 1)
    if not found:
        raise InputError(
            ctx.t(
                "I found no commune or ward named “{query}”. Please try another spelling.",
                query=query,
            )
        )
    notes = []
    if len(found) > SEARCH_SHOWN:
        notes.append(
            ctx.t("There are many matches. If yours is not listed, type more of the name.")
        )
    candidates = tuple(place.id for place in found[:SEARCH_SHOWN])
    return ctx.outcome(ctx.state.at("commune_pick", candidates=candidates), *notes)


@step("commune_pick")
class CommunePick(BaseStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        places = [await ctx.directory.commune(item) for item in ctx.state.candidates]
        options = [(str(p.id), _place_label(p)) for p in places if p is not None]
        options.append(("again", ctx.t("Search again")))
        return ask("commune_pick", ctx.t("Which one is yours?"), options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        if isinstance(reply, Typed):
            return await search_communes(ctx, reply.text)
        if reply.value == "again":
            return ctx.outcome(ctx.state.at("commune", candidates=()))
        commune = await ctx.directory.commune(int(reply.value))
        if commune is None:
            raise InputError(ctx.t("Please choose one of the options."))
        state = ctx.state.at("place", candidates=()).with_profile(
            commune_id=commune.id,
            commune_name=_place_label(commune),
            place_id=None,
            place_name=None,
        )
        return ctx.outcome(state)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "commune"


@step("place")
class PlaceStep(BaseStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t = ctx.t
        places = await _places(ctx)
        if not places:
            return OutboundMessage(_place_question(ctx))
        options = [(str(p.id), p.name) for p in places[:PLACES_SHOWN]]
        options.append(("other", t("Not in the list")))
        return ask("place", t("Which village, residential group or unit are you in?"), options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        places = await _places(ctx)
        if isinstance(reply, Chosen) and reply.value == "other":
            return ctx.outcome(ctx.state.at("place_text"))
        if isinstance(reply, Chosen):
            chosen = next((p for p in places if str(p.id) == reply.value), None)
            if chosen is None:
                raise InputError(ctx.t("Please choose one of the options."))
            return _placed(ctx, chosen.id, chosen.name)
        name = inputs.clean_free_text(ctx.t, reply.text, inputs.PLACE_LIMIT)
        same = next((p for p in places if fold(p.name) == fold(name)), None)
        return _placed(ctx, same.id, same.name) if same else _placed(ctx, None, name)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "commune"


@step("place_text")
class PlaceText(BaseStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        return OutboundMessage(_place_question(ctx))

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        name = inputs.clean_free_text(ctx.t, _typed(reply), inputs.PLACE_LIMIT)
        return _placed(ctx, None, name)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "place"


def _place_question(ctx: Ctx) -> str:
    return ctx.t(
        "Write the name of your village, hamlet or residential group. "
        "If you answer as a worker, staff member or student, write the name of your "
        "workplace or school."
    )


def _placed(ctx: Ctx, place_id: int | None, name: str) -> Outcome:
    state = ctx.state.at("occupation").with_profile(place_id=place_id, place_name=name)
    return ctx.outcome(state)


async def _places(ctx: Ctx) -> list[Place]:
    commune_id = ctx.state.profile.commune_id
    return list(await ctx.directory.places_in(commune_id)) if commune_id else []


def _place_label(place: Place) -> str:
    return f"{place.name}, {place.parent_name}" if place.parent_name else place.name


def _typed(reply: Reply) -> str:
    return reply.text if isinstance(reply, Typed) else ""
