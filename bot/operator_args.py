"""The operator commands' arguments (`cdht org|titles|admin|report|targets|schedule|outbox`),
apart from their work in bot/operator.py, so `cdht --help` loads no database or report
library (issue 13)."""

import argparse
from pathlib import Path

from bot.arguments import DAYS, ROW_ID, YEAR
from bot.terminal import terminal
from conversations.digest import METRICS
from conversations.i18n import SUPPORTED
from conversations.roles import RoleName
from conversations.schedule import KEYS


def add_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    t = terminal()  # help texts in the terminal's language
    node = t('id, code (W14215) or name ("Xã Hải Hậu/Xóm 3")')
    year = t("the year, e.g. 2026")
    org = commands.add_parser("org", help=t("the organisation tree")).add_subparsers(
        dest="org_command", required=True
    )
    imp = org.add_parser("import", help=t("load a province's communes (vietnam-provinces)"))
    imp.add_argument("--province", required=True, help=t('e.g. "Ninh Bình"'))
    csv_import = org.add_parser("import-csv", help=t("villages and units from a CSV file"))
    csv_import.add_argument(
        "file", type=Path, help=t("columns: commune, kind, name[, population]")
    )

    titles = commands.add_parser(
        "titles", help=t("QĐ 387 group titles and the association's yearly numbers")
    ).add_subparsers(dest="titles_command", required=True)
    facts_csv = titles.add_parser("import-csv", help=t("yearly counts from a CSV file"))
    facts_csv.add_argument(
        "file", type=Path, help=t("columns: commune, place, metric, year, done, total")
    )
    facts_show = titles.add_parser("show", help=t("the yearly counts of a node and below"))
    facts_show.add_argument("--org", required=True, help=node)
    facts_show.add_argument("--year", type=YEAR, required=True, help=year)

    admin = commands.add_parser("admin", help=t("leaders' access")).add_subparsers(
        dest="admin_command", required=True
    )
    invite = admin.add_parser("invite", help=t("create a single-use invitation code for a role"))
    invite.add_argument(
        "--role", required=True, choices=[r.value for r in RoleName], help=t("the leader's role")
    )
    invite.add_argument("--org", required=True, help=node)
    invite.add_argument("--days", type=DAYS, default=7, help=t("valid for this many days"))
    revoke = admin.add_parser("revoke", help=t("revoke an unused invitation code"))
    revoke.add_argument("code", help=t("the invitation code"))
    roles = admin.add_parser("roles", help=t("the leaders of a node and below"))
    roles.add_argument("--org", required=True, help=node)
    take_back = admin.add_parser("revoke-role", help=t("take a role back from a leader"))
    take_back.add_argument("role_id", type=ROW_ID, help=t("the id shown by 'cdht admin roles'"))

    report = commands.add_parser("report", help=t("the XLSX report of a commune or province"))
    report.add_argument("--org", required=True, help=t('a commune or province, e.g. "Xã Hải Hậu"'))
    report.add_argument("--year", type=YEAR, required=True, help=year)
    report.add_argument("--out", type=Path, required=True, help=t("XLSX file to write"))
    report.add_argument("--locale", choices=SUPPORTED, help=t("default: --lang, else CDHT_LOCALE"))

    targets = commands.add_parser("targets", help=t("yearly targets")).add_subparsers(
        dest="targets_command", required=True
    )
    load = targets.add_parser("load", help=t("load a targets file onto a node"))
    load.add_argument("file", type=Path, help=t("a targets file (TOML)"))
    load.add_argument("--org", help=t("default: every commune the file names in [[communes]]"))
    put = targets.add_parser("set", help=t("set one target (a share from 0 to 1)"))
    put.add_argument("--org", required=True, help=node)
    put.add_argument("--year", type=YEAR, required=True, help=year)
    put.add_argument("--metric", required=True, choices=METRICS, help=t("the plan's column"))
    put.add_argument("--value", type=float, required=True, help=t("a share from 0 to 1, e.g. 0.6"))
    show = targets.add_parser("show", help=t("the targets that apply to a node"))
    show.add_argument("--org", required=True, help=node)
    show.add_argument("--year", type=YEAR, required=True, help=year)

    schedule = commands.add_parser("schedule", help=t("the season's calendar")).add_subparsers(
        dest="schedule_command", required=True
    )
    listing = schedule.add_parser("list", help=t("the settings that apply to a node"))
    listing.add_argument("--org", required=True, help=node)
    listing.add_argument("--year", type=YEAR, required=True, help=year)
    change = schedule.add_parser("set", help=t("set one setting on a node"))
    change.add_argument("--org", required=True, help=node)
    change.add_argument("--key", required=True, choices=KEYS, help=t("the setting"))
    change.add_argument("--value", required=True, help=t("e.g. 20/11, '14,7,2', thứ 2, 07:30"))
    change.add_argument("--year", type=YEAR, help=t("only this year (default: every year)"))

    outbox = commands.add_parser("outbox", help=t("messages waiting to be sent")).add_subparsers(
        dest="outbox_command", required=True
    )
    outbox.add_parser("status", help=t("how many messages are in each state"))
    outbox.add_parser("drain", help=t("send everything due on Telegram now, then exit"))
    outbox.add_parser("plan", help=t("queue the reminders and digests due now, then exit"))
