"""The leader screens: a menu, the queue of sent assessments, reports, invitations, places.
Every screen asks the Leadership port again, so a revoked role stops working at once."""

from dataclasses import replace

from conversations.context import Chosen, Ctx, InputError, Outcome, Reply, Typed
from conversations.digest import digest_text
from conversations.events import OutboundMessage
from conversations.paging import Page, page_of, paged_step, split_page, turned
from conversations.places import find_place
from conversations.ports import Leadership, Reports
from conversations.roles import MAY_ADD_PLACES, MAY_INVITE, Grant, RoleName, role_label
from conversations.steps import BaseStep, ask, split, step

MENU = "lead"


def no_permission(ctx: Ctx) -> str:
    return ctx.t("You do not have permission to do this.")


def leadership(ctx: Ctx) -> Leadership:
    if ctx.ports.leadership is None:
        raise InputError(no_permission(ctx))
    return ctx.ports.leadership


def reports(ctx: Ctx) -> Reports:
    if ctx.ports.reports is None:
        raise InputError(no_permission(ctx))
    return ctx.ports.reports


async def current_grant(ctx: Ctx) -> Grant | None:
    if ctx.ports.leadership is None or ctx.state.acting is None:
        return None
    grants = await ctx.ports.leadership.grants(*ctx.who)
    return next((g for g in grants if g.key == ctx.state.acting), None)


async def require_grant(ctx: Ctx) -> Grant:
    grant = await current_grant(ctx)
    if grant is None:
        raise InputError(no_permission(ctx))
    return grant


def leave(ctx: Ctx, *notes: str) -> Outcome:
    """Back to the citizen's own conversation, where it was."""
    target = ctx.state.citizen_step or "idle"
    state = replace(ctx.state, step=target, acting=None, citizen_step=None, candidates=())
    return ctx.outcome(state, *notes)


async def open_menu(ctx: Ctx, args: tuple[str, ...]) -> Outcome:
    """/lanhdao: the leader menu, after choosing which role to act in if there are several."""
    grants = await leadership(ctx).grants(*ctx.who)
    if not grants:
        raise InputError(no_permission(ctx))
    in_leader_screens = split(ctx.state.step)[0].startswith("lead")
    back_to = ctx.state.citizen_step if in_leader_screens else ctx.state.step
    state = replace(ctx.state, citizen_step=back_to)
    if len(grants) == 1:
        return ctx.outcome(replace(state, step=MENU, acting=grants[0].key))
    return ctx.outcome(replace(state, step="lead_pick", acting=None))


async def join(ctx: Ctx, args: tuple[str, ...]) -> Outcome:
    """/vaitro CODE: take up a role with a single-use invitation code."""
    if not args:
        raise InputError(
            ctx.t("Type the invitation code after the command, e.g. /vaitro AC4D7KX9")
        )
    grant = await leadership(ctx).redeem(" ".join(args), *ctx.who, ctx.now)
    if grant is None:
        raise InputError(ctx.t("This code cannot be used: it is wrong, used or expired."))
    note = ctx.t(
        "You are now {role} of {place}. Type /lanhdao to open your leader menu.",
        role=role_label(ctx.t, grant.role),
        place=grant.org_name,
    )
    return ctx.outcome(ctx.state, note)


class LeaderStep(BaseStep):
    """Leader screens go back to the menu, and show nothing to someone without the role:
    the role is checked again before every screen, so a revoked one stops at once."""

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        grant = await current_grant(ctx)
        if grant is None:
            return OutboundMessage(no_permission(ctx))
        try:
            return await self.screen(ctx, param, grant)
        except InputError as error:  # a screen this grant does not allow (any more)
            return OutboundMessage(error.message)

    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        raise NotImplementedError

    def back(self, ctx: Ctx, param: str) -> str | None:
        return MENU


@step("lead_pick")
class PickRole(LeaderStep):
    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        grants = await ctx.ports.leadership.grants(*ctx.who) if ctx.ports.leadership else []
        options = [(g.key, f"{role_label(ctx.t, g.role)} · {g.org_name}") for g in grants]
        return ask("lead_pick", ctx.t("Which role do you want to work in?"), options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        key = reply.value if isinstance(reply, Chosen) else ""
        return ctx.outcome(replace(ctx.state, step=MENU, acting=key))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return None


@step(MENU)
class Menu(LeaderStep):
    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        t = ctx.t
        _, waiting = await leadership(ctx).queue(grant, 0, 1)
        options = [
            ("queue", t("Waiting for a decision ({n})", n=waiting)),
            ("digest", t("Progress report")),
            ("excel", t("Excel report")),
            ("links", t("Invitation links and QR codes")),
            ("calendar", t("Reminders and calendar")),
            ("titles", t("Titles and the association's numbers")),
        ]
        if MAY_INVITE[grant.role]:
            options.append(("invite", t("Invite a leader")))
        if grant.role in MAY_ADD_PLACES:
            options.append(("add", t("Add a village or unit")))
        if grant.role == RoleName.COMMUNE:
            typed = len(await leadership(ctx).typed_places(grant))
            options.append(("typed", t("Places people typed ({n})", n=typed)))
        options.append(("exit", t("Back to my self-assessment")))
        title = t(
            "Leader menu: {role}, {place}", role=role_label(t, grant.role), place=grant.org_name
        )
        return ask(MENU, title, options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        value = reply.value if isinstance(reply, Chosen) else ""
        if value == "exit":
            return leave(ctx)
        grant = await require_grant(ctx)
        if value == "digest":
            return await show_digest(ctx, grant)
        if value == "excel":
            return await send_workbook(ctx, grant)
        if value == "typed" and not await leadership(ctx).typed_places(grant):
            note = ctx.t("No one has typed a place that is not in the list.")
            return ctx.outcome(ctx.state, note)
        if value == "queue":
            _, waiting = await leadership(ctx).queue(grant, 0, 1)
            if not waiting:
                return ctx.outcome(ctx.state, ctx.t("Nothing is waiting for a decision."))
        target = {
            "queue": "lead_queue:0",
            "links": "lead_links",
            "invite": "lead_invite",
            "add": "lead_add",
            "calendar": "lead_calendar",
            "titles": "lead_titles",
            "typed": "lead_typed",
        }
        return ctx.outcome(ctx.state.at(target[value]))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return None


async def show_digest(ctx: Ctx, grant: Grant) -> Outcome:
    digest = await leadership(ctx).digest(grant, ctx.season, ctx.now)
    if digest is None:
        raise InputError(no_permission(ctx))
    # The digest lists people who blocked the bot by name.
    await leadership(ctx).record_access(grant, "digest", ctx.now)
    chart = await reports(ctx).chart(digest, ctx.t.locale)
    notes = (
        OutboundMessage(digest_text(ctx.t, digest)),
        OutboundMessage(ctx.t("Chart: {name}", name=digest.org_name), image=chart),
    )
    return Outcome(ctx.state, notes)


async def send_workbook(ctx: Ctx, grant: Grant) -> Outcome:
    digest = await leadership(ctx).digest(grant, ctx.season, ctx.now)
    if digest is None:
        raise InputError(no_permission(ctx))
    await leadership(ctx).record_access(grant, "report", ctx.now)
    path = await reports(ctx).workbook(digest, ctx.t.locale)
    caption = ctx.t("Excel report of {name}, {year}", name=digest.org_name, year=digest.year)
    return Outcome(ctx.state, (OutboundMessage(caption, document=path),))


async def chosen_place(ctx: Ctx, grant: Grant, reply: Reply, kind: str = "") -> int:
    """The village or unit tapped, or typed by its name (accents and "số" optional)."""
    places = [p for p in await leadership(ctx).places(grant) if not kind or p.kind == kind]
    if isinstance(reply, Typed):
        found = find_place(places, reply.text)
    else:
        found = next((p for p in places if str(p.id) == reply.value), None)
    if found is None:
        raise InputError(ctx.t("Please choose one of the options."))
    return found.id


async def place_page(ctx: Ctx, grant: Grant, param: str, kind: str = "") -> Page:
    """The leader's villages and units (of one kind), on the page the step parameter names."""
    places = await leadership(ctx).places(grant)
    options = [(str(p.id), p.name) for p in places if not kind or p.kind == kind]
    return page_of(ctx.t, options, split_page(param)[1])


def turned_page(step_name: str, param: str, reply: Reply) -> str | None:
    """The step key of the page a page turn leads to, or None when `reply` is no page turn."""
    base, page = split_page(param)
    target = turned(reply.value, page) if isinstance(reply, Chosen) else None
    return None if target is None else paged_step(step_name, base, target)


__all__ = ["RoleName", "join", "leave", "open_menu"]
