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
    numeric = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t, loc = ctx.t, ctx.t.locale
        criteria = ctx.criteria
        indicator = criteria.indicator(param)
        texts = indicator.by_group[_assessment(ctx).group]
        lines = [
            t("Indicator {n}/{total}", n=param, total=len(criteria.indicators))
            + f" · {criteria.competence(indicator.competence).title(loc)}",
            indicator.title(loc).upper(),
            texts.explain(loc),
            texts.example(loc),
        ]
        current = _assessment(ctx).scores.get(param)
        if current is not None:
            lines.append(t("Your answer now: {score}", score=current))
        lines.append(
            t(
                "How many points do you give yourself, from 0 to {high}?",
                high=criteria.rule.max_score,
            )
        )
        options = [(str(n), str(n)) for n in range(criteria.rule.max_score + 1)]
        return ask(f"ind:{param}", "\n".join(lines), options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        text = reply.value if isinstance(reply, Chosen) else reply.text
        score = inputs.parse_score(ctx.t, text, ctx.criteria.rule.max_score)
        scores = {**_assessment(ctx).scores, param: score}
        return ctx.outcome(ctx.state.at(f"ev:{param}").with_assessment(scores=scores))

    def back(self, ctx: Ctx, param: str) -> str | None:
        ids = [item.id for item in ctx.criteria.indicators]
        position = ids.index(param)
        return f"ind:{ids[position - 1]}" if position else "group"


@step("ev")
class Evidence(BaseStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t = ctx.t
        lines = [
            t(
                "Evidence for indicator {n} (optional): write in a few words what you did, "
                "for example a class, a club or a certificate.",
                n=param,
            )
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
        ids = [item.id for item in ctx.criteria.indicators]
        position = ids.index(param)
        if position + 1 < len(ids):
            return _after(ctx, f"ind:{ids[position + 1]}")
        outcome = _after(ctx, f"dig:{ctx.digital.questions[0].id}")
        if outcome.state.step.startswith("dig:"):
            return ctx.outcome(outcome.state, ctx.digital.intro(ctx.t.locale))
        return outcome

    def back(self, ctx: Ctx, param: str) -> str | None:
        return f"ind:{param}"


@step("dig")
class DigitalQuestion(BaseStep):
    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t, loc, check = ctx.t, ctx.t.locale, ctx.digital
        ids = [item.id for item in check.questions]
        lines = [
            t("Digital skills {n}/{total}", n=ids.index(param) + 1, total=len(ids)),
            check.question(param).text(loc),
        ]
        current = _assessment(ctx).digital.get(param)
        if current is not None:
            lines.append(t("Your answer now: {answer}", answer=check.answer(current).label(loc)))
        options = [(item.id, item.label(loc)) for item in check.answers]
        return ask(f"dig:{param}", "\n".join(lines), options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        value = reply.value if isinstance(reply, Chosen) else ""
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
