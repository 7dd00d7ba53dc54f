"""The recognised citizens for congdanhoctap.vn: the mapping's columns in order, one line per
recognised citizen of the commune (as counted in SQL), read back as Excel would."""

import argparse
import csv
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.app import App
from bot.cli_commands import export_portal
from bot.portal_export import MAPPING_FILE, MappingError, read_mapping
from conversations.i18n import Translator
from storage.db import unit_of_work
from storage.models import Person
from tests.storage.test_digest_numbers import generate


async def test_the_portal_export_reads_back(app: App, tmp_path: Path) -> None:
    async with unit_of_work(app.sessions) as session:
        communes = await generate(session, people=500)
        hostile = (
            await session.execute(
                text(
                    "SELECT MIN(p.id) FROM people p JOIN assessments a ON a.person_id = p.id "
                    "WHERE a.season = 2026 AND a.status = 'recognised' AND p.commune_id = :c "
                    "AND p.consent_at IS NOT NULL"
                ),
                {"c": communes[0].id},
            )
        ).scalar_one()
        person = await session.get(Person, hostile)
        assert person is not None
        person.name = '=HYPERLINK("http://x")'
    await app.prepare_database()
    out = tmp_path / "portal.csv"
    args = argparse.Namespace(org="Xã Hải Hậu, Ninh Bình", year=2026, out=out)
    await export_portal(app, args, Translator("vi"))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    lines = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    fields = read_mapping()
    assert lines[0] == [field.header for field in fields]
    async with unit_of_work(app.sessions) as session:
        expected = (
            await session.execute(
                text(
                    "SELECT COUNT(*) FROM people p JOIN assessments a ON a.person_id = p.id "
                    "WHERE a.season = 2026 AND a.status = 'recognised' AND p.commune_id = :c "
                    "AND p.consent_at IS NOT NULL"
                ),
                {"c": communes[0].id},
            )
        ).scalar_one()
    assert len(lines) - 1 == expected > 0
    by_header = [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]
    assert all(row["Xã/phường"] == "Xã Hải Hậu" for row in by_header)
    assert all(row["Tỉnh/thành phố"] == "Ninh Bình" for row in by_header)
    assert all(row["Số định danh cá nhân (CCCD)"] == "" for row in by_header)  # never asked
    assert {row["Nhóm phiếu tự đánh giá"] for row in by_header} == {"Người dân trong xã"}
    assert '\'=HYPERLINK("http://x")' in {row["Họ và tên"] for row in by_header}


def test_every_field_says_what_is_unconfirmed() -> None:
    fields = read_mapping()
    assert {field.status for field in fields} == {"described", "unconfirmed", "not collected"}
    assert "UNCONFIRMED" in MAPPING_FILE.read_text(encoding="utf-8")


def test_a_broken_mapping_names_the_field(tmp_path: Path) -> None:
    broken = tmp_path / "portal.toml"
    broken.write_text('[[fields]]\nheader = "Họ và tên"\nsource = "cccd"\nstatus = "described"\n')
    with pytest.raises(MappingError, match=r"portal.toml: fields\[0\].source: write one of"):
        read_mapping(broken)
