"""Which named household (QĐ 387 "Gia đình học tập") a citizen belongs to: an optional
change after the result, offered where the village leader keeps households by name. It is
never asked on the way to the result, which stays as short as it is."""

from conversations.context import Chosen, Ctx, InputError, Outcome, Reply
from conversations.events import OutboundMessage
from conversations.paging import page_of, paged_step, split_page, turned
from conversations.ports import Named
from conversations.steps import BaseStep, ask, step
from conversations.text import fold


async def _households(ctx: Ctx) -> list[Named]:
    place_id = ctx.state.profile.place_id
    return list(await ctx.directory.households(place_id)) if place_id is not None else []


def _found(households: list[Named], reply: Reply) -> Named | None:
    """A tapped household, or the one whose name is typed (in full, or a part that fits one
    household only)."""
    if isinstance(reply, Chosen):
        return next((h for h in households if str(h.id) == reply.value), None)
    typed = fold(reply.text)
    same = [h for h in households if fold(h.name) == typed]
    part = [h for h in households if typed and typed in fold(h.name)]
    return (same or part)[0] if len(same) == 1 or (not same and len(part) == 1) else None


@step("household")
class Household(BaseStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t = ctx.t
        households = await _households(ctx)
        current = ctx.state.profile.household_name
        text = t(
            "Which household of {place} do you belong to? Tap it, or type the name of the "
            "head of the household.",
            place=ctx.state.profile.place_name,
        )
        if current:
            text += "\n" + t("Now: {name}.", name=current)
        page = page_of(t, [(str(h.id), h.name) for h in households], split_page(param)[1])
        options = [*page.options, ("none", t("None of these"))]
        return ask(ctx.state.step, page.under(t, text), options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        turn = turned(reply.value, split_page(param)[1]) if isinstance(reply, Chosen) else None
        if turn is not None:
            return ctx.outcome(ctx.state.at(paged_step("household", "", turn)))
        if isinstance(reply, Chosen) and reply.value == "none":
            state = ctx.state.with_profile(household_id=None, household_name=None)
            return ctx.outcome(state.next("summary"), ctx.t("Saved."))
        found = _found(await _households(ctx), reply)
        if found is None:
            raise InputError(
                ctx.t(
                    "No single household of the list has that name. "
                    "Tap it, or choose “None of these”."
                )
            )
        state = ctx.state.with_profile(household_id=found.id, household_name=found.name)
        return ctx.outcome(state.next("summary"), ctx.t("Saved."))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "edit_pick"
