"""`cdht privacy`'s arguments, apart from its work in bot/privacy_cli.py (a light import for
`cdht --help`)."""

import argparse
from pathlib import Path

from bot.terminal import terminal


def add_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    t = terminal()  # help texts in the terminal's language
    group = commands.add_parser("privacy", help=t("one person's data, the access log, retention"))
    verbs = group.add_subparsers(dest="privacy_command", required=True)
    export = verbs.add_parser("export", help=t("everything stored about one person, as JSON"))
    _person_arguments(export)
    export.add_argument("--out", required=True, type=Path, help=t("JSON file to write"))
    erase = verbs.add_parser("delete", help=t("erase one person's data (asks first)"))
    _person_arguments(erase)
    erase.add_argument("--yes", action="store_true", help=t("do not ask for confirmation"))
    log = verbs.add_parser("audit", help=t("who opened whose answers, and reports with names"))
    log.add_argument("--org", required=True, help=t('id, code or name ("Xã Hải Hậu")'))
    verbs.add_parser("purge", help=t("apply the retention periods now"))


def _person_arguments(parser: argparse.ArgumentParser) -> None:
    t = terminal()  # help texts in the terminal's language
    parser.add_argument("--channel", required=True, help=t("telegram, zalo or console"))
    parser.add_argument("--user", required=True, help=t("the person's user id on that channel"))
