"""A village leader keeps the village's households and clans by name (QĐ 387/QĐ-TTg: "Gia
đình học tập", "Dòng họ học tập"): adds names, marks those recognised this year, removes
one. Where names are kept, the village's count of that kind is made from them. Any leader
can also import the titles from a CSV file, sent as a document or pasted."""

from collections.abc import Sequence

from conversations.context import Chosen, Ctx, InputError, Outcome, Reply, Typed
from conversations.events import OutboundMessage
from conversations.i18n import ExplainedError, Translator
from conversations.leading import LeaderStep, no_permission, require_grant, turned_page
from conversations.paging import page_of, split_page
from conversations.plan import BY_ID, NAME_LIMIT, VILLAGE_ENTERS, unit_name
from conversations.ports import Named, TitleBook
from conversations.roles import Grant
from conversations.steps import ask, step
from conversations.text import fold

TITLES = "lead_titles"
PROBLEMS_SHOWN = 20  # a file wrong throughout needs only the first problems to be seen


def problem_lines(t: Translator, problems: Sequence[ExplainedError]) -> str:
    """One line per problem ("line 3: …"), at most PROBLEMS_SHOWN, then how many more."""
    lines = [problem.text(t) for problem in problems[:PROBLEMS_SHOWN]]
    if len(problems) > PROBLEMS_SHOWN:
        lines.append(t("… and {n} more problems.", n=len(problems) - PROBLEMS_SHOWN))
    return "\n".join(lines)


def title_book(ctx: Ctx) -> TitleBook:
    if ctx.ports.titles is None:
        raise InputError(no_permission(ctx))
    return ctx.ports.titles


async def named_list(ctx: Ctx, grant: Grant, kind: str) -> Sequence[Named]:
    if kind not in VILLAGE_ENTERS:
        raise InputError(no_permission(ctx))
    named = await title_book(ctx).named(grant, kind, ctx.season)
    if named is None:
        raise InputError(no_permission(ctx))
    return named


def named_label(ctx: Ctx, kind: str, count: int) -> str:
    """ "Households by name (12)" for the titles screen."""
    if kind == "households":
        return ctx.t("Households by name ({n})", n=count)
    return ctx.t("Clans by name ({n})", n=count)


def _typed_name(named: Sequence[Named], reply: Reply) -> Named | None:
    if isinstance(reply, Chosen):
        return next((n for n in named if str(n.id) == reply.value), None)
    return next((n for n in named if fold(n.name) == fold(reply.text)), None)


@step("lead_named")
class NamedUnits(LeaderStep):
    """param: "households" or "clans". Tap (or type) a name to mark it recognised this
    year; tap again to take the mark back."""

    free_text = True

    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        t = ctx.t
        kind, page_number = split_page(param)
        named = await named_list(ctx, grant, kind)
        lines = [
            t(
                "{label}, {year}: {done} of {total} recognised.",
                label=t(BY_ID[kind].label),
                year=ctx.season,
                done=sum(n.recognised for n in named),
                total=len(named),
            )
        ]
        if not named:
            lines.append(t("No names yet. Add them: the count is then made from the names."))
        else:
            lines.append(t("Tap a name to mark it recognised this year (✓), tap again to undo."))
        names = [(str(n.id), ("✓ " if n.recognised else "") + n.name) for n in named]
        page = page_of(t, names, page_number)
        options = [*page.options, ("add", t("Add names"))]
        if named:
            options.append(("remove", t("Remove a name")))
        return ask(f"lead_named:{param}", page.under(t, "\n".join(lines)), options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        kind = split_page(param)[0]
        if isinstance(reply, Chosen) and reply.value in ("add", "remove"):
            return ctx.outcome(ctx.state.at(f"lead_named_{reply.value}:{kind}"))
        page = turned_page("lead_named", param, reply)
        if page is not None:
            return ctx.outcome(ctx.state.at(page))
        grant = await require_grant(ctx)
        found = _typed_name(await named_list(ctx, grant, kind), reply)
        if found is None:
            raise InputError(ctx.t("That name is not in the list. Tap “Add names” to add it."))
        await title_book(ctx).set_recognised(
            grant, found.id, ctx.season, not found.recognised, ctx.now
        )
        return ctx.outcome(ctx.state, ctx.t("Saved."))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return TITLES


@step("lead_named_add")
class AddNames(LeaderStep):
    free_text = True

    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        if param == "households":
            text = ctx.t(
                "Type the households' names, one per line, e.g. the head of the household: "
                "Nguyễn Văn An."
            )
        else:
            text = ctx.t("Type the clans' names, one per line, e.g. Họ Trần.")
        return ask(f"lead_named_add:{param}", text)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        grant = await require_grant(ctx)
        typed = reply.text if isinstance(reply, Typed) else ""
        names = [line for line in typed.splitlines() if line.strip()]
        bad = next((line for line in names if unit_name(line) is None), None)
        if not names or bad is not None:
            raise InputError(
                ctx.t(
                    "Each name needs letters and at most {most} characters, one per line.",
                    most=NAME_LIMIT,
                )
            )
        added = await title_book(ctx).add_named(grant, param, names, ctx.season, ctx.now)
        if added is None:
            raise InputError(no_permission(ctx))
        note = ctx.t("Added: {n} (names already in the list are kept once).", n=added)
        return ctx.outcome(ctx.state.at(f"lead_named:{param}"), note)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return f"lead_named:{param}"


@step("lead_named_remove")
class RemoveName(LeaderStep):
    free_text = True

    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        kind, page_number = split_page(param)
        named = await named_list(ctx, grant, kind)
        page = page_of(ctx.t, [(str(n.id), n.name) for n in named], page_number)
        text = ctx.t(
            "Which one is to go? It is no longer counted from {year} on; earlier years keep it.",
            year=ctx.season,
        )
        return ask(f"lead_named_remove:{param}", page.under(ctx.t, text), page.options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        page = turned_page("lead_named_remove", param, reply)
        if page is not None:
            return ctx.outcome(ctx.state.at(page))
        kind = split_page(param)[0]
        grant = await require_grant(ctx)
        found = _typed_name(await named_list(ctx, grant, kind), reply)
        if found is None:
            raise InputError(ctx.t("That name is not in the list."))
        await title_book(ctx).remove_named(grant, found.id, ctx.season)
        note = ctx.t("Removed: {name}.", name=found.name)
        return ctx.outcome(ctx.state.at(f"lead_named:{kind}"), note)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return f"lead_named:{split_page(param)[0]}"


@step("lead_import")
class ImportTitles(LeaderStep):
    """A CSV file sent as a document (Telegram) or its lines pasted (any messenger): all
    lines stored, or none and every problem named in the leader's language."""

    free_text = True
    documents = True

    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        text = ctx.t(
            "Send the CSV file here as a document, or paste its lines. The first line names "
            "the columns: place; metric; year; done; total; name. For example:\n"
            "Nơi;Loại;Năm;Đạt;Tổng\n"
            "Xóm 5;Gia đình học tập;{year};85;120\n"
            "A household by name: Nơi;Loại;Năm;Đạt;Tên → Xóm 5;Gia đình học tập;{year};1;"
            "Nguyễn Văn An (done 1: recognised this year). Nothing is stored while a line is "
            "wrong.",
            year=ctx.season,
        )
        return ask("lead_import", text)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        grant = await require_grant(ctx)
        text = reply.text if isinstance(reply, Typed) else ""
        result = await title_book(ctx).import_csv(grant, text, ctx.now)
        if result is None:
            raise InputError(no_permission(ctx))
        stored, problems = result
        if problems:
            heading = ctx.t("Nothing was imported. Correct these lines and send the file again:")
            raise InputError(heading + "\n" + problem_lines(ctx.t, problems))
        return ctx.outcome(ctx.state.at(TITLES), ctx.t("Imported: {n} lines.", n=stored))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return TITLES
