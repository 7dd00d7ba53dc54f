"""Leaders record the QĐ 387 titles and the association's numbers for this year, in chat.

A village leader counts the village's households and clans and how many hold the "Gia đình
học tập" / "Dòng họ học tập" title. A commune leader marks which villages ("Cộng đồng học
tập") and units ("Đơn vị học tập") were recognised, and enters the association's own
columns (members trained, chairs and officers in the community learning centre)."""

from collections.abc import Mapping

from conversations.context import Chosen, Ctx, InputError, Outcome, Reply, Typed
from conversations.events import OutboundMessage
from conversations.leading import (
    MENU,
    LeaderStep,
    leadership,
    no_permission,
    require_grant,
    turned_page,
)
from conversations.named_titles import named_label, named_list
from conversations.paging import page_of, split_page
from conversations.plan import BY_ID, ENTERED, VILLAGE_ENTERS, parse_pair
from conversations.roles import MAY_ADD_PLACES, Grant, RoleName
from conversations.steps import ask, step

Facts = Mapping[tuple[int, str], tuple[int, int]]
TITLED = {"communities": "village", "units": "unit"}  # a title on the node itself


def fact_label(ctx: Ctx, facts: Facts, org_id: int, metric: str) -> str:
    """ "Learning families: 85/120" (or "not entered")."""
    label = ctx.t(BY_ID[metric].label)
    found = facts.get((org_id, metric))
    shown = f"{found[0]}/{found[1]}" if found else ctx.t("not entered")
    return f"{label}: {shown}"


Rows = list[tuple[str, str]]  # (option value or "" for a line only, label)


@step("lead_titles")
class Titles(LeaderStep):
    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        t = ctx.t
        facts = await leadership(ctx).facts(grant, ctx.season)
        if grant.role in MAY_ADD_PLACES:
            rows = await _commune_rows(ctx, grant, facts)
        elif grant.role == RoleName.VILLAGE:
            rows = await _village_rows(ctx, grant, facts)
        else:  # a unit's own title is the commune's to record: shown, not tapped
            rows = [("", fact_label(ctx, facts, grant.org_id, "units"))]
        lines = [t("Titles and the association's numbers, {year}", year=ctx.season)]
        lines += [label for value, label in rows if not value.startswith("named.")]
        options = [(value, label) for value, label in rows if value]
        if options:
            lines.append(t("Tap one to record it for this year."))
            options.append(("import", t("Import from a CSV file")))
        options.append(("menu", t("« Leader menu")))
        return ask("lead_titles", "\n".join(lines), options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        value = reply.value if isinstance(reply, Chosen) else ""
        if value == "menu":
            return ctx.outcome(ctx.state.at(MENU))
        if value in TITLED:
            return ctx.outcome(ctx.state.at(f"lead_titled:{value}"))
        if value == "import":
            return ctx.outcome(ctx.state.at("lead_import"))
        kind = value.rpartition(".")[2]
        grant = await require_grant(ctx)
        if value.startswith("named.") or await _kept_by_name(ctx, grant, kind):
            # Where names are kept the count is made from them: it is not typed.
            return ctx.outcome(ctx.state.at(f"lead_named:{kind}"))
        return ctx.outcome(ctx.state.at(f"lead_fact:{value}"))


@step("lead_fact")
class EnterFact(LeaderStep):
    """param "<org id>.<metric>": type "recognised/total", e.g. 85/120."""

    free_text = True

    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        _, metric = param.split(".", 1)
        text = ctx.t(
            "{label}: type how many have it and how many there are, e.g. 85/120.",
            label=ctx.t(BY_ID[metric].label),
        )
        return ask(f"lead_fact:{param}", text)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        grant = await require_grant(ctx)
        org, metric = param.split(".", 1)
        pair = parse_pair(reply.text if isinstance(reply, Typed) else "")
        if pair is None:
            raise InputError(ctx.t("Please type two numbers, e.g. 85/120."))
        await _store(ctx, grant, int(org), metric, *pair)
        return ctx.outcome(ctx.state.at("lead_titles"), ctx.t("Saved."))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "lead_titles"


@step("lead_titled")
class Titled(LeaderStep):
    """param "communities" or "units": tap a village or unit to mark it recognised this
    year, or tap again to take the mark back."""

    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        metric, page_number = split_page(param)
        facts = await leadership(ctx).facts(grant, ctx.season)
        places = [p for p in await leadership(ctx).places(grant) if p.kind == TITLED[metric]]
        options = [
            (str(p.id), ("✓ " if facts.get((p.id, metric), (0, 0))[0] else "") + p.name)
            for p in places
        ]
        page = page_of(ctx.t, options, page_number)
        text = ctx.t(
            "{label}, {year}: tap a place to mark it recognised (✓), tap again to undo.",
            label=ctx.t(BY_ID[metric].label),
            year=ctx.season,
        )
        text = page.under(ctx.t, text)
        return ask(f"lead_titled:{param}", text, [*page.options, ("back", ctx.t("« Back"))])

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        value = reply.value if isinstance(reply, Chosen) else ""
        if value == "back":
            return ctx.outcome(ctx.state.at("lead_titles"))
        page = turned_page("lead_titled", param, reply)
        if page is not None:
            return ctx.outcome(ctx.state.at(page))
        metric = split_page(param)[0]
        grant = await require_grant(ctx)
        facts = await leadership(ctx).facts(grant, ctx.season)
        was = facts.get((int(value), metric), (0, 1))[0]
        await _store(ctx, grant, int(value), metric, 1 - was, 1)
        return ctx.outcome(ctx.state, ctx.t("Saved."))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "lead_titles"


async def _commune_rows(ctx: Ctx, grant: Grant, facts: Facts) -> Rows:
    """The villages and units holding their title, then the association's own columns."""
    rows = []
    places = await leadership(ctx).places(grant)
    for metric, kind in TITLED.items():
        of_kind = [p for p in places if p.kind == kind]
        titled = sum(facts.get((p.id, metric), (0, 0))[0] for p in of_kind)
        rows.append((metric, f"{ctx.t(BY_ID[metric].label)}: {titled}/{len(of_kind)}"))
    for metric in ENTERED:
        rows.append((f"{grant.org_id}.{metric}", fact_label(ctx, facts, grant.org_id, metric)))
    return rows


async def _village_rows(ctx: Ctx, grant: Grant, facts: Facts) -> Rows:
    """The households and clans, as counts or kept by name."""
    rows = []
    for metric in sorted(VILLAGE_ENTERS):
        rows.append((f"{grant.org_id}.{metric}", fact_label(ctx, facts, grant.org_id, metric)))
    for kind in sorted(VILLAGE_ENTERS):
        named = await named_list(ctx, grant, kind)
        rows.append((f"named.{kind}", named_label(ctx, kind, len(named))))
    return rows


async def _kept_by_name(ctx: Ctx, grant: Grant, kind: str) -> bool:
    return (
        grant.role == RoleName.VILLAGE
        and kind in VILLAGE_ENTERS
        and bool(await named_list(ctx, grant, kind))
    )


async def _store(ctx: Ctx, grant: Grant, org_id: int, metric: str, done: int, total: int) -> None:
    problem = await leadership(ctx).set_fact(
        grant, org_id, ctx.season, metric, done, total, ctx.now
    )
    if problem == "forbidden":
        raise InputError(no_permission(ctx))
    if problem is not None:
        raise InputError(ctx.t(problem))
