"""The target group: ask what the person does, propose a group, let them confirm it."""

from collections.abc import Sequence
from dataclasses import replace

from conversations.context import Chosen, Ctx, InputError, Outcome, Reply
from conversations.events import OutboundMessage
from conversations.model import Occupation
from conversations.registration import welcome
from conversations.state import Assessment
from conversations.steps import BaseStep, ask, step
from conversations.text import fold


@step("occupation")
class OccupationStep(BaseStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        loc = ctx.t.locale
        options = [(item.id, item.label(loc)) for item in ctx.criteria.occupations]
        return ask("occupation", ctx.t("What do you mainly do?"), options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        if isinstance(reply, Chosen):
            occupation = next(o for o in ctx.criteria.occupations if o.id == reply.value)
        else:
            found = match_occupation(ctx.criteria.occupations, reply.text)
            if found is None:
                raise InputError(ctx.t("Please choose one of the options, or type its number."))
            occupation = found
        return ctx.outcome(ctx.state.at("group", proposed_group=occupation.group))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "place"


def match_occupation(occupations: Sequence[Occupation], text: str) -> Occupation | None:
    """The occupation whose words (questionnaire data) the typed text contains: "tôi làm
    ruộng" -> farming. The longest matching words win ("làm thuê việc đồng áng" over "làm
    thuê"); None when nothing matches or two occupations match equally well."""
    padded = f" {fold(text)} "
    best: list[tuple[int, Occupation]] = []
    for occupation in occupations:
        lengths = [len(word) for word in occupation.words if f" {word} " in padded]
        if lengths:
            best.append((max(lengths), occupation))
    best.sort(key=lambda pair: -pair[0])
    if not best or (len(best) > 1 and best[0][0] == best[1][0]):
        return None
    return best[0][1]


@step("group")
class GroupConfirm(BaseStep):
    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t = ctx.t
        group_id = ctx.state.proposed_group or ctx.state.profile.group or "a"
        name = ctx.criteria.group(group_id).name(t.locale)
        text = t("Your target group is: {group}. Is that right?", group=name)
        return ask(
            "group",
            text,
            [("yes", t("Yes, that is right")), ("change", t("Choose another group"))],
        )

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        if isinstance(reply, Chosen) and reply.value == "change":
            return ctx.outcome(ctx.state.at("group_pick"))
        group_id = ctx.state.proposed_group or ctx.state.profile.group or "a"
        return begin_indicators(ctx, group_id)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "occupation"


@step("group_pick")
class GroupPick(BaseStep):
    """The target group, each with examples of who is in it; typing what one does
    ("làm ruộng", "giáo viên") also works, through the occupations' words."""

    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        loc = ctx.t.locale
        options = [(g.id, g.label(loc)) for g in ctx.criteria.groups]
        question = ctx.t("Which group are you in? You can also type what you do.")
        return ask("group_pick", question, options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        if isinstance(reply, Chosen):
            return begin_indicators(ctx, reply.value)
        found = match_occupation(ctx.criteria.occupations, reply.text)
        if found is None:
            raise InputError(ctx.t("Please choose one of the options, or type its number."))
        return begin_indicators(ctx, found.group)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "place"


def begin_indicators(ctx: Ctx, group_id: str) -> Outcome:
    """Open this season's assessment (or keep the draft) in the confirmed group."""
    state = ctx.state.with_profile(group=group_id)
    current = state.assessment
    if state.return_to and current is not None and current.season == ctx.season:
        # Changed from the result: the answers stay, the group's texts apply from now on.
        state = replace(state.next("ind:1"), proposed_group=None)
        return ctx.outcome(state.with_assessment(group=group_id))
    if current is None or current.season != ctx.season:
        fresh = Assessment(ctx.season, ctx.criteria.id, group_id, started_at=ctx.now)
        state = state.at("ind:1", assessment=fresh, proposed_group=None)
    else:
        state = state.at("ind:1", proposed_group=None).with_assessment(group=group_id)
    return ctx.outcome(state, ctx.criteria.note(ctx.t.locale))


def start(ctx: Ctx) -> Outcome:
    """/batdau: begin, or pick up wherever this person is."""
    state = ctx.state
    if state.profile.consent_at is None:
        return welcome(ctx)
    missing = state.profile.missing
    if missing:
        return ctx.outcome(state.at(missing))
    assessment = state.assessment
    if assessment is None or assessment.season != ctx.season:
        return ctx.outcome(state.at("group", proposed_group=state.profile.group))
    if not assessment.editable:
        return ctx.outcome(state.at("submitted"))
    if state.step in ("new", "idle", "declined", "consent", "submitted"):
        # A returned assessment opens on its result, where it can be changed and resent.
        return ctx.outcome(state.at(first_open_step(ctx)))
    return ctx.outcome(state)


def first_open_step(ctx: Ctx) -> str:
    """The first question of the assessment still without an answer, else the summary."""
    assessment = ctx.state.assessment
    assert assessment is not None
    for indicator in ctx.criteria.indicators:
        if indicator.id not in assessment.scores:
            return f"ind:{indicator.id}"
    for question in ctx.digital.questions:
        if question.id not in assessment.digital:
            return f"dig:{question.id}"
    return "summary"
