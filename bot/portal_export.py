"""The recognised citizens as a CSV shaped like the national portal's forms (congdanhoctap.vn),
so a commune copies them instead of typing them twice. Which column holds what is data:
storage/data/portal-congdanhoctap.toml, whose fields are partly UNCONFIRMED (it says which)."""

import csv
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.cells import csv_value  # the one formula rule, as in the assessments export
from conversations.i18n import N_, ExplainedError, Translator
from conversations.model import Criteria, DigitalCheck
from storage.queries import INDICATOR_IDS
from storage.targets import DATA_DIR

MAPPING_FILE = DATA_DIR / "portal-congdanhoctap.toml"
PLAIN = ("name", "birth_year", "province", "commune", "season", "total")
SOURCES = (*PLAIN, "place", "group", "digital", *(f"score_{n}" for n in INDICATOR_IDS), "")
STATUSES = ("described", "unconfirmed", "not collected")


class MappingError(ExplainedError):
    """The mapping file is broken; the message names the file and the field."""


@dataclass(frozen=True)
class PortalField:
    header: str
    source: str
    status: str


def read_mapping(path: Path = MAPPING_FILE) -> list[PortalField]:
    """The portal's columns in order; MappingError naming the field when one is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise MappingError(N_("{file}: cannot be read as TOML text"), file=path.name) from error
    fields = []
    for index, raw in enumerate(data.get("fields", [])):
        where = f"{path.name}: fields[{index}]"
        header, source, status = raw.get("header"), raw.get("source"), raw.get("status")
        if not isinstance(header, str) or not header:
            raise MappingError(N_("{where}.header: write a column name"), where=where)
        if source not in SOURCES:
            raise MappingError(
                N_("{where}.source: write one of {names}"), where=where, names=", ".join(SOURCES)
            )
        if status not in STATUSES:
            raise MappingError(
                N_("{where}.status: write one of {names}"), where=where, names=", ".join(STATUSES)
            )
        fields.append(PortalField(header, source, status))
    if not fields:
        raise MappingError(N_("{file}: has no [[fields]]"), file=path.name)
    return fields


def write_portal_csv(
    path: Path,
    rows: Sequence[Any],
    t: Translator,
    criteria: Criteria,
    digital: DigitalCheck,
    fields: Sequence[PortalField] | None = None,
) -> int:
    """One line per recognised citizen (rows of storage.queries.assessment_rows); UTF-8 with
    BOM so Excel shows Vietnamese; text typed by people never runs as a formula."""
    fields = fields or read_mapping()
    value = _values(t, criteria, digital)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([field.header for field in fields])
        for row in rows:
            writer.writerow([csv_value(value(row, field.source)) for field in fields])
    return len(rows)


def _values(
    t: Translator, criteria: Criteria, digital: DigitalCheck
) -> Callable[[Any, str], object]:
    groups = {group.id: group.name(t.locale) for group in criteria.groups}
    levels = {level.id: level.name(t.locale) for level in digital.levels}

    def value(row: Any, source: str) -> object:
        if source in PLAIN or source.startswith("score_"):
            found = getattr(row, source)
            return "" if found is None else found
        return {
            "place": row.place_name or "",
            "group": groups.get(row.target_group, row.target_group),
            "digital": levels.get(row.digital_level, "") if row.digital_level else "",
        }.get(source, "")

    return value
