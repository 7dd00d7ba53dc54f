"""`cdht privacy`: requests that arrive on paper (export, delete one person), the access
log of a node, and the retention purge by hand (Law No. 91/2025/QH15)."""

import argparse
import asyncio
import sys
from pathlib import Path

from bot.app import App
from bot.operator import OperatorError
from bot.personal_data import export_document, purge_expired, write_json
from storage import privacy
from storage.access_log import CLI, audit, record_access
from storage.db import unit_of_work
from storage.org_lookup import find_org


def add_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    group = commands.add_parser("privacy", help="one person's data, the access log, retention")
    verbs = group.add_subparsers(dest="privacy_command", required=True)
    export = verbs.add_parser("export", help="everything stored about one person, as JSON")
    _person_arguments(export)
    export.add_argument("--out", required=True, type=Path, help="JSON file to write")
    erase = verbs.add_parser("delete", help="erase one person's data (asks first)")
    _person_arguments(erase)
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    log = verbs.add_parser("audit", help="who opened whose answers, and reports with names")
    log.add_argument("--org", required=True, help='id, code or name ("Xã Hải Hậu")')
    verbs.add_parser("purge", help="apply the retention periods now")


def _person_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--channel", required=True, help="telegram, zalo or console")
    parser.add_argument("--user", required=True, help="the person's user id on that channel")


async def run(app: App, args: argparse.Namespace) -> None:
    await app.prepare_database()
    handler = {
        "export": privacy_export,
        "delete": privacy_delete,
        "audit": privacy_audit,
        "purge": privacy_purge,
    }[args.privacy_command]
    await handler(app, args)


async def privacy_export(app: App, args: argparse.Namespace) -> None:
    now = app.clock.now()
    async with unit_of_work(app.sessions) as session:
        data = await privacy.collect(session, args.channel, args.user)
        person = await privacy.find_person(session, args.channel, args.user)
        if data is None or person is None:
            raise OperatorError(f"No one is stored as {args.user!r} on {args.channel!r}.")
        await record_access(session, now, "export", actor_id=None, subject_id=person.id, via=CLI)
    await asyncio.to_thread(write_json, args.out, export_document(app.settings, data, now))
    print(f"Wrote {args.out}: everything stored about person #{person.id}.")


async def privacy_delete(app: App, args: argparse.Namespace) -> None:
    async with unit_of_work(app.sessions) as session:
        person = await privacy.find_person(session, args.channel, args.user)
    if person is None:
        raise OperatorError(f"No one is stored as {args.user!r} on {args.channel!r}.")
    if not args.yes:
        print(f"Erase person #{person.id} ({args.channel}:{args.user})? This cannot be undone.")
        print("Type yes to erase: ", end="", flush=True)
        answer = await asyncio.to_thread(sys.stdin.readline)
        if answer.strip().lower() not in ("yes", "y", "có", "co"):
            print("Nothing was erased.")
            return
    async with unit_of_work(app.sessions) as session:
        kept = await privacy.erase(session, args.channel, args.user, app.clock.now())
    print(f"Erased person #{person.id}: answers, messages and personal details are gone.")
    if kept:
        print(
            f"Kept for the yearly counts: {kept} anonymous assessment row(s) (commune, village "
            "or unit, group, total, status and dates; no name, birth year or messenger id)."
        )


async def privacy_audit(app: App, args: argparse.Namespace) -> None:
    async with unit_of_work(app.sessions) as session:
        org = await find_org(session, args.org)
        found = await audit(session, org.id)
    if not found:
        print(f"No access recorded at or below {org.name}.")
    for access in found:
        whose = f"person #{access.subject_id}" if access.subject_id else access.org or "all"
        stamp = access.at.isoformat(timespec="seconds")
        print(f"{stamp}  {access.via:<4}  {access.screen:<8}  {access.actor}  ->  {whose}")


async def privacy_purge(app: App, args: argparse.Namespace) -> None:
    done = await purge_expired(app)
    print(
        f"Deleted {done.drafts} unfinished self-assessment(s) older than "
        f"{app.settings.keep_drafts_days} days; emptied {done.inbox} inbox update(s) and "
        f"{done.outbox} outbox message(s) older than {app.settings.keep_messages_days} days."
    )
