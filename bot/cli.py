"""The `cdht` command: run, chat, db upgrade, export, and the operator's commands.

Only the arguments are defined here; a command's work (bot/cli_commands.py) and the heavy
libraries it needs (SQLAlchemy, python-telegram-bot, httpx, openpyxl, matplotlib) are
imported once the command line is read, so `cdht --help` answers at once (issue 13)."""

import argparse
from pathlib import Path

from bot import operator_args, privacy_args
from bot.arguments import WORKERS, YEAR
from bot.terminal import speaking, terminal, terminal_locale
from conversations.i18n import SUPPORTED


def parser() -> argparse.ArgumentParser:
    t = terminal()  # help texts in the terminal's language
    root = argparse.ArgumentParser(prog="cdht", description=t("Công dân học tập assistant"))
    root.add_argument(
        "--lang", choices=SUPPORTED, help=t("language of this command and its files (CDHT_LOCALE)")
    )
    commands = root.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help=t("start every configured channel"))
    run.add_argument(
        "--user", default="console", help=t("console user id when no messenger is set")
    )
    run.add_argument(
        "--workers",
        type=WORKERS,
        default=1,
        help=t("processes to run on this machine (several need PostgreSQL)"),
    )
    chat = commands.add_parser("chat", help=t("talk to the bot in this terminal"))
    chat.add_argument("--user", default="console", help=t("who is talking (one id per person)"))
    db = commands.add_parser("db", help=t("database tasks"))
    db.add_subparsers(dest="db_command", required=True).add_parser(
        "upgrade", help=t("migrate the schema and load the administrative units")
    )
    export = commands.add_parser("export", help=t("export data"))
    what = export.add_subparsers(dest="export_command", required=True)
    assessments = what.add_parser("assessments", help=t("one CSV row per person and season"))
    assessments.add_argument("--out", required=True, type=Path, help=t("CSV file to write"))
    assessments.add_argument("--season", type=YEAR, help=t("only this year"))
    portal = what.add_parser("portal", help=t("recognised citizens for congdanhoctap.vn"))
    portal.add_argument("--org", required=True, help=t('a commune or province, e.g. "Xã Hải Hậu"'))
    portal.add_argument("--year", type=YEAR, required=True, help=t("the year, e.g. 2026"))
    portal.add_argument("--out", required=True, type=Path, help=t("CSV file to write"))
    operator_args.add_commands(commands)
    privacy_args.add_commands(commands)
    return root


def main(argv: list[str] | None = None) -> int:
    """Run one `cdht` command; 2 for a mistake in its arguments, data or settings (told in
    the terminal's language: --lang, else CDHT_LOCALE, else Vietnamese), 1 for a file."""
    with speaking(terminal_locale(argv)) as t:
        args = parser().parse_args(argv)
        from bot.cli_commands import run_command

        return run_command(args, t)
