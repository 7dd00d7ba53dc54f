"""Leaders bring people in: invitation codes for other leaders, links and QR codes that
pre-select a village or unit, and new villages or units in their commune."""

import re

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
    reports,
    require_grant,
    turned_page,
)
from conversations.paging import Page, split_page
from conversations.roles import MAY_INVITE, NODE_KIND, Grant, RoleName, role_label
from conversations.steps import ask, step

SEARCH_SHOWN = 8


@step("lead_invite")
class InviteRole(LeaderStep):
    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        options = [(role.value, role_label(ctx.t, role)) for role in MAY_INVITE[grant.role]]
        return ask("lead_invite", ctx.t("Whom do you want to invite?"), options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        grant = await require_grant(ctx)
        role = RoleName(reply.value) if isinstance(reply, Chosen) else None
        if role not in MAY_INVITE[grant.role]:
            raise InputError(no_permission(ctx))
        return ctx.outcome(ctx.state.at(f"lead_invite_place:{role.value}", candidates=()))


@step("lead_invite_place")
class InvitePlace(LeaderStep):
    free_text = True  # a commune is found by typing part of its name

    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        role = RoleName(split_page(param)[0])
        if role != RoleName.COMMUNE:
            page = await place_page(ctx, grant, param, NODE_KIND[role])
            return ask(f"lead_invite_place:{param}", _which_place(ctx, page), page.options)
        found = [await ctx.directory.commune(c) for c in ctx.state.candidates]
        options = [(str(p.id), p.name) for p in found if p is not None]
        text = ctx.t("For which commune? Type part of its name.")
        return ask(f"lead_invite_place:{param}", text, options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        grant = await require_grant(ctx)
        role = RoleName(split_page(param)[0])
        page = turned_page("lead_invite_place", param, reply)
        if page is not None:
            return ctx.outcome(ctx.state.at(page))
        if role != RoleName.COMMUNE:
            org_id = await chosen_place(ctx, grant, reply, NODE_KIND[role])
        elif isinstance(reply, Typed):
            query = inputs.required(ctx.t, reply.text, inputs.SEARCH_LIMIT)
            found = await ctx.directory.search_communes(query, SEARCH_SHOWN)
            return ctx.outcome(ctx.state.at(ctx.state.step, candidates=tuple(p.id for p in found)))
        else:
            org_id = int(reply.value)
        code = await leadership(ctx).invite(grant, role, org_id, ctx.now)
        if code is None:
            raise InputError(no_permission(ctx))
        text = ctx.t(
            "Invitation code: {code}\nThe new leader types /vaitro {code} to the bot. "
            "The code works once, for 7 days.",
            code=code,
        )
        return ctx.outcome(ctx.state.at(MENU, candidates=()), text)


@step("lead_links")
class Links(LeaderStep):
    free_text = True  # a village or unit may be typed by its name

    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        page = await place_page(ctx, grant, param)
        key = f"lead_links:{param}" if param else "lead_links"
        return ask(key, _which_place(ctx, page), page.options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        grant = await require_grant(ctx)
        page = turned_page("lead_links", param, reply)
        if page is not None:
            return ctx.outcome(ctx.state.at(page))
        place_id = await chosen_place(ctx, grant, reply)
        code = await leadership(ctx).link_code(grant, place_id, ctx.now)
        if code is None:
            raise InputError(no_permission(ctx))
        links = reports(ctx).invite_links(code)
        how = ctx.t(
            "People who open it, or type /batdau {code}, start with this place chosen.", code=code
        )
        if not links:
            return ctx.outcome(ctx.state.at(MENU), ctx.t("Code: {code}", code=code) + "\n" + how)
        notes = [OutboundMessage("\n".join([*links, how]))]
        for link in links:
            qr = await reports(ctx).qr(link)
            notes.append(OutboundMessage(ctx.t("QR code to print"), image=qr))
        return Outcome(ctx.state.at(MENU), tuple(notes))


@step("lead_add")
class AddKind(LeaderStep):
    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t = ctx.t
        options = [
            ("village", t("Village or residential group")),
            ("unit", t("Agency, school or company")),
        ]
        return ask("lead_add", t("What do you want to add?"), options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        await require_grant(ctx)
        kind = reply.value if isinstance(reply, Chosen) else "village"
        return ctx.outcome(ctx.state.at(f"lead_add_name:{kind}"))


@step("lead_add_name")
class AddName(LeaderStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        text = ctx.t(
            "Write its name, then optionally the number of adults (village) or staff (unit), "
            "e.g. “Xóm 5, 320”."
        )
        return ask(f"lead_add_name:{param}", text)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        grant = await require_grant(ctx)
        text = inputs.clean_free_text(ctx.t, reply.text if isinstance(reply, Typed) else "", 120)
        name, population = split_population(text)
        place = await leadership(ctx).add_place(grant, param, name, population)
        if place is None:
            raise InputError(no_permission(ctx))
        notes = [ctx.t("Added: {name}.", name=place.name)]
        # People who typed this name before it was in the list belong to it now.
        moved = await leadership(ctx).attach_typed(grant, name, place.id)
        if moved:
            notes.append(ctx.t("People moved to {place}: {n}.", n=moved, place=place.name))
        return ctx.outcome(ctx.state.at(MENU), *notes)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "lead_add"


def _which_place(ctx: Ctx, page: Page) -> str:
    if not page.options:
        return ctx.t("There are no villages or units yet: add them first.")
    return page.under(ctx.t, ctx.t("For which village or unit? You can also type its name."))


def split_population(text: str) -> tuple[str, int | None]:
    """ "Xóm 5, 320" -> ("Xóm 5", 320); a name alone keeps its own digits ("Xóm 5")."""
    match = re.fullmatch(r"(.+?)\s*[,;]\s*(\d{1,6})", text.strip())
    if match is None:
        return text.strip(), None
    return match.group(1).strip(), int(match.group(2))
