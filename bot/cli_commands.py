"""What the `cdht` commands do (bot/cli.py reads the command line and calls run_command)."""

import argparse
import asyncio
import errno
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy import and_

from bot import logs, operator, privacy_cli
from bot.app import App
from bot.budget import shared_rates
from bot.channels import console
from bot.export import write_csv
from bot.gateway import Gateway
from bot.messengers import messengers
from bot.outbox import deliver
from bot.portal_export import write_portal_csv
from bot.scheduler import Campaigns
from bot.settings import Settings
from bot.single import only_process
from bot.supervisor import WorkersError, supervise
from bot.terminal import terminal
from conversations.events import OutboundMessage
from conversations.i18n import N_, ExplainedError, Translator
from conversations.state import Status
from storage.access_log import CLI, record_access
from storage.db import unit_of_work
from storage.digests import people_in
from storage.models import AssessmentRow, Person
from storage.org_lookup import find_org
from storage.outbox import SENT
from storage.queries import assessment_rows

log = logging.getLogger("cdht")


async def cmd_chat(app: App, args: argparse.Namespace) -> None:
    await app.prepare_database()
    await console.chat(app.dispatch, args.user, sys.stdin, sys.stdout, console_outbox(app))


def console_outbox(app: App) -> console.Pending:
    """Messages queued for a console user are shown when that user is at the terminal."""

    async def show(user_ref: str, stdout: TextIO) -> None:
        async def send(_recipient: str, message: OutboundMessage) -> str:
            console.show_now(stdout, message)
            return SENT

        await deliver(app, console.CHANNEL, send, user_ref)

    return show


async def cmd_run(app: App, args: argparse.Namespace) -> None:
    if args.workers > 1:
        status = await supervise(args.workers, app.settings.database_url)
        if status:
            raise WorkersError(N_("a worker exited with status {status}"), status=status)
        return
    with only_process(app.settings.database_url):
        await run_one(app, args)


async def run_one(app: App, args: argparse.Namespace) -> None:
    """One worker: every configured channel, the outbox sender and the scheduler."""
    t = terminal()
    await app.prepare_database()
    database = app.engine.url.render_as_string(hide_password=True)
    channels = messengers(app.settings, app.clock, shared_rates(app))
    if not channels:
        note = t(
            "No messenger is configured: the console channel runs on {database}.",
            database=database,
        )
        print(note, file=sys.stderr)
        campaigns = Campaigns(app, {}, channels=(console.CHANNEL,))
        await campaigns.start()
        try:
            await console.chat(app.dispatch, args.user, sys.stdin, sys.stdout, console_outbox(app))
        finally:
            await campaigns.stop()
        return
    # The gateway's sender drains the outbox; the scheduler only plans for these channels.
    names = tuple(channel.name for channel in channels)
    campaigns = Campaigns(app, {}, channels=(*names, console.CHANNEL))
    # /healthz fails once planning has not succeeded for three of its intervals.
    gateway = Gateway(app, channels, health=lambda: campaigns.is_healthy(app.clock.now()))
    # Before the start: the updates kept before a restart are answered during it, and a
    # SIGTERM then must stop cleanly too, not end the process.
    stopping = stop_signals()
    await campaigns.start()
    await gateway.start(app.settings.http_host, app.settings.http_port)
    running = ", ".join(f"{c.name} ({c.mode})" for c in channels)
    note = t(
        "Running {channels} on {database}; Ctrl-C stops it.", channels=running, database=database
    )
    print(note, file=sys.stderr)
    try:
        await stopping.wait()
    finally:
        await campaigns.stop()
        await gateway.stop()


def stop_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM, so the caller can shut down cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    return stop


async def cmd_db(app: App, args: argparse.Namespace) -> None:
    t = terminal()
    added = await app.prepare_database()
    print(
        t.ngettext(
            "Database is up to date ({n} administrative unit added).",
            "Database is up to date ({n} administrative units added).",
            added,
        )
    )


async def cmd_export(app: App, args: argparse.Namespace) -> None:
    t = terminal()
    if args.export_command == "portal":
        await export_portal(app, args, t)
        return
    async with unit_of_work(app.sessions) as session:
        rows = await assessment_rows(session, args.season)
        # Names of everyone: kept in the access log (cdht privacy audit).
        await record_access(session, app.clock.now(), "export", actor_id=None, via=CLI)
    count = write_csv(args.out, rows, t, app.criteria, app.digital, app.settings.timezone)
    print(
        t.ngettext("Wrote {n} row to {file}.", "Wrote {n} rows to {file}.", count, file=args.out)
    )


async def export_portal(app: App, args: argparse.Namespace, t: Translator) -> None:
    """The recognised citizens of a node and year, in the portal's columns."""
    t = terminal()
    await app.prepare_database()
    async with unit_of_work(app.sessions) as session:
        node = await find_org(session, args.org)
        recognised = and_(
            people_in(node),
            Person.consent_at.is_not(None),  # only people who agreed to their data being used
            AssessmentRow.status == Status.RECOGNISED.value,
        )
        rows = await assessment_rows(session, args.year, recognised)
    count = write_portal_csv(args.out, rows, t, app.criteria, app.digital)
    print(
        t.ngettext(
            "Wrote {n} recognised citizen to {file}.",
            "Wrote {n} recognised citizens to {file}.",
            count,
            file=args.out,
        )
    )


COMMANDS: dict[str, Callable[[App, argparse.Namespace], Awaitable[None]]] = {
    "run": cmd_run,
    "chat": cmd_chat,
    "db": cmd_db,
    "export": cmd_export,
    "org": operator.run,
    "titles": operator.run,
    "admin": operator.run,
    "report": operator.run,
    "targets": operator.run,
    "schedule": operator.run,
    "outbox": operator.run,
    "privacy": privacy_cli.run,
}


def run_command(args: argparse.Namespace, t: Translator) -> int:
    """Run the parsed command; 2 for a mistake in its arguments, data or settings, 1 for a
    file."""
    try:
        settings = Settings()
    except ValidationError as error:
        for problem in error.errors():
            print(
                t("Configuration error: {problem}", problem=setting_problem(t, problem)),
                file=sys.stderr,
            )
        return 2
    logs.configure(settings.log_level, settings.secrets())
    return asyncio.run(_run(COMMANDS[args.command], settings, args))


def setting_problem(t: Translator, problem: "ErrorDetails") -> str:
    """One of pydantic's errors about the settings, in the terminal's language: our own
    checks are Problems; pydantic's own (a number below its minimum) name the variable."""
    error = problem.get("ctx", {}).get("error")
    if isinstance(error, ExplainedError):
        return error.text(t)
    name = ".".join(str(part) for part in problem["loc"])
    return t("{name} has a value that does not fit ({detail}).", name=name, detail=problem["msg"])


async def _run(
    command: Callable[[App, argparse.Namespace], Awaitable[None]],
    settings: Settings,
    args: argparse.Namespace,
) -> int:
    t = terminal()
    app = App(settings)
    try:
        await command(app, args)
    except ExplainedError as error:
        print(t("Error: {problem}", problem=error.text(t)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        print(t("Error: {problem}", problem=file_problem(error)), file=sys.stderr)
        return 1
    finally:
        await app.close()
    return 0


def file_problem(error: OSError) -> str:
    """A file that cannot be read or written, said in the terminal's language."""
    t = terminal()
    where = error.filename or ""
    known = {
        errno.ENOENT: t("{file}: no such file or folder", file=where),
        errno.EACCES: t("{file}: permission denied", file=where),
        errno.EISDIR: t("{file}: is a folder, not a file", file=where),
        errno.ENOSPC: t("{file}: the disk is full", file=where),
    }
    return known.get(error.errno or 0, t("{file}: {reason}", file=where, reason=error.strerror))
