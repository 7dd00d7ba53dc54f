"""A commune leader puts the villages and units people typed themselves into the list: to
one already there, or as a new one. The people who typed it move with it, so they count
for that village or unit in reports, and its leader sees them (issue 9, item 1)."""

from conversations import inputs
from conversations.context import Chosen, Ctx, InputError, Outcome, Reply, Typed
from conversations.events import OutboundMessage
from conversations.leading import (
    MENU,
    LeaderStep,
    chosen_place,
    leadership,
    no_permission,
    place_page,
    require_grant,
    turned_page,
)
from conversations.paging import page_of, split_page
from conversations.ports import TypedPlace
from conversations.roles import Grant
from conversations.steps import ask, step

LIST = "lead_typed"
NEW_KINDS = ("village", "unit")


@step(LIST)
class TypedPlaces(LeaderStep):
    """param: the page."""

    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        t = ctx.t
        found = await leadership(ctx).typed_places(grant)
        options = [
            (str(p.handle), t("{name} · typed by {n}", name=p.name, n=p.people)) for p in found
        ]
        page = page_of(t, options, split_page(param)[1])
        text = t(
            "Places people typed that are not in your list, and how many people typed each. "
            "Choose one to put it in the list."
        )
        text = page.under(t, text)
        return ask(f"{LIST}:{param}" if param else LIST, text, page.options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        page = turned_page(LIST, param, reply)
        if page is not None:
            return ctx.outcome(ctx.state.at(page))
        typed = await _typed(ctx, reply.value if isinstance(reply, Chosen) else "")
        return ctx.outcome(ctx.state.at(f"lead_typed_to:{typed.handle}"))


@step("lead_typed_to")
class TypedTo(LeaderStep):
    """param "<handle>[.<page>]": which village or unit the typed place is, or a new one."""

    free_text = True  # the village or unit may be typed by its name

    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        t = ctx.t
        typed = await _find(ctx, grant, split_page(param)[0])
        if typed is None:
            return OutboundMessage(_gone(ctx))
        page = await place_page(ctx, grant, param)
        text = t(
            "“{name}” (typed by {n}). Which village or unit in the list is it? "
            "Choose it or type its name, or add it as a new one.",
            name=typed.name,
            n=typed.people,
        )
        text = page.under(t, text)
        new = [
            ("village", t("New village or residential group")),
            ("unit", t("New agency, school or company")),
        ]
        return ask(f"lead_typed_to:{param}", text, page.options + new)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        grant = await require_grant(ctx)
        page = turned_page("lead_typed_to", param, reply)
        if page is not None:
            return ctx.outcome(ctx.state.at(page))
        handle, _ = split_page(param)
        if isinstance(reply, Chosen) and reply.value in NEW_KINDS:
            return ctx.outcome(ctx.state.at(f"lead_typed_new:{reply.value}.{handle}"))
        typed = await _typed(ctx, handle)
        org_id = await chosen_place(ctx, grant, reply)
        return await _attached(ctx, grant, typed, org_id)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return LIST


@step("lead_typed_new")
class TypedNew(LeaderStep):
    """param "<kind>.<handle>": the new village or unit's name, as typed or corrected."""

    free_text = True

    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        typed = await _find(ctx, grant, param.partition(".")[2])
        if typed is None:
            return OutboundMessage(_gone(ctx))
        text = ctx.t("Type its name as it should be, for example: Xóm 5. Or keep it as typed.")
        keep = ctx.t("Keep “{name}”", name=typed.name)
        return ask(f"lead_typed_new:{param}", text, [("keep", keep)])

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        grant = await require_grant(ctx)
        kind, _, handle = param.partition(".")
        typed = await _typed(ctx, handle)
        if isinstance(reply, Typed):
            name = inputs.clean_free_text(ctx.t, reply.text, inputs.PLACE_LIMIT)
        else:
            name = typed.name
        place = await leadership(ctx).add_place(grant, kind, name, None)
        if place is None:
            raise InputError(no_permission(ctx))
        return await _attached(ctx, grant, typed, place.id, added=place.name)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return f"lead_typed_to:{param.partition('.')[2]}"


async def _typed(ctx: Ctx, handle: str) -> TypedPlace:
    typed = await _find(ctx, await require_grant(ctx), handle)
    if typed is None:
        raise InputError(_gone(ctx))
    return typed


async def _find(ctx: Ctx, grant: Grant, handle: str) -> TypedPlace | None:
    found = await leadership(ctx).typed_places(grant)
    return next((p for p in found if str(p.handle) == handle), None)


def _gone(ctx: Ctx) -> str:
    # Another leader put it in the list meanwhile, or its people changed their answer.
    return ctx.t("That place is no longer in the list.")


async def _attached(
    ctx: Ctx, grant: Grant, typed: TypedPlace, org_id: int, added: str | None = None
) -> Outcome:
    moved = await leadership(ctx).attach_typed(grant, typed.name, org_id)
    if moved is None:
        raise InputError(no_permission(ctx))
    places = await leadership(ctx).places(grant)
    name = added or next((p.name for p in places if p.id == org_id), "")
    notes = [ctx.t("Added: {name}.", name=name)] if added else []
    notes.append(ctx.t("People moved to {place}: {n}.", n=moved, place=name))
    remaining = await leadership(ctx).typed_places(grant)
    return ctx.outcome(ctx.state.at(LIST if remaining else MENU), *notes)
