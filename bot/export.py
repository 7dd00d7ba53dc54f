"""CSV export of the assessments, readable by Excel (UTF-8 with BOM)."""

import csv
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.cells import csv_value
from conversations.i18n import Translator
from conversations.model import Criteria, DigitalCheck
from conversations.state import Status
from storage.queries import INDICATOR_IDS


def headers(t: Translator) -> list[str]:
    return [
        t("Channel"),
        t("User id"),
        t("Name"),
        t("Birth year"),
        t("Commune"),
        t("Province"),
        t("Village or unit"),
        t("Season"),
        t("Target group"),
        *[t("Indicator {n}", n=n) for n in INDICATOR_IDS],
        t("Total"),
        t("Indicators answered"),
        t("Meets the rule"),
        t("Digital skills"),
        t("Digital skills certificate (VNeID)"),
        t("Status"),
        t("Started"),
        t("Submitted"),
        t("Updated"),
    ]


def status_names(t: Translator) -> dict[str, str]:
    return {
        Status.DRAFT: t("in progress"),
        Status.SUBMITTED: t("submitted"),
        Status.CONFIRMED: t("confirmed"),
        Status.RECOGNISED: t("recognised"),
        Status.RETURNED: t("returned"),
    }


def write_csv(
    path: Path,
    rows: Sequence[Any],
    t: Translator,
    criteria: Criteria,
    digital: DigitalCheck,
    timezone: str,
) -> int:
    zone = ZoneInfo(timezone)
    groups = {group.id: group.name(t.locale) for group in criteria.groups}
    levels = {level.id: level.name(t.locale) for level in digital.levels}
    statuses = status_names(t)

    def when(value: datetime | None) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers(t))
        for row in rows:
            writer.writerow(
                map(
                    csv_value,
                    [
                        row.channel,
                        row.user_ref,
                        row.name or "",
                        row.birth_year or "",
                        row.commune or "",
                        row.province or "",
                        row.place_name or "",
                        row.season,
                        groups.get(row.target_group, row.target_group),
                        *[_blank(getattr(row, f"score_{n}")) for n in INDICATOR_IDS],
                        row.total,
                        row.answered,
                        t("yes") if row.recognised else t("no"),
                        levels.get(row.digital_level, "") if row.digital_level else "",
                        t("yes") if row.digital_certificate else "",
                        statuses.get(row.status, row.status),
                        when(row.started_at),
                        when(row.submitted_at),
                        when(row.updated_at),
                    ],
                )
            )
    return len(rows)


def _blank(value: object) -> object:
    return "" if value is None else value
