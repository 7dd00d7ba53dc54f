"""Personal data as the law requires (Law No. 91/2025/QH15 on Personal Data Protection, in
force 1 January 2026; Decree 13/2023/NĐ-CP set the same rights before it): who holds the
data, what is kept and why, who sees it, for how long, and the person's rights; then /dulieu
to see it, receive it as a file, withdraw consent or delete it."""

from dataclasses import replace

from conversations.context import Chosen, Ctx, InputError, Outcome, Reply
from conversations.events import OutboundMessage
from conversations.ports import Privacy
from conversations.state import UserState
from conversations.steps import BaseStep, ask, step

# Bump when the consent text changes in substance: the version agreed to is recorded.
CONSENT_VERSION = "2026-01"
# Steps where the person has no data worth a menu (nothing was agreed or kept).
NOTHING_KEPT = ("new", "consent", "declined")


def controller(ctx: Ctx) -> str:
    """Who holds the data: the configured name, else the association of the person's
    commune (when known), else the association of the commune where they live."""
    if ctx.ports.controller:
        return ctx.ports.controller
    commune = ctx.state.profile.commune_name
    if commune:
        return ctx.t("the learning association (Hội Khuyến học) of {commune}", commune=commune)
    return ctx.t("the learning association (Hội Khuyến học) of the commune or ward where you live")


def consent_text(ctx: Ctx) -> str:
    """The short consent question, readable on a phone; the details are one tap away."""
    return ctx.t(
        "To do the self-assessment I need to keep your name, year of birth, commune, "
        "village or workplace, what you do, and your answers. They are held by {holder}. "
        "Leaders of the association can see your answers. "
        "You can see, take back or delete your data at any time with /dulieu. Do you agree?",
        holder=controller(ctx),
    )


def consent_details(ctx: Ctx) -> str:
    """Everything the law asks a consent to name: data, purpose, holder, who sees it,
    how long it is kept and the person's rights."""
    t = ctx.t
    return t(
        "Who holds your data: {holder}.\n"
        "What is kept: your name, year of birth, commune, village or workplace, target group, "
        "your answers and evidence notes, your messenger user id, and the messages we sent you.\n"
        "Why: so that the association can confirm your self-assessment and count the progress "
        "of your commune.\n"
        "Who can see your answers: the association leader of your village or workplace, the "
        "leaders of your commune's association, the administrators of your province's "
        "association, and the person who runs this bot for the association. No one else. "
        "Each time a leader opens your answers, it is recorded.\n"
        "How long: as long as you take part. Unfinished answers are deleted after {drafts} "
        "days without use; messages after {messages} days.\n"
        "Your rights: see your data and get a copy, withdraw your consent, and have it "
        "deleted, all with /dulieu; the association corrects it on request. "
        "(Law on Personal Data Protection No. 91/2025/QH15.)",
        holder=controller(ctx),
        drafts=ctx.ports.keep_drafts_days,
        messages=ctx.ports.keep_messages_days,
    )


def privacy(ctx: Ctx) -> Privacy:
    if ctx.ports.privacy is None:
        raise InputError(ctx.t("This cannot be done here. Please ask the association."))
    return ctx.ports.privacy


async def open_data_menu(ctx: Ctx, args: tuple[str, ...]) -> Outcome:
    """/dulieu: who holds what and why; with something stored, the menu of rights."""
    if ctx.state.step in NOTHING_KEPT and ctx.state.profile.consent_at is None:
        note = ctx.t("Nothing about you is stored yet, except your choice of language.")
        return ctx.outcome(ctx.state, consent_details(ctx), note)
    if ctx.state.step.startswith("data"):
        return ctx.outcome(ctx.state.at("data"))
    return ctx.outcome(ctx.state.at("data", resume_step=ctx.state.step))


def data_summary(ctx: Ctx) -> str:
    """What is stored about the person, as text (the file holds the same and more)."""
    t, profile, assessment = ctx.t, ctx.state.profile, ctx.state.assessment
    unknown = t("(not given)")
    lines = [
        t("Stored about you:"),
        t("• Name: {name}", name=profile.name or unknown),
        t("• Year of birth: {year}", year=profile.birth_year or unknown),
        t("• Commune: {commune}", commune=profile.commune_name or unknown),
        t("• Village or workplace: {place}", place=profile.place_name or unknown),
        t("• Messenger and user id: {channel} {user}", channel=ctx.who[0], user=ctx.who[1]),
    ]
    if profile.consent_at is not None:
        when = t.date(profile.consent_at.astimezone(ctx.local_now.tzinfo))
        lines.append(t("• Consent given on {date}", date=when))
    if profile.withdrawn_at is not None:
        when = t.date(profile.withdrawn_at.astimezone(ctx.local_now.tzinfo))
        lines.append(t("• Consent withdrawn on {date}", date=when))
    if assessment is not None:
        lines.append(t("• Self-assessment {year}:", year=assessment.season))
        for item, score in sorted(assessment.scores.items(), key=lambda kv: int(kv[0])):
            note = assessment.notes.get(item)
            lines.append(f"  {item}: {score}" + (f" ({note})" if note else ""))
    return "\n".join(lines)


@step("data")
class DataMenu(BaseStep):
    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t = ctx.t
        options = [
            ("see", t("See my data")),
            ("file", t("Get it as a file")),
            ("details", t("Details")),
        ]
        if ctx.state.profile.consent_at is not None:
            options.append(("withdraw", t("Withdraw my consent")))
        options += [("erase", t("Delete my data")), ("close", t("Close"))]
        text = t(
            "Your data is held by {holder}. What would you like to do?", holder=controller(ctx)
        )
        return ask("data", text, options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        value = reply.value if isinstance(reply, Chosen) else ""
        if value == "see":
            return ctx.outcome(ctx.state, data_summary(ctx))
        if value == "details":
            return ctx.outcome(ctx.state, consent_details(ctx))
        if value == "file":
            return await _send_file(ctx)
        if value in ("withdraw", "erase"):
            return ctx.outcome(ctx.state.at(f"data_{value}"))
        if value == "close":
            return ctx.outcome(_resumed(ctx.state))
        raise InputError(ctx.t("Please choose one of the options."))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return ctx.state.resume_step


async def _send_file(ctx: Ctx) -> Outcome:
    path = await privacy(ctx).export_file(ctx.who[0], ctx.who[1], ctx.now)
    if path is None:
        raise InputError(ctx.t("Nothing about you is stored yet, except your choice of language."))
    caption = ctx.t("Everything stored about you, as a JSON file:")
    # The summary goes as text too: a channel that cannot send files still shows it, and a
    # file's caption is short (1,024 characters on Telegram).
    notes = (OutboundMessage(data_summary(ctx)), OutboundMessage(caption, document=path))
    return replace(ctx.outcome(ctx.state), notes=notes)


def _resumed(state: UserState) -> UserState:
    """Back to where the person was before /dulieu."""
    return state.at(state.resume_step or "idle", resume_step=None)


@step("data_withdraw")
class Withdraw(BaseStep):
    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t = ctx.t
        text = t(
            "Withdraw your consent? Then nothing more is collected, reminders stop, and "
            "leaders no longer see your answers. What is stored stays until you delete it."
        )
        return ask("data_withdraw", text, [("yes", t("Yes, withdraw")), ("no", t("No"))])

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        if not (isinstance(reply, Chosen) and reply.value == "yes"):
            return ctx.outcome(ctx.state.at("data"))
        state = ctx.state.at("withdrawn", resume_step=None, return_to=None)
        state = state.with_profile(consent_at=None, withdrawn_at=ctx.now)
        note = ctx.t(
            "Done: your consent is withdrawn. To delete your data too, type /dulieu. "
            "To take part again, type /batdau."
        )
        return ctx.outcome(state, note, prompt=False)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "data"


@step("data_erase")
class Erase(BaseStep):
    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t = ctx.t
        text = t(
            "Delete your data? Your name, year of birth, place, answers, evidence notes and "
            "our messages with you will be erased. This cannot be undone."
        )
        return ask("data_erase", text, [("yes", t("Yes, delete")), ("no", t("No"))])

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        if not (isinstance(reply, Chosen) and reply.value == "yes"):
            return ctx.outcome(ctx.state.at("data"))
        kept = await privacy(ctx).erase(ctx.who[0], ctx.who[1], ctx.now)
        t = ctx.t
        notes = [t("Your data is deleted.")]
        if kept:
            notes.append(
                t(
                    "What remains: {count} line(s) without your name or messenger id, with "
                    "only your commune, village, group, score and status, so that the "
                    "association's yearly count stays right.",
                    count=kept,
                )
            )
        notes.append(t("Type /batdau if you want to start again."))
        erased = UserState(locale=ctx.state.locale, erased=True)
        return ctx.outcome(erased, "\n".join(notes), prompt=False)

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "data"


@step("withdrawn")
class Withdrawn(BaseStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        return OutboundMessage(
            ctx.t(
                "You have withdrawn your consent, so I collect nothing more. "
                "Type /batdau to take part again, or /dulieu for your data."
            )
        )

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        return ctx.outcome(ctx.state)
