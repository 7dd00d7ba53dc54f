"""The ten indicators (score and evidence note) and the digital-skills questions."""

from conversations import inputs
from conversations.context import Chosen, Ctx, Outcome, Reply
from conversations.events import OutboundMessage
from conversations.state import Assessment
from conversations.steps import BaseStep, ask, step


def _assessment(ctx: Ctx) -> Assessment:
    assert ctx.state.assessment is not None
    return ctx.state.assessment


def _after(ctx: Ctx, default: str) -> Outcome:
    """Go on, or back to where an edit started ("/sua" from the summary)."""
    target = ctx.state.return_to or default
    return ctx.outcome(ctx.state.at(target, return_to=None))


@step("ind")
class IndicatorScore(BaseStep):
    """One indicator: its title, what some scores mean, and the score; "Explain" gives what
    it means for the person's group, with an example.
    Evidence costs nothing: it can follow the score on the same line ("8, học lớp tin học")
    or be added from the result."""

    numeric = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t = ctx.t
        criteria = ctx.criteria
        lines = [_heading(ctx, param)]
        current = _assessment(ctx).scores.get(param)
        if current is not None:
            lines.append(t("Your answer now: {score}", score=current))
        if param == criteria.indicators[0].id:
            lines.append(
                t("You may add what you did after the score, for example: 8, đi họp thôn đều.")
            )
        lines.append(_score_question(ctx, param))
        return ask(f"ind:{param}", "\n".join(lines), _score_options(ctx), _explain(ctx))

    async def remind(self, ctx: Ctx, param: str) -> OutboundMessage | None:
        text = _heading(ctx, param) + "\n" + _score_question(ctx, param)
        return ask(f"ind:{param}", text, _score_options(ctx), _explain(ctx))

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        high = ctx.criteria.rule.max_score
        if isinstance(reply, Chosen) and reply.value == EXPLAIN:
            loc = ctx.t.locale
            texts = ctx.criteria.indicator(param).by_group[_assessment(ctx).group]
            return ctx.outcome(
                ctx.state, f"{texts.explain(loc)}\n{texts.example(loc)}", brief=True
            )
        if isinstance(reply, Chosen):
            score, note = inputs.parse_score(ctx.t, reply.value, high), None
        else:
            score, note = inputs.parse_score_and_note(ctx.t, reply.text, high)
        assessment = _assessment(ctx)
        notes = {**assessment.notes, param: note} if note else assessment.notes
        scores = {**assessment.scores, param: score}
        ctx = ctx.with_state(ctx.state.with_assessment(scores=scores, notes=notes))
        return after_indicator(ctx, param)

    def back(self, ctx: Ctx, param: str) -> str | None:
        ids = [item.id for item in ctx.criteria.indicators]
        position = ids.index(param)
        return f"ind:{ids[position - 1]}" if position else "group_pick"


def _heading(ctx: Ctx, param: str) -> str:
    title = ctx.criteria.indicator(param).title(ctx.t.locale)
    total = len(ctx.criteria.indicators)
    return ctx.t("Indicator {n}/{total}: {title}", n=param, total=total, title=title)


def _score_question(ctx: Ctx, param: str) -> str:
    """The question with what some scores mean for this indicator (questionnaire anchors);
    from the second indicator on, the buttons say it is the same question: a shorter lead."""
    loc = ctx.t.locale
    anchors = " · ".join(
        f"{score} {text(loc)}" for score, text in ctx.criteria.indicator(param).anchors
    )
    first = param == ctx.criteria.indicators[0].id
    if not anchors:
        return ctx.t("Your points?")
    question = ctx.t("Your points? Guide:") if first else ctx.t("Points guide:")
    return f"{question} {anchors}."


EXPLAIN = "more"


def _score_options(ctx: Ctx) -> list[tuple[str, str]]:
    return [(str(n), str(n)) for n in range(ctx.criteria.rule.max_score + 1)]


def _explain(ctx: Ctx) -> list[tuple[str, str]]:
    return [(EXPLAIN, ctx.t("Explain"))]


def after_indicator(ctx: Ctx, param: str) -> Outcome:
    """The next indicator, then the digital-skills questions (with their introduction),
    or back to where a change started."""
    ids = [item.id for item in ctx.criteria.indicators]
    position = ids.index(param)
    if position + 1 < len(ids):
        return _after(ctx, f"ind:{ids[position + 1]}")
    outcome = _after(ctx, f"dig:{ctx.digital.questions[0].id}")
    if outcome.state.step.startswith("dig:"):
        return ctx.outcome(outcome.state, ctx.digital.intro(ctx.t.locale))
    return outcome


@step("ev")
class Evidence(BaseStep):
    """A note on what the person did for one indicator (minh chứng), never required."""

    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t = ctx.t
        lines = [
            _heading(ctx, param),
            t(
                "What did you do for this? Write a few words, for example a class, a club "
                "or a certificate. You can also skip it.",
            ),
        ]
        current = _assessment(ctx).notes.get(param)
        options = [("skip", t("Skip"))]
        if current:
            lines.append(t("Your note now: {note}", note=current))
            options = [("keep", t("Keep this note")), ("clear", t("Delete the note"))]
        return ask(f"ev:{param}", "\n".join(lines), options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        notes = dict(_assessment(ctx).notes)
        if isinstance(reply, Chosen) and reply.value == "clear":
            notes.pop(param, None)
        elif not isinstance(reply, Chosen) and not inputs.means_none(reply.text):
            notes[param] = inputs.clean_free_text(ctx.t, reply.text, inputs.NOTE_LIMIT)
        ctx = ctx.with_state(ctx.state.with_assessment(notes=notes))
        return after_indicator(ctx, param)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return f"ind:{param}"


CLAIM, UNCLAIM = "cert", "nocert"


@step("dig")
class DigitalQuestion(BaseStep):
    """One digital-skills question, worded for the person's group. The first one also
    carries the state's certificate as a choice: saying so costs no extra question."""

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t, loc, check = ctx.t, ctx.t.locale, ctx.digital
        assessment = _assessment(ctx)
        ids = [item.id for item in check.questions]
        lines = [
            t("Digital skills {n}/{total}", n=ids.index(param) + 1, total=len(ids)),
            check.question(param).text_for(assessment.group)(loc),
        ]
        current = assessment.digital.get(param)
        if current is not None:
            lines.append(t("Your answer now: {answer}", answer=check.answer(current).label(loc)))
        options = [(item.id, item.label(loc)) for item in check.answers]
        return ask(f"dig:{param}", "\n".join(lines), options + _certificate_choice(ctx, param))

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        value = reply.value if isinstance(reply, Chosen) else ""
        if value in (CLAIM, UNCLAIM):
            return _certified(ctx, value == CLAIM)
        digital = {**_assessment(ctx).digital, param: value}
        ctx = ctx.with_state(ctx.state.with_assessment(digital=digital))
        ids = [item.id for item in ctx.digital.questions]
        position = ids.index(param)
        following = f"dig:{ids[position + 1]}" if position + 1 < len(ids) else "summary"
        return _after(ctx, following)

    def back(self, ctx: Ctx, param: str) -> str | None:
        ids = [item.id for item in ctx.digital.questions]
        position = ids.index(param)
        return f"dig:{ids[position - 1]}" if position else f"ind:{ctx.criteria.indicators[-1].id}"


def _certificate_choice(ctx: Ctx, param: str) -> list[tuple[str, str]]:
    """On the first question: "I have the certificate", or once said, its undoing."""
    certificate = ctx.digital.certificate
    if certificate is None or param != ctx.digital.questions[0].id:
        return []
    if _assessment(ctx).certified:
        return [(UNCLAIM, certificate.unclaim(ctx.t.locale))]
    return [(CLAIM, certificate.claim(ctx.t.locale))]


def _certified(ctx: Ctx, held: bool) -> Outcome:
    """Store what the person says about the certificate; the same question follows."""
    state = ctx.state.with_assessment(certified=held)
    if held:
        note = ctx.t(
            "Noted: you have the digital skills certificate. "
            "Please still answer the questions: they show what to learn next."
        )
    else:
        note = ctx.t("Noted: no digital skills certificate.")
    return ctx.outcome(state, note)
