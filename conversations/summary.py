"""The result: total, recognised or not yet, what to improve; then submit or edit."""

from conversations import scoring
from conversations.context import Chosen, Ctx, InputError, Outcome, Reply
from conversations.events import OutboundMessage
from conversations.grouping import first_open_step
from conversations.state import Assessment, Status
from conversations.steps import BaseStep, ask, step
from conversations.text import whole_number


def result_text(ctx: Ctx, assessment: Assessment) -> str:
    """The result in plain words: the points, whether they are enough and exactly why not
    (points still needed, which indicators are below the floor), then the status, keeping
    "may be considered" (the rule is met), confirmed and recognised apart."""
    t, criteria = ctx.t, ctx.criteria
    rule = criteria.rule
    if len(assessment.scores) < len(criteria.indicators):
        return t(
            "You have answered {done} of {total} indicators so far ({points} points).",
            done=len(assessment.scores),
            total=len(criteria.indicators),
            points=t.number(sum(assessment.scores.values())),
        )
    result = scoring.verdict(assessment.scores, rule)
    lines = [
        t(
            "Your result for {year}: {total}/{most} points.",
            year=assessment.season,
            total=t.number(result.total),
            most=rule.max_score * len(criteria.indicators),
        ),
        *_why_lines(ctx, assessment, result),
        *_status_lines(ctx, assessment, result),
    ]
    if not result.recognised and result.to_improve:
        lines.append(t("To work on:"))
        lines.extend(_improvement_line(ctx, assessment, i) for i in result.to_improve)
    lines.extend(_digital_lines(ctx, assessment))
    return "\n".join(lines)


def _why_lines(ctx: Ctx, assessment: Assessment, result: scoring.Verdict) -> list[str]:
    """Why the rule is met or not: the points still needed, the indicators below the floor."""
    t, rule = ctx.t, ctx.criteria.rule
    if result.recognised:
        return [
            t(
                "That is enough ({total} needed) and no indicator is below {floor}.",
                total=rule.pass_total,
                floor=rule.min_each,
            )
        ]
    lines = []
    if result.points_needed:
        lines.append(
            t(
                "{n} more points needed: the title needs {total}.",
                n=result.points_needed,
                total=rule.pass_total,
            )
        )
    else:
        lines.append(t("The points are enough ({total} needed).", total=rule.pass_total))
    if result.below_minimum:
        below = ", ".join(
            t("indicator {n} ({score} points)", n=i, score=assessment.scores[i])
            for i in result.below_minimum
        )
        lines.append(
            t("Every indicator needs at least {floor}. Below {floor}: {list}.",
              floor=rule.min_each, list=below)
        )  # fmt: skip
    return lines


def _status_lines(ctx: Ctx, assessment: Assessment, result: scoring.Verdict) -> list[str]:
    """Where the assessment stands: only a leader's decision makes a person recognised."""
    t = ctx.t
    if assessment.status == Status.RECOGNISED:
        return [t("You are recognised as “Công dân học tập” for {year}.", year=assessment.season)]
    lines = []
    if result.recognised:
        lines.append(
            t(
                "So you may be considered for the title “Công dân học tập”. "
                "The learning association decides."
            )
        )
    if assessment.status == Status.CONFIRMED:
        lines.append(
            t(
                "The learning association has confirmed your answers. "
                "Recognition of the title is decided separately."
            )
        )
    return lines


def _improvement_line(ctx: Ctx, assessment: Assessment, indicator_id: str) -> str:
    t, loc = ctx.t, ctx.t.locale
    indicator = ctx.criteria.indicator(indicator_id)
    score = assessment.scores[indicator_id]
    head = t(
        "• Indicator {n} ({title}): {score} points",
        n=indicator_id,
        title=indicator.title(loc),
        score=score,
    )
    tip = indicator.by_group[assessment.group].tip(loc)
    tip_label = t("Tip:")
    return f"{head}\n  {tip_label} {tip}"


def _digital_lines(ctx: Ctx, assessment: Assessment) -> list[str]:
    t, loc, check = ctx.t, ctx.t.locale, ctx.digital
    if len(assessment.digital) < len(check.questions):
        return []
    level = scoring.digital_level(assessment.digital, check, assessment.certified)
    lines = [t("Digital skills: {level}", level=level.name(loc))]
    if assessment.certified and check.certificate is not None:
        lines.append(check.certificate.fact(loc) + ".")
    best = max(check.answers, key=lambda option: option.points).id
    weak = [q for q in check.questions if assessment.digital.get(q.id) != best][:2]
    tip_label = t("Tip:")
    lines.extend(f"  {tip_label} {q.tip_for(assessment.group)(loc)}" for q in weak)
    return lines


@step("summary")
class Summary(BaseStep):
    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t = ctx.t
        assessment = ctx.state.assessment
        assert assessment is not None
        question = t(
            "Send it to the learning association (Hội Khuyến học) to confirm? "
            "After sending it cannot be changed."
        )
        parts = [result_text(ctx, assessment), question]
        if assessment.return_reason:
            reason = assessment.return_reason
            parts.insert(
                0, t("Returned by the learning association. Reason: {reason}", reason=reason)
            )
        text = "\n\n".join(parts)
        return ask("summary", text, _summary_options(ctx))

    async def remind(self, ctx: Ctx, param: str) -> OutboundMessage | None:
        text = ctx.t("Send it for confirmation? Type /ketqua to see your result again.")
        return ask("summary", text, _summary_options(ctx))

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        value = reply.value if isinstance(reply, Chosen) else ""
        if value == "edit":
            return ctx.outcome(ctx.state.at("edit_pick"))
        if value == "notes":
            return ctx.outcome(ctx.state.at("note_pick"))
        if value == "later":
            note = ctx.t("Saved. Type /tiep when you want to send it.")
            return ctx.outcome(ctx.state, note, prompt=False)
        if value != "send":
            raise InputError(ctx.t("Please choose one of the options."))
        missing = first_open_step(ctx)
        if missing != "summary":
            note = ctx.t("Some questions are not answered yet. Here is the first one.")
            return ctx.outcome(ctx.state.at(missing), note)
        state = ctx.state.at("submitted").with_assessment(
            status=Status.SUBMITTED, submitted_at=ctx.now
        )
        note = ctx.t("Sent. The learning association will look at it and tell you.")
        return ctx.outcome(state, note, prompt=False)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return f"dig:{ctx.digital.questions[-1].id}"


def _summary_options(ctx: Ctx) -> list[tuple[str, str]]:
    t = ctx.t
    return [
        ("send", t("Send for confirmation")),
        ("edit", t("Change an answer")),
        ("notes", t("Add what you did (evidence)")),
        ("later", t("Later")),
    ]


@step("note_pick")
class NotePick(BaseStep):
    """Evidence, when the person wants to give it: pick an indicator, then write."""

    numeric = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t, loc = ctx.t, ctx.t.locale
        assessment = ctx.state.assessment
        assert assessment is not None
        lines = [t("For which question do you want to write what you did?")]
        for indicator in ctx.criteria.indicators:
            mark = " ✓" if indicator.id in assessment.notes else ""
            lines.append(f"{indicator.id}. {indicator.title(loc)}{mark}")
        options = [(i.id, i.id) for i in ctx.criteria.indicators]
        return ask("note_pick", "\n".join(lines), options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        value = reply.value if isinstance(reply, Chosen) else reply.text.strip()
        ids = [item.id for item in ctx.criteria.indicators]
        if value not in ids:
            raise InputError(
                ctx.t("Please give an indicator number from 1 to {last}.", last=ids[-1])
            )
        return ctx.outcome(ctx.state.at(f"ev:{value}", return_to="summary"))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "summary"


# What can be changed from the result, and the step that asks it again.
PROFILE_EDITS = {
    "name": "name",
    "birth_year": "birth_year",
    "commune": "commune",
    "place": "place",
    "group": "group_pick",
    "digital": "edit_digital",
    "household": "household",
}


@step("edit_pick")
class EditPick(BaseStep):
    """What to change: an indicator (by its number, typed or tapped), the digital answers,
    or a personal detail. The change returns to where the person was."""

    numeric = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t = ctx.t
        ids = [item.id for item in ctx.criteria.indicators]
        options = [(i, i) for i in ids]
        options += [
            ("digital", t("Digital skills")),
            ("name", t("Name")),
            ("birth_year", t("Year of birth")),
            ("commune", t("Commune")),
            ("place", t("Village or unit")),
            ("group", t("Group")),
        ]
        place_id = ctx.state.profile.place_id
        if place_id is not None and await ctx.directory.households(place_id):
            options.append(("household", t("Household")))
        text = t(
            "What do you want to change? Tap an indicator number (1 to {last}) or another item.",
            last=ids[-1],
        )
        return ask("edit_pick", text, options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        value = reply.value if isinstance(reply, Chosen) else reply.text.strip()
        if value in PROFILE_EDITS:
            return ctx.outcome(ctx.state.at(PROFILE_EDITS[value], return_to=_resume(ctx)))
        return edit_indicator(ctx, value)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return first_open_step(ctx)


@step("edit_digital")
class EditDigital(BaseStep):
    numeric = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t, loc = ctx.t, ctx.t.locale
        questions = ctx.digital.questions
        lines = [t("Which digital-skills question do you want to change?")]
        group = ctx.state.assessment.group if ctx.state.assessment else None
        lines += [f"{n}. {q.text_for(group)(loc)}" for n, q in enumerate(questions, 1)]
        options = [(str(n), str(n)) for n in range(1, len(questions) + 1)]
        return ask("edit_digital", "\n".join(lines), options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        value = reply.value if isinstance(reply, Chosen) else reply.text
        questions = ctx.digital.questions
        number = whole_number(value, 3)  # "1²" passes isdigit() and fails int()
        if number is None or not 1 <= number <= len(questions):
            raise InputError(ctx.t("Please give a number from 1 to {last}.", last=len(questions)))
        target = f"dig:{questions[number - 1].id}"
        resume = _resume(ctx)
        return ctx.outcome(ctx.state.at(target, return_to=None if resume == target else resume))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "edit_pick"


def _resume(ctx: Ctx) -> str:
    """Where a change comes back to: the first question still open, or the result."""
    return first_open_step(ctx)


def edit_indicator(ctx: Ctx, indicator_id: str) -> Outcome:
    """Change one indicator, then come back to where the person was (the first question
    still open, or the summary)."""
    ids = [item.id for item in ctx.criteria.indicators]
    if indicator_id not in ids:
        raise InputError(ctx.t("Please give an indicator number from 1 to {last}.", last=ids[-1]))
    target = f"ind:{indicator_id}"
    resume = _resume(ctx)
    return ctx.outcome(ctx.state.at(target, return_to=None if resume == target else resume))


@step("submitted")
class Submitted(BaseStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        assessment = ctx.state.assessment
        assert assessment is not None
        t = ctx.t
        status = {
            Status.SUBMITTED: t(
                "Sent on {date}. Waiting for confirmation by the learning association."
            ),
            Status.CONFIRMED: t(
                "The learning association has confirmed your answers. "
                "Recognition of the title is decided separately."
            ),
            Status.RECOGNISED: t("Recognised as “Công dân học tập”. Congratulations!"),
        }.get(assessment.status, "")
        submitted = assessment.submitted_at or ctx.now
        text = status.format(date=t.date(submitted.astimezone(ctx.local_now.tzinfo)))
        return OutboundMessage(text + "\n" + t("Type /ketqua to see your result."))

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        assessment = ctx.state.assessment
        if assessment is not None and assessment.editable:
            return ctx.outcome(ctx.state.at("summary"))
        return ctx.outcome(ctx.state)


@step("idle")
class Idle(BaseStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        return OutboundMessage(
            ctx.t("Type /batdau to begin a self-assessment, or /trogiup for help.")
        )

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        return ctx.outcome(ctx.state)
