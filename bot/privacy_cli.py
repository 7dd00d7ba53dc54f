"""`cdht privacy`: requests that arrive on paper (export, delete one person), the access
log of a node, and the retention purge by hand (Law No. 91/2025/QH15)."""

import argparse
import asyncio
import sys

from bot.app import App
from bot.operator import OperatorError
from bot.personal_data import export_document, purge_expired, write_json
from bot.terminal import terminal
from conversations.i18n import N_
from conversations.text import fold
from storage import privacy
from storage.access_log import CLI, audit, record_access
from storage.db import unit_of_work
from storage.org_lookup import find_org


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
    t = terminal()
    now = app.clock.now()
    async with unit_of_work(app.sessions) as session:
        data = await privacy.collect(session, args.channel, args.user)
        person = await privacy.find_person(session, args.channel, args.user)
        if data is None or person is None:
            raise nobody(args)
        await record_access(session, now, "export", actor_id=None, subject_id=person.id, via=CLI)
    await asyncio.to_thread(write_json, args.out, export_document(app.settings, data, now))
    print(t("Wrote {file}: everything stored about person #{id}.", file=args.out, id=person.id))


def nobody(args: argparse.Namespace) -> OperatorError:
    return OperatorError(
        N_("No one is stored as “{user}” on {channel}."),
        user=args.user[:64],
        channel=args.channel[:16],
    )


async def privacy_delete(app: App, args: argparse.Namespace) -> None:
    async with unit_of_work(app.sessions) as session:
        person = await privacy.find_person(session, args.channel, args.user)
    t = terminal()
    if person is None:
        raise nobody(args)
    if not args.yes:
        print(
            t(
                "Erase person #{id} ({channel}:{user})? This cannot be undone.",
                id=person.id,
                channel=args.channel,
                user=args.user,
            )
        )
        print(t("Type yes (có) to erase: "), end="", flush=True)
        answer = await asyncio.to_thread(sys.stdin.readline)
        if fold(answer) not in ("yes", "y", "co", "c"):
            print(t("Nothing was erased."))
            return
    async with unit_of_work(app.sessions) as session:
        kept = await privacy.erase(session, args.channel, args.user, app.clock.now())
    print(t("Erased person #{id}: answers, messages and personal details are gone.", id=person.id))
    if kept:
        print(
            t.ngettext(
                "Kept for the yearly counts: {n} anonymous assessment row (commune, village "
                "or unit, group, total, status and dates; no name, birth year or messenger id).",
                "Kept for the yearly counts: {n} anonymous assessment rows (commune, village "
                "or unit, group, total, status and dates; no name, birth year or messenger id).",
                kept,
            )
        )


async def privacy_audit(app: App, args: argparse.Namespace) -> None:
    t = terminal()
    async with unit_of_work(app.sessions) as session:
        org = await find_org(session, args.org)
        found = await audit(session, org.id)
    if not found:
        print(t("No access recorded at or below {place}.", place=org.name))
    for access in found:
        whose = (
            t("person #{id}", id=access.subject_id)
            if access.subject_id
            else access.org or t("all")
        )
        stamp = access.at.isoformat(timespec="seconds")
        print(f"{stamp}  {access.via:<4}  {access.screen:<8}  {access.actor}  ->  {whose}")


async def privacy_purge(app: App, args: argparse.Namespace) -> None:
    t = terminal()
    done = await purge_expired(app)
    text = t(
        "Deleted {drafts} older than {draft_days}; emptied {inbox} and {outbox} older than "
        "{days}.",
        drafts=t.ngettext(
            "{n} unfinished self-assessment", "{n} unfinished self-assessments", done.drafts
        ),
        draft_days=t.ngettext("{n} day", "{n} days", app.settings.keep_drafts_days),
        inbox=t.ngettext("{n} inbox update", "{n} inbox updates", done.inbox),
        outbox=t.ngettext("{n} outbox message", "{n} outbox messages", done.outbox),
        days=t.ngettext("{n} day", "{n} days", app.settings.keep_messages_days),
    )
    print(text)
