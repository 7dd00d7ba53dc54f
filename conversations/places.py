"""Where the person belongs: the commune (searched by name) and the village or unit."""

from collections.abc import Sequence

from conversations import inputs
from conversations.context import Chosen, Ctx, InputError, Outcome, Reply, Typed
from conversations.events import OutboundMessage
from conversations.paging import page_of, paged_step, split_page, turned
from conversations.ports import Place
from conversations.state import UserState
from conversations.steps import BaseStep, ask, step
from conversations.text import fold, place_key, whole_number

SEARCH_SHOWN = 8  # communes on one page of search results
SEARCH_FOUND = 40  # search results kept to page through; more: "type more of the name"


@step("commune")
class Commune(BaseStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        return OutboundMessage(
            ctx.t("Which commune or ward are you in? Type its name, for example: hai hau")
        )

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        return await search_communes(ctx, _typed(reply))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "birth_year"


def _refuse_a_number_off_the_list(ctx: Ctx, text: str, shown: OutboundMessage) -> None:
    """A bare number typed under a numbered list means a place in the list, never a name:
    one the list does not have is refused with the numbers it has (not searched for, nor
    stored as a village called "25")."""
    if whole_number(text, 6) is not None:
        last = sum(1 for choice in shown.choices if not choice.nav)
        raise InputError(ctx.t("Please give a number from 1 to {last}.", last=last))


async def enter_commune(ctx: Ctx, state: UserState) -> Outcome:
    """Ask for the commune, unless an invitation link already named it (and the village)."""
    preset = state.preset
    commune = await ctx.directory.commune(preset[0]) if preset else None
    if commune is None:
        return ctx.outcome(state.at("commune", preset=()))
    place = await ctx.directory.place(preset[1]) if len(preset) > 1 else None
    state = state.with_profile(commune_id=commune.id, commune_name=_place_label(commune))
    if place is None:
        return ctx.outcome(
            state.at("place", preset=()).with_profile(place_id=None, place_name=None)
        )
    state = state.with_profile(place_id=place.id, place_name=place.name)
    return ctx.outcome(state.at("group_pick", preset=()))


async def search_communes(ctx: Ctx, text: str) -> Outcome:
    query = inputs.required(ctx.t, text, inputs.SEARCH_LIMIT)
    if len(fold(query).replace(" ", "")) < 2:
        raise InputError(ctx.t("Please type at least 2 letters of the name."))
    province = await ctx.directory.province_named(query)
    if province is not None:
        # "Nam Định" is a province (or was one): a ward of the same name is not the answer.
        raise InputError(
            ctx.t(
                "{province} is a province. Which commune or ward in it? "
                "Type the commune's name, for example: hai hau.",
                province=province,
            )
        )
    found = await ctx.directory.search_communes(query, SEARCH_FOUND + 1)
    if not found:
        raise InputError(
            ctx.t(
                "I found no commune or ward named “{query}”. Please try another spelling.",
                query=query,
            )
        )
    by_name = [place for place in found if not place.former and _names_it(query, place)]
    if len(by_name) == 1:
        # One commune by its own name (others only by pre-2025 names): no list to tap
        # through. The next question names it, and « Back returns here.
        return _chosen_commune(ctx, by_name[0])
    notes = [_former_note(ctx, place) for place in found[:SEARCH_SHOWN] if place.former][:1]
    if len(found) > SEARCH_FOUND:
        notes.append(
            ctx.t("There are many matches. If yours is not listed, type more of the name.")
        )
    candidates = tuple(place.id for place in found[:SEARCH_FOUND])
    return ctx.outcome(ctx.state.at("commune_pick", candidates=candidates), *notes)


@step("commune_pick")
class CommunePick(BaseStep):
    """The communes a search found, a page at a time (param: the page)."""

    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        places = [await ctx.directory.commune(item) for item in ctx.state.candidates]
        options = [(str(p.id), _place_label(p)) for p in places if p is not None]
        page = page_of(ctx.t, options, split_page(param)[1], SEARCH_SHOWN)
        text = page.under(ctx.t, ctx.t("Which one is yours? Or type another name."))
        again = [("again", ctx.t("Search again"))]
        return ask(paged_step("commune_pick", "", page.number), text, page.options + again)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        if isinstance(reply, Typed):
            _refuse_a_number_off_the_list(ctx, reply.text, await self.prompt(ctx, param))
            return await search_communes(ctx, reply.text)
        if reply.value == "again":
            return ctx.outcome(ctx.state.at("commune", candidates=()))
        page = turned(reply.value, split_page(param)[1])
        if page is not None:
            return ctx.outcome(ctx.state.at(paged_step("commune_pick", "", page)))
        commune = await ctx.directory.commune(int(reply.value))
        if commune is None:
            raise InputError(ctx.t("Please choose one of the options."))
        return _chosen_commune(ctx, commune)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "commune"


@step("place")
class PlaceStep(BaseStep):
    """The commune's villages and units, 20 a page (param: the page), sorted as people
    count; a typed name is looked up among all of them, whatever the page."""

    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t = ctx.t
        places = await _places(ctx)
        if not places:
            return OutboundMessage(_place_question(ctx))
        page = page_of(t, [(str(p.id), p.name) for p in places], split_page(param)[1])
        question = t(
            "{commune}: which village, residential group or unit are you in? "
            "You can also type its name.",
            commune=ctx.state.profile.commune_name,
        )
        text = page.under(t, question)
        options = [*page.options, ("other", t("Not in the list"))]
        return ask(paged_step("place", "", page.number), text, options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        places = await _places(ctx)
        if isinstance(reply, Chosen) and reply.value == "other":
            return ctx.outcome(ctx.state.at("place_text"))
        if isinstance(reply, Chosen):
            page = turned(reply.value, split_page(param)[1])
            if page is not None:
                return ctx.outcome(ctx.state.at(paged_step("place", "", page)))
            chosen = next((p for p in places if str(p.id) == reply.value), None)
            if chosen is None:
                raise InputError(ctx.t("Please choose one of the options."))
            return _placed(ctx, chosen.id, chosen.name)
        if places:
            _refuse_a_number_off_the_list(ctx, reply.text, await self.prompt(ctx, param))
        return _typed_place(ctx, reply.text, places)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "commune"


@step("place_text")
class PlaceText(BaseStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        return OutboundMessage(_place_question(ctx))

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        return _typed_place(ctx, _typed(reply), await _places(ctx))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "place"


def find_place(places: Sequence[Place], typed: str) -> Place | None:
    """The place a typed name means, spelled as people type it: "xom 5" is "Xóm 5", "so 2"
    is "số 2" (text.place_key)."""
    key = place_key(typed)
    return next((place for place in places if place_key(place.name) == key), None)


def _typed_place(ctx: Ctx, text: str, places: Sequence[Place]) -> Outcome:
    """A typed village or unit: linked to the tree when it is there, else kept as typed
    (a commune leader can put it in the list later, and the person with it)."""
    name = inputs.clean_free_text(ctx.t, text, inputs.PLACE_LIMIT)
    same = find_place(places, name)
    return _placed(ctx, same.id, same.name) if same else _placed(ctx, None, name)


def _former_note(ctx: Ctx, commune: Place) -> str:
    return ctx.t(
        "{former} (before 2025) is now part of {commune}.",
        former=commune.former,
        commune=_place_label(commune),
    )


def _names_it(query: str, commune: Place) -> bool:
    """Every word typed begins a word of the commune's own name (not only its province)."""
    own = fold(commune.name).split()
    return all(any(word.startswith(typed) for word in own) for typed in fold(query).split())


def _chosen_commune(ctx: Ctx, commune: Place) -> Outcome:
    """The commune is known: the village or unit is asked next (it belongs to the commune)."""
    state = ctx.state.at("place", candidates=()).with_profile(
        commune_id=commune.id,
        commune_name=_place_label(commune),
        place_id=None,
        place_name=None,
        household_id=None,
        household_name=None,
    )
    return ctx.outcome(state)


def _place_question(ctx: Ctx) -> str:
    return ctx.t(
        "{commune}: which village, hamlet or residential group are you in? For example: Xóm 5. "
        "Workers, staff and students may write their workplace or school instead.",
        commune=ctx.state.profile.commune_name,
    )


def _placed(ctx: Ctx, place_id: int | None, name: str) -> Outcome:
    state = ctx.state.with_profile(place_id=place_id, place_name=name)
    if place_id != ctx.state.profile.place_id:
        # A household belongs to one village: moving away leaves it.
        state = state.with_profile(household_id=None, household_name=None)
    return ctx.outcome(state.next("group_pick"))


async def _places(ctx: Ctx) -> list[Place]:
    commune_id = ctx.state.profile.commune_id
    return list(await ctx.directory.places_in(commune_id)) if commune_id else []


def _place_label(place: Place) -> str:
    return f"{place.name}, {place.parent_name}" if place.parent_name else place.name


def _typed(reply: Reply) -> str:
    return reply.text if isinstance(reply, Typed) else ""
