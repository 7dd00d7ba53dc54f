"""The core's Privacy port and the retention job: a person's data as a JSON file, its
erasure, and the purge of what is kept too long (Law No. 91/2025/QH15 on Personal Data
Protection; Decree 13/2023/NĐ-CP before it)."""

import asyncio
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from storage import privacy
from storage.db import unit_of_work
from storage.retention import Purged, purge

if TYPE_CHECKING:
    from bot.app import App

LAW = "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 (Law No. 91/2025/QH15)"
EXPORTS = "privacy"  # sub-folder of CDHT_REPORTS_DIR for people's own files


def holder(settings: Settings, commune: str | None) -> str:
    """Who holds the data: CDHT_DATA_CONTROLLER, else the association of the commune."""
    if settings.data_controller:
        return settings.data_controller
    return f"Hội Khuyến học {commune}" if commune else "Hội Khuyến học xã/phường nơi bạn sống"


def export_document(settings: Settings, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The file a person receives: who holds the data and under which law, then the data."""
    return {
        "data_controller": holder(settings, data["person"].get("commune")),
        "law": LAW,
        "exported_at": now.isoformat(),
        **data,
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")


@dataclass
class FilePrivacy:
    session: AsyncSession
    settings: Settings

    @property
    def folder(self) -> Path:
        return Path(self.settings.reports_dir) / EXPORTS

    async def export_file(self, channel: str, user_ref: str, now: datetime) -> str | None:
        data = await privacy.collect(self.session, channel, user_ref)
        if data is None:
            return None
        person = await privacy.find_person(self.session, channel, user_ref)
        assert person is not None
        # The person id ties the file to its owner for erasure; the token keeps it unguessable.
        path = self.folder / f"dulieu-{person.id}-{secrets.token_hex(4)}.json"
        await asyncio.to_thread(write_json, path, export_document(self.settings, data, now))
        return str(path)

    async def erase(self, channel: str, user_ref: str, now: datetime) -> int:
        person = await privacy.find_person(self.session, channel, user_ref)
        if person is None:
            return 0
        person_id = person.id
        kept = await privacy.erase(self.session, channel, user_ref, now)
        for old in self.folder.glob(f"dulieu-{person_id}-*.json"):
            old.unlink(missing_ok=True)
        return kept


async def purge_expired(app: "App") -> Purged:
    """The retention job (the scheduler's plan runs it): drafts and payloads past their
    period in the database, and files in the reports folder (they may carry names)."""
    settings = app.settings
    now = app.clock.now()
    payloads_before = now - timedelta(days=settings.keep_messages_days)
    async with unit_of_work(app.sessions) as session:
        done = await purge(
            session, now - timedelta(days=settings.keep_drafts_days), payloads_before
        )
    await asyncio.to_thread(_remove_old_files, Path(settings.reports_dir), payloads_before)
    return done


def _remove_old_files(folder: Path, before: datetime) -> None:
    if not folder.is_dir():
        return
    for path in folder.rglob("*"):
        if path.is_file() and path.stat().st_mtime < before.timestamp():
            path.unlink(missing_ok=True)
