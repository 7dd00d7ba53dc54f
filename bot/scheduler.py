"""Reminders and weekly digests, planned from the schedule data and sent via the outbox.

APScheduler runs two jobs with its job store in our database: 'plan' queues what is due
(idempotent keys: planning twice queues nothing twice; after downtime, only what is still
within its grace window) and 'send' drains the outbox under the channel limits."""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.outbox import Send, deliver_many
from bot.personal_data import purge_expired
from conversations.campaigns import reminder, report_reminder
from conversations.digest import digest_text
from conversations.events import Choice, OutboundMessage
from conversations.i18n import Translator
from conversations.roles import MAY_ADD_PLACES
from conversations.schedule import digest_due, is_quiet, quiet_window, reminder_due
from storage import inbox
from storage.campaigns import communes_with_people, leaders, unfinished
from storage.db import unit_of_work
from storage.digests import build_digest
from storage.migrate import JOBS_TABLE as JOBS
from storage.models import OutboxMessage, Person
from storage.outbox import SqlOutbox
from storage.outbox_queue import recover_interrupted
from storage.schedules import schedule_for

log = logging.getLogger(__name__)
JOBS_TABLE = JOBS
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
            digest = await build_digest(
                session, grant.org_id, local.year, now, app.settings.timezone
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
            queued += await outbox.put(
                key, person.channel, person.user_ref, message, now, campaign
            )
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


def sync_url(url: str) -> str:
    """APScheduler's job store is synchronous: the same database through a sync driver."""
    parsed = make_url(url)
    driver = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}[parsed.get_backend_name()]
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


# Jobs in a persistent store are saved as references to module-level functions, so they
# find their scheduler here rather than in their (pickled) arguments.
_RUNNING: dict[str, "Campaigns"] = {}


async def plan_job(name: str) -> None:
    await _RUNNING[name].plan_now()


async def send_job(name: str) -> None:
    await _RUNNING[name].send_now()


class Campaigns:
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
        self.plan_every, self.send_every = plan_every, send_every
        self.scheduler: AsyncIOScheduler | None = None

    async def plan_now(self) -> PlanReport:
        report = await plan(self.app, self.channels)
        async with unit_of_work(self.app.sessions) as session:
            await inbox.prune(session, self.app.clock.now() - KEEP_HANDLED)
        await purge_expired(self.app)
        if report.reminders or report.digests or report.report_reminders:
            log.info(
                "planned %d reminders, %d digests and %d report reminders",
                report.reminders,
                report.digests,
                report.report_reminders,
            )
        return report

    async def send_now(self) -> int:
        return await deliver_many(self.app, self.senders) if self.senders else 0

    async def start(self) -> None:
        async with unit_of_work(self.app.sessions) as session:
            await recover_interrupted(session, self.app.clock.now())
        zone = ZoneInfo(self.app.settings.timezone)
        store = SQLAlchemyJobStore(
            url=sync_url(self.app.settings.database_url), tablename=JOBS_TABLE
        )
        self.scheduler = AsyncIOScheduler(
            jobstores={"default": store},
            timezone=zone,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        )
        _RUNNING[self.name] = self
        first = datetime.now(zone)
        for job, every, label in (
            (plan_job, self.plan_every, "plan"),
            (send_job, self.send_every, "send"),
        ):
            self.scheduler.add_job(
                job,
                "interval",
                seconds=every,
                id=f"{label}-{self.name}",
                args=[self.name],
                replace_existing=True,  # a restart replaces the stored job, never adds a twin
                next_run_time=first,
            )
        self.scheduler.start()

    async def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        _RUNNING.pop(self.name, None)
