"""Operator commands: the organisation tree, invitations, targets and reports."""

import argparse
from pathlib import Path

from bot.annual_report import write_workbook
from bot.app import App
from bot.arguments import DAYS, ROW_ID, YEAR
from bot.messengers import messengers
from bot.outbox import Sender
from bot.report_files import localised
from bot.scheduler import Campaigns
from conversations.digest import METRICS
from conversations.i18n import SUPPORTED, Translator
from conversations.roles import NODE_KIND, RoleName
from conversations.schedule import KEYS, ScheduleError, as_text
from storage.access_log import CLI, record_access
from storage.admin_units import find_province, load_admin_units
from storage.db import unit_of_work
from storage.digests import build_digest
from storage.leadership import create_invite, revoke_invite, revoke_role, roles_under
from storage.org_import import import_places
from storage.org_lookup import find_org
from storage.outbox_queue import recover_interrupted, status_counts
from storage.plan_facts import fact_totals, import_facts
from storage.schedules import schedule_for, set_schedule
from storage.targets import TargetEntry, load_plan, load_targets, set_target, target_for


class OperatorError(Exception):
    """A mistake in the command's arguments or data; the message is for the operator."""


def add_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    org = commands.add_parser("org", help="the organisation tree").add_subparsers(
        dest="org_command", required=True
    )
    imp = org.add_parser("import", help="load a province's communes (vietnam-provinces)")
    imp.add_argument("--province", required=True, help='e.g. "Ninh Bình"')
    csv_import = org.add_parser("import-csv", help="villages and units from a CSV file")
    csv_import.add_argument("file", type=Path, help="columns: commune, kind, name[, population]")

    titles = commands.add_parser(
        "titles", help="QĐ 387 group titles and the association's yearly numbers"
    ).add_subparsers(dest="titles_command", required=True)
    facts_csv = titles.add_parser("import-csv", help="yearly counts from a CSV file")
    facts_csv.add_argument(
        "file", type=Path, help="columns: commune, place, metric, year, done, total"
    )
    facts_show = titles.add_parser("show", help="the yearly counts of a node and below")
    facts_show.add_argument("--org", required=True)
    facts_show.add_argument("--year", type=int, required=True)

    admin = commands.add_parser("admin", help="leaders' access").add_subparsers(
        dest="admin_command", required=True
    )
    invite = admin.add_parser("invite", help="create a single-use invitation code for a role")
    invite.add_argument("--role", required=True, choices=[r.value for r in RoleName])
    invite.add_argument(
        "--org", required=True, help='id, code (W14215) or name ("Xã Hải Hậu/Xóm 3")'
    )
    invite.add_argument("--days", type=DAYS, default=7, help="valid for this many days")
    revoke = admin.add_parser("revoke", help="revoke an unused invitation code")
    revoke.add_argument("code")
    roles = admin.add_parser("roles", help="the leaders of a node and below")
    roles.add_argument("--org", required=True)
    take_back = admin.add_parser("revoke-role", help="take a role back from a leader")
    take_back.add_argument("role_id", type=ROW_ID, help="the id shown by 'cdht admin roles'")

    report = commands.add_parser("report", help="the XLSX report of a commune or province")
    report.add_argument("--org", required=True)
    report.add_argument("--year", type=YEAR, required=True)
    report.add_argument("--out", type=Path, required=True)
    report.add_argument("--locale", choices=SUPPORTED, help="default: CDHT_LOCALE")

    targets = commands.add_parser("targets", help="yearly targets").add_subparsers(
        dest="targets_command", required=True
    )
    load = targets.add_parser("load", help="load a targets file onto a node")
    load.add_argument("file", type=Path)
    load.add_argument("--org", help="default: every commune the file names in [[communes]]")
    put = targets.add_parser("set", help="set one target (a share from 0 to 1)")
    put.add_argument("--org", required=True)
    put.add_argument("--year", type=YEAR, required=True)
    put.add_argument("--metric", required=True, choices=METRICS)
    put.add_argument("--value", type=float, required=True)
    show = targets.add_parser("show", help="the targets that apply to a node")
    show.add_argument("--org", required=True)
    show.add_argument("--year", type=YEAR, required=True)

    schedule = commands.add_parser("schedule", help="the season's calendar").add_subparsers(
        dest="schedule_command", required=True
    )
    listing = schedule.add_parser("list", help="the settings that apply to a node")
    listing.add_argument("--org", required=True)
    listing.add_argument("--year", type=YEAR, required=True)
    change = schedule.add_parser("set", help="set one setting on a node")
    change.add_argument("--org", required=True)
    change.add_argument("--key", required=True, choices=KEYS)
    change.add_argument("--value", required=True, help="e.g. 10/12, '14,7,2', mon, 07:30")
    change.add_argument("--year", type=YEAR, help="only this year (default: every year)")

    outbox = commands.add_parser("outbox", help="messages waiting to be sent").add_subparsers(
        dest="outbox_command", required=True
    )
    outbox.add_parser("status", help="how many messages are in each state")
    outbox.add_parser("drain", help="send everything due on Telegram now, then exit")
    outbox.add_parser("plan", help="queue the reminders and digests due now, then exit")


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
    if find_province(args.province) is None:
        raise OperatorError(f"No province named {args.province!r} among Vietnam's 34 provinces.")
    await app.prepare_database()
    async with unit_of_work(app.sessions) as session:
        added = await load_admin_units(session, args.province)
    print(f"{args.province}: {added} units added (the others were there already).")


async def org_import_csv(app: App, args: argparse.Namespace) -> None:
    text = args.file.read_text(encoding="utf-8-sig")
    async with unit_of_work(app.sessions) as session:
        result = await import_places(session, text)
        if result.errors:
            raise OperatorError("Nothing was imported:\n" + "\n".join(result.errors))
    print(f"{result.added} added, {result.updated} updated.")


async def titles_import_csv(app: App, args: argparse.Namespace) -> None:
    text = args.file.read_text(encoding="utf-8-sig")
    async with unit_of_work(app.sessions) as session:
        result = await import_facts(session, text, app.clock.now())
        if result.errors:
            raise OperatorError("Nothing was imported:\n" + "\n".join(result.errors))
    print(f"{result.stored} yearly counts stored.")


async def titles_show(app: App, args: argparse.Namespace) -> None:
    async with unit_of_work(app.sessions) as session:
        org = await find_org(session, args.org)
        totals = await fact_totals(session, org, args.year)
    for metric in METRICS:
        if metric in totals:
            done, total = totals[metric]
            print(f"{metric}: {done} of {total}")


async def admin_invite(app: App, args: argparse.Namespace) -> None:
    role = RoleName(args.role)
    async with unit_of_work(app.sessions) as session:
        org = await find_org(session, args.org, (NODE_KIND[role],))
        code = await create_invite(session, role, org.id, app.clock.now(), args.days)
    print(f"Invitation for {role.value} of {org.name} (valid {args.days} days): {code}")
    print(f"The leader types: /vaitro {code}")


async def admin_revoke(app: App, args: argparse.Namespace) -> None:
    async with unit_of_work(app.sessions) as session:
        done = await revoke_invite(session, args.code, app.clock.now())
    if not done:
        raise OperatorError("No unused invitation has that code.")
    print("Revoked.")


async def report(app: App, args: argparse.Namespace) -> None:
    t = Translator(args.locale or app.settings.locale)
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
    print(f"Wrote {args.out} ({org.name}, {args.year}).")


async def targets_load(app: App, args: argparse.Namespace) -> None:
    async with unit_of_work(app.sessions) as session:
        if args.org is None:
            names = await load_plan(session, args.file)
            print(f"Targets of {args.file.name} set on {len(names)} communes: {', '.join(names)}.")
            return
        org = await find_org(session, args.org)
        count = await load_targets(session, org.id, args.file)
    print(f"{count} targets set on {org.name}.")


async def targets_set(app: App, args: argparse.Namespace) -> None:
    if not 0 <= args.value <= 1:
        raise OperatorError("--value is a share from 0 to 1, e.g. 0.55 for 55%.")
    async with unit_of_work(app.sessions) as session:
        org = await find_org(session, args.org)
        await set_target(
            session, org.id, TargetEntry(args.year, args.metric, args.value), "cdht targets set"
        )
    print(f"{args.metric} {args.year} = {args.value:.0%} on {org.name}.")


async def targets_show(app: App, args: argparse.Namespace) -> None:
    async with unit_of_work(app.sessions) as session:
        org = await find_org(session, args.org)
        for metric in METRICS:
            found = await target_for(session, org.id, args.year, metric)
            shown = (
                f"{found.value:.0%} (set for {found.year} by {found.set_by}: {found.source})"
                if found
                else "none"
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
            raise OperatorError(f"--value: {error}") from error
    when = args.year or "every year"
    print(f"{args.key} = {args.value} on {org.name} ({when}).")


async def outbox_status(app: App, args: argparse.Namespace) -> None:
    async with unit_of_work(app.sessions) as session:
        counts = await status_counts(session)
    for status, count in sorted(counts.items()):
        print(f"{status}: {count}")


async def outbox_plan(app: App, args: argparse.Namespace) -> None:
    names = tuple(channel.name for channel in messengers(app.settings, app.clock))
    report = await Campaigns(app, {}, channels=(*names, "console")).plan_now()
    print(f"{report.reminders} reminders and {report.digests} digests queued.")


async def outbox_drain(app: App, args: argparse.Namespace) -> None:
    channels = messengers(app.settings, app.clock)
    if not channels:
        raise OperatorError("No messenger is configured: there is nothing to send through.")
    for channel in channels:
        await channel.open()
    try:
        async with unit_of_work(app.sessions) as session:
            await recover_interrupted(session, app.clock.now())
        sent = await Sender(app, {channel.name: channel for channel in channels}).drain()
    finally:
        for channel in channels:
            await channel.close()
    print(f"{sent} messages sent.")


async def admin_roles(app: App, args: argparse.Namespace) -> None:
    async with unit_of_work(app.sessions) as session:
        org = await find_org(session, args.org)
        held = await roles_under(session, org.id)
    if not held:
        print(f"No leaders at or below {org.name}.")
    for role_id, role, place, name, channel in held:
        print(f"{role_id}: {role} of {place}: {name or '(no name)'} on {channel}")


async def admin_revoke_role(app: App, args: argparse.Namespace) -> None:
    async with unit_of_work(app.sessions) as session:
        done = await revoke_role(session, args.role_id, app.clock.now())
    if not done:
        raise OperatorError("No active role has that id.")
    print("Role revoked: that leader's screens stop working at once.")
