"""Operator commands: the organisation tree, invitations, targets and reports."""

import argparse

from bot.annual_report import write_workbook
from bot.app import App
from bot.budget import shared_rates
from bot.messengers import messengers
from bot.outbox import Sender
from bot.report_files import localised
from bot.scheduler import Campaigns
from bot.terminal import terminal
from conversations.digest import METRICS
from conversations.i18n import N_, ExplainedError, Translator
from conversations.roles import NODE_KIND, RoleName, role_label
from conversations.schedule import KEYS, ScheduleError, as_text
from storage.access_log import CLI, record_access
from storage.admin_units import find_province, load_admin_units
from storage.csv_text import decode_csv
from storage.db import unit_of_work
from storage.digests import build_digest
from storage.leadership import create_invite, revoke_invite, revoke_role, roles_under
from storage.org_import import import_places
from storage.org_lookup import find_org
from storage.outbox_queue import recover_interrupted, status_counts
from storage.plan_facts import fact_totals
from storage.schedules import ORDINARY_YEAR, schedule_for, set_schedule
from storage.targets import TargetEntry, load_plan, load_targets, set_target, target_for
from storage.titles_import import import_facts


class OperatorError(ExplainedError):
    """A mistake in the command's arguments or data; the message is for the operator."""


async def run(app: App, args: argparse.Namespace) -> None:
    handler = {
        ("org", "import"): org_import,
        ("org", "import-csv"): org_import_csv,
        ("titles", "import-csv"): titles_import_csv,
        ("titles", "show"): titles_show,
        ("admin", "invite"): admin_invite,
        ("admin", "revoke"): admin_revoke,
        ("admin", "roles"): admin_roles,
        ("admin", "revoke-role"): admin_revoke_role,
        ("targets", "load"): targets_load,
        ("targets", "set"): targets_set,
        ("targets", "show"): targets_show,
        ("schedule", "list"): schedule_list,
        ("schedule", "set"): schedule_set,
        ("outbox", "status"): outbox_status,
        ("outbox", "drain"): outbox_drain,
        ("outbox", "plan"): outbox_plan,
    }
    await app.prepare_database()
    if args.command == "report":
        await report(app, args)
        return
    sub = getattr(args, f"{args.command}_command")
    await handler[(args.command, sub)](app, args)


async def org_import(app: App, args: argparse.Namespace) -> None:
    t = terminal()
    if find_province(args.province) is None:
        raise OperatorError(
            N_("No province is named “{name}” among Vietnam's 34 provinces."),
            name=args.province[:60],
        )
    await app.prepare_database()
    async with unit_of_work(app.sessions) as session:
        added = await load_admin_units(session, args.province)
    print(
        t.ngettext(
            "{province}: {n} unit added (the others were there already).",
            "{province}: {n} units added (the others were there already).",
            added,
            province=args.province,
        )
    )


async def org_import_csv(app: App, args: argparse.Namespace) -> None:
    t = terminal()
    text = decode_csv(args.file.read_bytes())
    async with unit_of_work(app.sessions) as session:
        result = await import_places(session, text)
        if result.errors:
            raise nothing_imported(result.errors)
    print(t("{added} added, {updated} updated.", added=result.added, updated=result.updated))


def nothing_imported(errors: tuple[ExplainedError, ...]) -> OperatorError:
    """All or nothing: the file's every problem, one a line, and that nothing was stored."""
    t = terminal()
    lines = "\n".join(error.text(t) for error in errors)
    return OperatorError(N_("Nothing was imported:\n{problems}"), problems=lines)


async def titles_import_csv(app: App, args: argparse.Namespace) -> None:
    t = terminal()
    text = decode_csv(args.file.read_bytes())
    async with unit_of_work(app.sessions) as session:
        result = await import_facts(session, text, app.clock.now())
        if result.errors:
            raise nothing_imported(result.errors)
    print(
        t.ngettext(
            "{n} line stored (yearly counts and named households or clans).",
            "{n} lines stored (yearly counts and named households or clans).",
            result.stored,
        )
    )


async def titles_show(app: App, args: argparse.Namespace) -> None:
    t = terminal()
    async with unit_of_work(app.sessions) as session:
        org = await find_org(session, args.org)
        totals = await fact_totals(session, org, args.year)
    for metric in METRICS:
        if metric in totals:
            done, total = totals[metric]
            print(t("{metric}: {done} of {total}", metric=metric, done=done, total=total))


async def admin_invite(app: App, args: argparse.Namespace) -> None:
    role = RoleName(args.role)
    async with unit_of_work(app.sessions) as session:
        org = await find_org(session, args.org, (NODE_KIND[role],))
        code = await create_invite(session, role, org.id, app.clock.now(), args.days)
    t = terminal()
    print(
        t(
            "Invitation for {role} of {place} (valid {days}): {code}",
            role=role_label(t, role),
            place=org.name,
            days=t.ngettext("{n} day", "{n} days", args.days),
            code=code,
        )
    )
    print(t("The leader types: /vaitro {code}", code=code))


async def admin_revoke(app: App, args: argparse.Namespace) -> None:
    t = terminal()
    async with unit_of_work(app.sessions) as session:
        done = await revoke_invite(session, args.code, app.clock.now())
    if not done:
        raise OperatorError(N_("No unused invitation has that code."))
    print(t("Revoked."))


async def report(app: App, args: argparse.Namespace) -> None:
    t = terminal()
    t = Translator(args.locale) if args.locale else terminal()  # default: --lang, CDHT_LOCALE
    async with unit_of_work(app.sessions) as session:
        org = await find_org(session, args.org, ("province", "commune", "village", "unit"))
        digest = await build_digest(
            session, org.id, args.year, app.clock.now(), app.settings.timezone
        )
        await record_access(
            session, app.clock.now(), "report", actor_id=None, org_id=org.id, via=CLI
        )
    assert digest is not None
    write_workbook(localised(digest, t, app.criteria, app.digital), args.out, t)
    print(t("Wrote {file} ({place}, {year}).", file=args.out, place=org.name, year=args.year))


async def targets_load(app: App, args: argparse.Namespace) -> None:
    t = terminal()
    async with unit_of_work(app.sessions) as session:
        if args.org is None:
            names = await load_plan(session, args.file)
            text = t.ngettext(
                "Targets of {file} set on {n} commune: {names}.",
                "Targets of {file} set on {n} communes: {names}.",
                len(names),
                file=args.file.name,
                names=", ".join(names),
            )
            print(text)
            return
        org = await find_org(session, args.org)
        count = await load_targets(session, org.id, args.file)
    print(
        t.ngettext(
            "{n} target set on {place}.", "{n} targets set on {place}.", count, place=org.name
        )
    )


async def targets_set(app: App, args: argparse.Namespace) -> None:
    if not 0 <= args.value <= 1:
        raise OperatorError(N_("--value is a share from 0 to 1, e.g. 0.55 for 55%."))
    async with unit_of_work(app.sessions) as session:
        org = await find_org(session, args.org)
        await set_target(
            session, org.id, TargetEntry(args.year, args.metric, args.value), "cdht targets set"
        )
    share = terminal().percent(args.value)
    print(f"{args.metric} {args.year} = {share}: {org.name}")


async def targets_show(app: App, args: argparse.Namespace) -> None:
    t = terminal()
    async with unit_of_work(app.sessions) as session:
        org = await find_org(session, args.org)
        for metric in METRICS:
            found = await target_for(session, org.id, args.year, metric)
            shown = (
                t(
                    "{share} (set for {year} by {node}: {source})",
                    share=t.percent(found.value),
                    year=found.year,
                    node=found.set_by,
                    source=found.source,
                )
                if found
                else t("none")
            )
            print(f"{metric}: {shown}")


async def schedule_list(app: App, args: argparse.Namespace) -> None:
    async with unit_of_work(app.sessions) as session:
        org = await find_org(session, args.org)
        schedule = await schedule_for(session, org.id, args.year)
    print(f"{org.name}, {args.year}:")
    for key in KEYS:
        print(f"  {key}: {as_text(schedule, key)}")


async def schedule_set(app: App, args: argparse.Namespace) -> None:
    async with unit_of_work(app.sessions) as session:
        org = await find_org(session, args.org)
        try:
            await set_schedule(session, org.id, args.year, args.key, args.value)
        except ScheduleError as error:
            raise OperatorError(N_("--value: {problem}"), problem=error) from error
        stored = await schedule_for(session, org.id, args.year or ORDINARY_YEAR)
    t = terminal()
    when = args.year or t("every year")
    value = as_text(stored, args.key)
    print(
        t(
            "{key} = {value} on {place} ({when}).",
            key=args.key,
            value=value,
            place=org.name,
            when=when,
        )
    )


async def outbox_status(app: App, args: argparse.Namespace) -> None:
    async with unit_of_work(app.sessions) as session:
        counts = await status_counts(session)
    for status, count in sorted(counts.items()):
        print(f"{status}: {count}")


async def outbox_plan(app: App, args: argparse.Namespace) -> None:
    t = terminal()
    names = tuple(channel.name for channel in messengers(app.settings, app.clock))
    report = await Campaigns(app, {}, channels=(*names, "console")).plan_now()
    print(
        t(
            "{reminders} and {digests} queued.",
            reminders=t.ngettext("{n} reminder", "{n} reminders", report.reminders),
            digests=t.ngettext("{n} digest", "{n} digests", report.digests),
        )
    )


async def outbox_drain(app: App, args: argparse.Namespace) -> None:
    t = terminal()
    channels = messengers(app.settings, app.clock, shared_rates(app))
    if not channels:
        raise OperatorError(N_("No messenger is configured: there is nothing to send through."))
    for channel in channels:
        await channel.open()
    try:
        async with unit_of_work(app.sessions) as session:
            await recover_interrupted(session, app.clock.now())
        sent = await Sender(app, {channel.name: channel for channel in channels}).drain()
    finally:
        for channel in channels:
            await channel.close()
    print(t.ngettext("{n} message sent.", "{n} messages sent.", sent))


async def admin_roles(app: App, args: argparse.Namespace) -> None:
    async with unit_of_work(app.sessions) as session:
        org = await find_org(session, args.org)
        held = await roles_under(session, org.id)
    t = terminal()
    if not held:
        print(t("No leaders at or below {place}.", place=org.name))
    for role_id, role, place, name, channel in held:
        line = t(
            "{id}: {role} of {place}: {name} on {channel}",
            id=role_id,
            role=role_label(t, RoleName(role)),
            place=place,
            name=name or t("(no name)"),
            channel=channel,
        )
        print(line)


async def admin_revoke_role(app: App, args: argparse.Namespace) -> None:
    t = terminal()
    async with unit_of_work(app.sessions) as session:
        done = await revoke_role(session, args.role_id, app.clock.now())
    if not done:
        raise OperatorError(N_("No active role has that id."))
    print(t("Role revoked: that leader's screens stop working at once."))
