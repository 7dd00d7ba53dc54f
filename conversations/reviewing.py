"""The leader's queue: sent self-assessments in their scope, one person's answers, and the
decision (confirm, recognise, or return with a reason), which the citizen is told about."""

from conversations import inputs
from conversations.context import Chosen, Ctx, InputError, Outcome, Reply, Typed
from conversations.events import OutboundMessage
from conversations.i18n import Translator
from conversations.leading import (
    MENU,
    LeaderStep,
    leadership,
    no_permission,
    require_grant,
)
from conversations.roles import MAY_RECOGNISE, Grant, Submission, SubmissionDetail
from conversations.state import Status
from conversations.steps import ask, step

PAGE = 8


def menu_option(t: Translator) -> tuple[str, str]:
    return ("menu", t("« Leader menu"))


REASON_LIMIT = 300


@step("lead_queue")
class Queue(LeaderStep):
    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        t = ctx.t
        page = int(param or 0)
        items, total = await leadership(ctx).queue(grant, page, PAGE)
        if not total:
            return ask(
                f"lead_queue:{page}", t("Nothing is waiting for a decision."), [menu_option(t)]
            )
        options = [
            (
                str(item.assessment_id),
                _queue_label(t, item),
            )
            for item in items
        ]
        if page > 0:
            options.append(("prev", t("« Previous page")))
        if (page + 1) * PAGE < total:
            options.append(("next", t("Next page »")))
        options.append(menu_option(t))
        first, last = page * PAGE + 1, page * PAGE + len(items)
        text = t(
            "Waiting for a decision: {first}-{last} of {total}",
            first=first,
            last=last,
            total=total,
        )
        return ask(f"lead_queue:{page}", text, options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        value = reply.value if isinstance(reply, Chosen) else ""
        page = int(param or 0)
        if value == "menu":
            return ctx.outcome(ctx.state.at(MENU))
        if value in ("prev", "next"):
            return ctx.outcome(ctx.state.at(f"lead_queue:{page + (1 if value == 'next' else -1)}"))
        grant = await require_grant(ctx)
        # Opening a person's answers is recorded (Law 91/2025/QH15). Here rather than in
        # the view's screen, which is also drawn to read each answer given on it.
        await leadership(ctx).record_access(grant, "answers", ctx.now, int(value))
        return ctx.outcome(ctx.state.at(f"lead_view:{value}"))


# Messengers by their own names; the console is the operator's terminal, not worth a word.
MESSENGERS = {"telegram": "Telegram", "zalo": "Zalo"}


def _queue_label(t: Translator, item: Submission) -> str:
    """Sent ones wait for confirmation; confirmed ones wait for recognition, and say so."""
    parts = [item.person_name, item.place, str(item.total), MESSENGERS.get(item.channel, "")]
    label = " · ".join(part for part in parts if part)
    if item.status == Status.CONFIRMED:
        return label + " · " + t("confirmed, waiting for recognition")
    return label


@step("lead_view")
class View(LeaderStep):
    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        detail = await leadership(ctx).submission(grant, int(param))
        if detail is None:
            return OutboundMessage(no_permission(ctx))
        text = detail_text(ctx, detail) + "\n\n" + decisions_explained(ctx.t)
        return ask(f"lead_view:{param}", text, _decisions(ctx, grant, detail))

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        value = reply.value if isinstance(reply, Chosen) else ""
        if value == "list":
            return ctx.outcome(ctx.state.at("lead_queue:0"))
        if value in (Status.RETURNED, Status.RECOGNISED):
            return ctx.outcome(ctx.state.at(f"lead_sure:{param}.{value}"))
        return await decide(ctx, int(param), Status(value), None)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "lead_queue:0"


def _decisions(ctx: Ctx, grant: Grant, detail: SubmissionDetail) -> list[tuple[str, str]]:
    t, status = ctx.t, detail.summary.status
    options = []
    if status == Status.SUBMITTED:
        options.append((Status.CONFIRMED.value, t("Confirm")))
    if grant.role in MAY_RECOGNISE and detail.summary.meets_rule:
        options.append((Status.RECOGNISED.value, t("Confirm and recognise")))
    options.append((Status.RETURNED.value, t("Return for changes")))
    options.append(("list", t("« Back to the list")))
    return options


def decisions_explained(t: Translator) -> str:
    """What each button does: confirming is not recognising."""
    return t(
        "Confirm: the association checked the answers and the evidence; the title is not "
        "given yet.\nConfirm and recognise: the commune gives the “Công dân học tập” title "
        "for this year (only when the rule is met).\nReturn: the person fixes it and sends it "
        "again."
    )


@step("lead_sure")
class AreYouSure(LeaderStep):
    """param "<assessment id>.<recognised|returned>": asked once, with the person's name."""

    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        t = ctx.t
        assessment, decision = param.split(".", 1)
        detail = await leadership(ctx).submission(grant, int(assessment))
        if detail is None:
            return OutboundMessage(no_permission(ctx))
        name = detail.summary.person_name
        if decision == Status.RECOGNISED:
            text = t(
                "Recognise {name} as “Công dân học tập” for {year}? {name} is told at once.",
                name=name,
                year=detail.season,
            )
            yes = t("Yes, recognise {name}", name=name)
        else:
            text = t(
                "Return the self-assessment of {name} for changes? You write the reason next.",
                name=name,
            )
            yes = t("Yes, return it to {name}", name=name)
        return ask(f"lead_sure:{param}", text, [("yes", yes), ("no", t("No, go back"))])

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        assessment, decision = param.split(".", 1)
        if not isinstance(reply, Chosen) or reply.value != "yes":
            return ctx.outcome(ctx.state.at(f"lead_view:{assessment}"))
        if decision == Status.RETURNED:
            return ctx.outcome(ctx.state.at(f"lead_reason:{assessment}"))
        return await decide(ctx, int(assessment), Status.RECOGNISED, None)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return f"lead_view:{param.split('.', 1)[0]}"


def detail_text(ctx: Ctx, detail: SubmissionDetail) -> str:
    t, loc, criteria = ctx.t, ctx.t.locale, ctx.criteria
    person = detail.summary
    group = next((g.name(loc) for g in criteria.groups if g.id == detail.group), detail.group)
    messenger = MESSENGERS.get(person.channel)
    where = f"{person.place} · {messenger}" if messenger else person.place
    lines = [f"{person.person_name} ({detail.birth_year or '?'}) · {where}", group, ""]
    for indicator in criteria.indicators:
        score = detail.scores.get(indicator.id, "-")
        line = f"{indicator.id}. {indicator.title(loc)}: {score}"
        note = detail.notes.get(indicator.id)
        evidence = t("Evidence:")
        lines.append(line + (f"\n   {evidence} {note}" if note else ""))
    lines.append("")
    lines.append(
        t("Total: {total}/{most} points", total=person.total, most=10 * len(criteria.indicators))
    )
    lines.append(
        t("Meets the rule for the title.")
        if person.meets_rule
        else t("Does not meet the rule yet.")
    )
    level = next(
        (lv.name(loc) for lv in ctx.digital.levels if lv.id == detail.digital_level), None
    )
    if level:
        lines.append(t("Digital skills: {level}", level=level))
    certificate = ctx.digital.certificate
    if detail.digital_certificate and certificate is not None:
        lines.append(certificate.fact(loc) + ".")
    return "\n".join(lines)


@step("lead_reason")
class ReturnReason(LeaderStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        text = ctx.t("Why do you return it? Write a short reason; the person will read it.")
        return ask(f"lead_reason:{param}", text, [])

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        reason = inputs.clean_free_text(
            ctx.t, reply.text if isinstance(reply, Typed) else "", REASON_LIMIT
        )
        return await decide(ctx, int(param), Status.RETURNED, reason)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return f"lead_view:{param}"


async def decide(ctx: Ctx, assessment_id: int, status: Status, reason: str | None) -> Outcome:
    grant = await require_grant(ctx)
    detail = await leadership(ctx).decide(grant, assessment_id, status, reason, ctx.who, ctx.now)
    if detail is None:
        raise InputError(
            ctx.t("This can no longer be done: it was already decided, or you lack the right.")
        )
    await _tell_citizen(ctx, detail, status, reason)
    done = {
        Status.CONFIRMED: ctx.t("Confirmed: {name}.", name=detail.summary.person_name),
        Status.RECOGNISED: ctx.t("Recognised: {name}.", name=detail.summary.person_name),
        Status.RETURNED: ctx.t("Returned to {name} for changes.", name=detail.summary.person_name),
    }[status]
    _, left = await leadership(ctx).queue(grant, 0, 1)
    return ctx.outcome(ctx.state.at("lead_queue:0" if left else MENU), done)


async def _tell_citizen(
    ctx: Ctx, detail: SubmissionDetail, status: Status, reason: str | None
) -> None:
    if ctx.ports.outbox is None:
        return
    t = Translator(detail.locale)
    text = {
        Status.CONFIRMED: t(
            "The learning association has confirmed your self-assessment for {year}. "
            "Recognition of the title is decided separately.",
            year=detail.season,
        ),
        Status.RECOGNISED: t(
            "Congratulations! You are recognised as “Công dân học tập” for {year}.",
            year=detail.season,
        ),
        Status.RETURNED: t(
            "The learning association has returned your self-assessment for changes. "
            "Reason: {reason}\nType /tiep to change it and send it again.",
            reason=reason or "",
        ),
    }[status]
    key = f"decision:{detail.summary.assessment_id}:{status.value}:{ctx.now.isoformat()}"
    await ctx.ports.outbox.put(
        key, detail.channel, detail.user_ref, OutboundMessage(text), ctx.now
    )
