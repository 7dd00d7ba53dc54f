"""The core's Reports port: files for leaders, written under the reports folder."""

import asyncio
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.annual_report import write_workbook
from bot.export import status_names
from bot.reports import draw_chart, qr_png
from conversations.digest import Digest, PersonRow, row_name
from conversations.i18n import Translator
from conversations.model import Criteria, DigitalCheck
from conversations.state import Status


@dataclass
class FileReports:
    folder: Path
    criteria: Criteria
    digital: DigitalCheck
    links: dict[str, str] = field(default_factory=dict)  # channel -> template with {code}

    async def workbook(self, digest: Digest, locale: str) -> str:
        t = Translator(locale)
        path = self._path(digest, "xlsx")
        # openpyxl and matplotlib are blocking: keep the event loop free for other people.
        await asyncio.to_thread(
            write_workbook, localised(digest, t, self.criteria, self.digital), path, t
        )
        return str(path)

    async def chart(self, digest: Digest, locale: str) -> str:
        path = self._path(digest, "png")
        t = Translator(locale)
        await asyncio.to_thread(
            draw_chart, localised(digest, t, self.criteria, self.digital), path, t
        )
        return str(path)

    async def qr(self, link: str) -> str:
        path = self.folder / "qr" / f"{abs(hash(link)):x}.png"
        await asyncio.to_thread(qr_png, link, path)
        return str(path)

    def invite_links(self, code: str) -> list[str]:
        """The links that open the bot with `code`, one per messenger that has one (a poster
        can carry the Telegram and the Zalo QR code side by side)."""
        return [template.replace("{code}", code) for template in self.links.values()]

    def _path(self, digest: Digest, suffix: str) -> Path:
        stamp = digest.as_of.strftime("%Y%m%d-%H%M%S")
        return self.folder / f"cdht-{digest.org_id}-{digest.year}-{stamp}.{suffix}"


def localised(digest: Digest, t: Translator, criteria: Criteria, digital: DigitalCheck) -> Digest:
    """People lists carry ids (group "a", status "submitted"); reports show words."""
    groups = {g.id: g.name(t.locale) for g in criteria.groups}
    levels = {lv.id: lv.name(t.locale) for lv in digital.levels}
    statuses = status_names(t)

    def person(row: PersonRow) -> PersonRow:
        return replace(
            row,
            group=groups.get(row.group, row.group),
            digital_level=levels.get(row.digital_level or ""),
            status=statuses.get(Status(row.status), row.status),
        )

    return replace(
        digest,
        rows=tuple(replace(row, name=row_name(t, row)) for row in digest.rows),
        recognised_people=tuple(map(person, digest.recognised_people)),
        pending_people=tuple(map(person, digest.pending_people)),
    )
