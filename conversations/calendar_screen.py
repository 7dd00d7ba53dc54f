"""The leader's calendar: the season's dates and hours, how the last campaigns went, a
one-off reminder to those not finished (once a day), and changing the settings."""

from conversations.campaigns import campaign_line, reminder
from conversations.context import Chosen, Ctx, InputError, Outcome, Reply, Typed
from conversations.events import OutboundMessage
from conversations.leading import (
    MENU,
    LeaderStep,
    leadership,
    no_permission,
    require_grant,
)
from conversations.roles import MAY_ADD_PLACES, Grant
from conversations.schedule import (
    Schedule,
    ScheduleError,
    as_text,
    is_quiet,
    next_reminder,
    quiet_window,
)
from conversations.steps import ask, step

EDITABLE = (
    "deadline",
    "report_date",
    "reminder_days",
    "digest_weekday",
    "digest_time",
    "quiet_start",
    "quiet_end",
)


def calendar_text(ctx: Ctx, schedule: Schedule) -> str:
    t = ctx.t
    weekday = t.weekday(schedule.digest_weekday)
    upcoming = next_reminder(schedule, ctx.local_now)
    lines = [
        t(
            "Season {year}: self-assessments due by {date}.",
            year=ctx.season,
            date=t.date(schedule.deadline_in(ctx.season)),
        ),
        t(
            "The commune's report goes upward by {date}.",
            date=t.date(schedule.report_date_in(ctx.season)),
        ),
        t(
            "Reminders {days} days before, at {time}.",
            days=as_text(schedule, "reminder_days"),
            time=as_text(schedule, "reminder_time"),
        ),
        t("Weekly report: {day} at {time}.", day=weekday, time=as_text(schedule, "digest_time")),
        t("No messages to citizens between {hours}.", hours=quiet_window(schedule)),
    ]
    if upcoming is not None:
        lines.append(t("Next reminder: {date}.", date=t.date(upcoming)))
    return "\n".join(lines)


@step("lead_calendar")
class Calendar(LeaderStep):
    async def screen(self, ctx: Ctx, param: str, grant: Grant) -> OutboundMessage:
        t = ctx.t
        port = leadership(ctx)
        lines = [calendar_text(ctx, await port.schedule(grant, ctx.season))]
        campaigns = await port.campaigns(grant)
        if campaigns:
            lines += ["", t("Last campaigns:")] + [f"• {campaign_line(t, c)}" for c in campaigns]
        options = [("nudge", t("Remind those not finished"))]
        if grant.role in MAY_ADD_PLACES:
            options += [(key, _setting_label(ctx, key)) for key in EDITABLE]
        options.append(("menu", t("« Leader menu")))
        return ask("lead_calendar", "\n".join(lines), options)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        value = reply.value if isinstance(reply, Chosen) else ""
        if value == "menu":
            return ctx.outcome(ctx.state.at(MENU))
        if value == "nudge":
            return await nudge(ctx)
        return ctx.outcome(ctx.state.at(f"lead_setting:{value}"))


def _setting_label(ctx: Ctx, key: str) -> str:
    t = ctx.t
    return {
        "deadline": t("Change the citizens' deadline"),
        "report_date": t("Change the report date"),
        "reminder_days": t("Change reminder days"),
        "digest_weekday": t("Change the report day"),
        "digest_time": t("Change the report time"),
        "quiet_start": t("Change quiet hours start"),
        "quiet_end": t("Change quiet hours end"),
    }[key]


async def nudge(ctx: Ctx) -> Outcome:
    """Queue a reminder to everyone in scope who has not sent yet; at most once a day."""
    grant = await require_grant(ctx)
    port, outbox = leadership(ctx), ctx.ports.outbox
    if outbox is None:
        raise InputError(no_permission(ctx))
    today = ctx.local_now.date()
    campaign = f"nudge:{grant.org_id}:{today.isoformat()}"
    if not await outbox.open_campaign(campaign, "nudge", grant.org_id, ctx.now):
        raise InputError(ctx.t("You already sent a reminder today. Try again tomorrow."))
    schedule = await port.schedule(grant, ctx.season)
    people = await port.unfinished(grant, ctx.season)
    indicators = len(ctx.criteria.indicators)
    deadline = schedule.deadline_in(ctx.season)
    for person in people:
        message = reminder(person, deadline, today, indicators)
        key = f"{campaign}:{person.person_id}"
        await outbox.put(
            key,
            person.channel,
            person.user_ref,
            message,
            ctx.now,
            campaign,
            quiet_window(schedule),
        )
    note = ctx.t("Reminder queued for {n} people who have not finished.", n=len(people))
    if is_quiet(schedule, ctx.local_now):
        note += " " + ctx.t(
            "It is quiet hours now: it goes out at {time}.", time=as_text(schedule, "quiet_end")
        )
    return ctx.outcome(ctx.state, note)


@step("lead_setting")
class Setting(LeaderStep):
    free_text = True

    async def prompt(self, ctx: Ctx, param: str) -> OutboundMessage:
        t = ctx.t
        examples = {
            "deadline": t("Type the citizens' deadline, e.g. 20/11"),
            "report_date": t("Type the date the report goes upward, e.g. 10/12"),
            "reminder_days": t("Type the days before the deadline, e.g. 14, 7, 2"),
            "digest_weekday": t("Type the weekday, e.g. thứ 2 or T2 (Monday), CN (Sunday)"),
        }
        text = examples.get(param, t("Type the time, e.g. 07:30"))
        return ask(f"lead_setting:{param}", text)

    async def answer(self, ctx: Ctx, param: str, reply: Reply) -> Outcome:
        grant = await require_grant(ctx)
        raw = reply.text if isinstance(reply, Typed) else ""
        try:
            saved = await leadership(ctx).set_schedule(grant, ctx.season, param, raw)
        except ScheduleError as error:
            why = error.text(ctx.t)
            raise InputError(ctx.t("That value does not fit. {why}", why=why)) from error
        if not saved:
            raise InputError(no_permission(ctx))
        return ctx.outcome(ctx.state.at("lead_calendar"), ctx.t("Saved."))

    def back(self, ctx: Ctx, param: str) -> str | None:
        return "lead_calendar"
