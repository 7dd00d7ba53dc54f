"""Reminders and weekly digests, planned from the schedule data and sent via the outbox.

APScheduler runs two jobs: 'plan' queues what is due (idempotent keys: planning twice
queues nothing twice; after downtime, only what is still within its grace window) and
'send' drains the outbox under the channel limits. With several processes on PostgreSQL,
one of them plans each tick: the first whose tick comes after the last planning's period
(a lease in the database), so the planner is whoever is alive, and none is special."""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.health import stale_jobs
from bot.leases import process_id
from bot.logs import error_summary
from bot.outbox import Send, deliver_many
from bot.personal_data import purge_expired
from conversations.campaigns import reminder, report_reminder
from conversations.digest import digest_text
from conversations.events import Choice, OutboundMessage
from conversations.i18n import Translator
from conversations.roles import MAY_ADD_PLACES
from conversations.schedule import digest_due, is_quiet, quiet_window, reminder_due
from storage import inbox, leases
from storage.access_log import SCHEDULER, record_access
from storage.campaigns import communes_with_people, leaders, unfinished
from storage.db import unit_of_work
from storage.digests import build_digest
from storage.models import OutboxMessage, Person
from storage.outbox import SqlOutbox
from storage.outbox_queue import recover_interrupted
from storage.schedules import schedule_for

log = logging.getLogger(__name__)
KEEP_HANDLED = timedelta(days=30)


@dataclass
class PlanReport:
    reminders: int = 0
    digests: int = 0
    report_reminders: int = 0


async def plan(app: App, channels: tuple[str, ...]) -> PlanReport:
    report = PlanReport()
    now = app.clock.now()
    async with unit_of_work(app.sessions) as session:
        communes = await communes_with_people(session)
    for commune_id in communes:
        report.reminders += await _plan_reminders(app, commune_id, channels, now)
    report.digests = await _plan_digests(app, channels, now)
    report.report_reminders = await _plan_report_reminders(app, channels, now)
    return report


async def _plan_reminders(
    app: App, commune_id: int, channels: tuple[str, ...], now: datetime
) -> int:
    local = now.astimezone(ZoneInfo(app.settings.timezone))
    async with unit_of_work(app.sessions) as session:
        schedule = await schedule_for(session, commune_id, local.year)
        days = reminder_due(schedule, local)
        if days is None or is_quiet(schedule, local):
            return 0
        campaign = f"reminder:{commune_id}:{local.year}:{days}"
        outbox = SqlOutbox(session)
        await outbox.open_campaign(campaign, "reminder", commune_id, now)
        people = await unfinished(session, Person.commune_id == commune_id, local.year, channels)
        deadline, indicators = schedule.deadline_in(local.year), len(app.criteria.indicators)
        queued = 0
        for person in people:
            message = reminder(person, deadline, local.date(), indicators)
            key = f"{campaign}:{person.person_id}"
            queued += await outbox.put(
                key,
                person.channel,
                person.user_ref,
                message,
                now,
                campaign,
                quiet_window(schedule),
            )
        return queued


async def _plan_digests(app: App, channels: tuple[str, ...], now: datetime) -> int:
    local = now.astimezone(ZoneInfo(app.settings.timezone))
    queued = 0
    async with unit_of_work(app.sessions) as session:
        grants = await leaders(session, channels)
    for role_id, grant, person in grants:
        async with unit_of_work(app.sessions) as session:
            schedule = await schedule_for(session, grant.org_id, local.year)
            monday = digest_due(schedule, local)
            key = f"digest:{role_id}:{monday}"
            if monday is None or await _queued(session, key):
                continue
            # The text has no lists of people and no last year: leave them out (a province's
            # lists are three reads of 5,000 rows each).
            digest = await build_digest(
                session, grant.org_id, local.year, now, app.settings.timezone, full=False
            )
            if digest is None:
                continue
            campaign = f"digest:{grant.org_id}:{monday}"
            outbox = SqlOutbox(session)
            await outbox.open_campaign(campaign, "digest", grant.org_id, now)
            t = Translator(person.locale)
            text = (
                digest_text(t, digest)
                + "\n\n"
                + t("Type /lanhdao for the chart and the Excel report.")
            )
            message = OutboundMessage(text, (Choice("cmd=lanhdao", t("Leader menu")),))
            put = await outbox.put(key, person.channel, person.user_ref, message, now, campaign)
            if put and digest.unreachable_people:
                # It names people (who blocked the bot, to visit): kept in the access log.
                await record_access(
                    session, now, "digest", actor_id=person.id, org_id=grant.org_id, via=SCHEDULER
                )
            queued += put
    return queued


async def _plan_report_reminders(app: App, channels: tuple[str, ...], now: datetime) -> int:
    """Commune and province leaders (those who send a report upward) count down to the report
    date on the reminder days, once per leader and round."""
    local = now.astimezone(ZoneInfo(app.settings.timezone))
    queued = 0
    async with unit_of_work(app.sessions) as session:
        grants = await leaders(session, channels)
    for role_id, grant, person in grants:
        if grant.role not in MAY_ADD_PLACES:
            continue
        async with unit_of_work(app.sessions) as session:
            schedule = await schedule_for(session, grant.org_id, local.year)
            days = reminder_due(schedule, local, towards="report_date")
            if days is None or is_quiet(schedule, local):
                continue
            campaign = f"report:{grant.org_id}:{local.year}:{days}"
            outbox = SqlOutbox(session)
            await outbox.open_campaign(campaign, "report", grant.org_id, now)
            message = report_reminder(
                person.locale, schedule.report_date_in(local.year), local.date(), grant.org_name
            )
            queued += await outbox.put(
                f"{campaign}:{role_id}", person.channel, person.user_ref, message, now, campaign
            )
    return queued


async def _queued(session: AsyncSession, key: str) -> bool:
    query = select(OutboxMessage.id).where(OutboxMessage.key == key)
    return (await session.execute(query)).first() is not None


class Campaigns:
    """The two jobs on APScheduler's in-memory job store: nothing about them needs keeping,
    since what they produce (the outbox, campaigns) is idempotent data in our database, and
    no job store means no blocking database call on the event loop. A failed run is logged
    and the job runs again at its next tick; `health` says when each last succeeded."""

    def __init__(
        self,
        app: App,
        senders: Mapping[str, Send],
        plan_every: float = 600,
        send_every: float = 5,
        name: str = "main",
        channels: tuple[str, ...] = (),
    ) -> None:
        self.app, self.senders, self.name = app, dict(senders), name
        # Who to plan for: people on channels with a live sender, and console users (their
        # messages wait until they next open the chat).
        self.channels = channels or (*self.senders, "console")
        self.every = {"plan": plan_every, "send": send_every}
        self.scheduler: AsyncIOScheduler | None = None
        self.started_at: datetime | None = None
        self.succeeded: dict[str, datetime | None] = dict.fromkeys(self.every)
        self.holder = process_id()

    async def plan_now(self) -> PlanReport:
        report = await plan(self.app, self.channels)
        async with unit_of_work(self.app.sessions) as session:
            await inbox.prune(session, self.app.clock.now() - KEEP_HANDLED)
            # A worker that died mid-send and is not restarted leaves its message 'sending':
            # counted failed here too, not only when some process starts.
            await recover_interrupted(session, self.app.clock.now())
        await purge_expired(self.app)
        if report.reminders or report.digests or report.report_reminders:
            log.info(
                "planned %d reminders, %d digests and %d report reminders",
                report.reminders,
                report.digests,
                report.report_reminders,
            )
        return report

    async def plan_if_my_turn(self) -> PlanReport | None:
        """Plan, unless another process sharing the database planned within this period
        (then None: its tick was this one's)."""
        if self.app.engine.dialect.name == "postgresql":
            period = timedelta(seconds=self.every["plan"])
            name, now = f"plan:{self.name}", self.app.clock.now()
            async with unit_of_work(self.app.sessions) as session:
                mine = await leases.take_turn(session, name, self.holder, now, period)
            if not mine:
                return None
        return await self.plan_now()

    async def send_now(self) -> int:
        return await deliver_many(self.app, self.senders) if self.senders else 0

    async def tick(self, job: str) -> bool:
        """One run of a job, as APScheduler starts it: True when it succeeded. A failure
        (the database locked or away) is logged, type only, and left to the next tick."""
        work = {"plan": self.plan_if_my_turn, "send": self.send_now}[job]
        try:
            await work()
        except Exception as error:
            log.warning(
                "%s job failed (%s); it runs again at its next tick", job, error_summary(error)
            )
            return False
        self.succeeded[job] = self.app.clock.now()
        return True

    def health(self) -> dict[str, datetime | None]:
        """When each job ("plan", "send") last succeeded; None if not yet since the start."""
        return dict(self.succeeded)

    def is_healthy(self, now: datetime, intervals: float = 3) -> bool:
        """False once a job has not succeeded for `intervals` of its period (see stale_jobs)."""
        if self.started_at is None:
            return False
        return not stale_jobs(self.succeeded, self.every, self.started_at, now, intervals)

    async def start(self) -> None:
        async with unit_of_work(self.app.sessions) as session:
            await recover_interrupted(session, self.app.clock.now())
        zone = ZoneInfo(self.app.settings.timezone)
        self.scheduler = AsyncIOScheduler(
            timezone=zone,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        )
        self.started_at = self.app.clock.now()
        first = datetime.now(zone)
        for job, every in self.every.items():
            self.scheduler.add_job(
                self.tick,
                "interval",
                seconds=every,
                id=f"{job}-{self.name}",
                args=[job],
                replace_existing=True,
                next_run_time=first,
            )
        self.scheduler.start()

    async def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
