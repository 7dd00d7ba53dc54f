"""CSV files as Excel on a Vietnamese Windows saves them: "CSV UTF-8" (BOM, `;`, CRLF and
";;;" for empty rows), plain "CSV" in Windows-1258 (accents as combining tone marks) and
"Unicode text" (UTF-16, tabs). All import; bad lines are named in Vietnamese, one by one,
and then nothing at all is stored."""

import unicodedata

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from conversations.i18n import ExplainedError, Translator
from storage.csv_text import decode_csv
from storage.db import make_sessionmaker, unit_of_work
from storage.models import OrgUnit
from storage.org_import import import_places
from storage.titles_import import import_facts
from tests.storage.test_plan_facts import NOW, places

PLACES = (
    "Xã;Loại;Tên;Số người\r\n"
    "Xã Hải Hậu;Thôn;Xóm Đông;320\r\n"
    "Xã Hải Hậu;Tổ dân phố;Tổ dân phố Quyết Thắng;1.250\r\n"
    "W14215;Trường;Trường Tiểu học Hải Hậu;45\r\n"
    ";;;\r\n"
    ";;;\r\n"
)
TONES = "\u0300\u0301\u0303\u0309\u0323"  # the five tone marks cp1258 keeps apart


def cp1258(text: str) -> bytes:
    """As Windows-1258 stores Vietnamese: letters with their vowel marks precomposed (â, ơ,
    ư, đ), the tone mark a combining character after them."""
    out = []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in decomposed if c in TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


EXCEL_FILES = {
    "CSV UTF-8": b"\xef\xbb\xbf" + PLACES.encode("utf-8"),
    "CSV (Windows-1258)": cp1258(PLACES),
    "Unicode text (UTF-16, tabs)": PLACES.replace(";", "\t").encode("utf-16"),
    "Google Sheets (UTF-8, commas)": PLACES.replace(";", ",").replace(",1.250", ",1250").encode(),
}


def test_the_windows_1258_fixture_really_is_decomposed() -> None:
    data = EXCEL_FILES["CSV (Windows-1258)"]
    assert "Hải".encode() not in data
    assert data.decode("cp1258") != PLACES  # the tone marks stand apart until NFC joins them


@pytest.mark.parametrize("saved_as", list(EXCEL_FILES))
async def test_a_file_saved_by_excel_imports(engine: AsyncEngine, saved_as: str) -> None:
    text = decode_csv(EXCEL_FILES[saved_as])
    async with unit_of_work(make_sessionmaker(engine)) as session:
        result = await import_places(session, text)
    assert [error.text(Translator("vi")) for error in result.errors] == []
    assert (result.added, result.updated) == (3, 0)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        names = (await session.execute(select(OrgUnit.name, OrgUnit.population))).all()
    assert ("Tổ dân phố Quyết Thắng", 1250) in names
    assert ("Xóm Đông", 320) in names  # NFC again: the same name as typed in the chat


BAD = (
    "\ufeffXã;Loại;Tên;Số người\r\n"
    "Xã Hải Hậu;thôn;Xóm 9;100\r\n"
    "Xã Không Có;thôn;Xóm 1;\r\n"
    "Xã Hải Hậu;chợ;Chợ Cồn;\r\n"
    "Xã Hải Hậu;thôn;;\r\n"
    "Xã Hải Hậu;thôn;Xóm 3;nhiều\r\n"
    "Xã Hải Hậu;thôn;Xóm 4;10;thừa một ô\r\n"
)


async def test_every_bad_line_is_named_in_vietnamese_and_nothing_is_stored(
    engine: AsyncEngine,
) -> None:
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        before = (await session.execute(select(func.count(OrgUnit.id)))).scalar_one()
        result = await import_places(session, decode_csv(BAD.encode()))
    said = [error.text(Translator("vi")) for error in result.errors]
    assert said == [
        "dòng 3: không có đơn vị nào tên “Xã Không Có”",
        "dòng 4: loại “chợ” không phải thôn, xóm, tổ dân phố, cũng không phải đơn vị "
        "(trường, cơ quan, công ty)",
        "dòng 5: tên đang để trống",
        "dòng 6: số người “nhiều” không phải số nguyên (tối đa 9 chữ số)",
        "dòng 7: dòng này có 5 ô, dòng tiêu đề có 4 ô. Hãy xem lại dấu phân cách.",
    ]
    assert str(result.errors[0]) == "line 3: no organisation is named “Xã Không Có”"
    assert result.added == 0
    async with unit_of_work(sessions) as session:
        after = (await session.execute(select(func.count(OrgUnit.id)))).scalar_one()
    assert after == before  # Xóm 9, a good line, was not stored either


async def test_yearly_counts_from_windows_1258_with_bad_numbers(engine: AsyncEngine) -> None:
    sheet = (
        "Xã;Nơi;Loại;Năm;Đạt;Tổng\r\n"
        "Xã Hải Hậu;Xóm 1;Gia đình học tập;2026;85;120\r\n"
        "Xã Hải Hậu;Xóm 1;Dòng họ học tập;2026;ba;5\r\n"
        "Xã Hải Hậu;Xóm 7;Gia đình;2026;1;2\r\n"
        "Xã Hải Hậu;Xóm 1;Gia đình;1999;1;2\r\n"
    )
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await places(session)
        result = await import_facts(session, decode_csv(cp1258(sheet)), NOW)
    assert result.stored == 0
    assert [error.text(Translator("vi")) for error in result.errors] == [
        "dòng 3: số đạt “ba” không phải số nguyên",
        "dòng 4: Xã Hải Hậu không có thôn hay đơn vị nào tên “Xóm 7”",
        "dòng 5: năm 1999 không nằm trong 2000 đến 2100",
    ]
    assert str(result.errors[0]) == "line 3: done “ba” is not a whole number"


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"PK\x03\x04\x14\x00", "Đây là tệp Excel, không phải CSV."),
        (b"\xef\xbb\xbfX\xff\xfe", "Không đọc được tệp này."),
    ],
)
def test_what_is_not_csv_text_is_refused_in_vietnamese(data: bytes, why: str) -> None:
    with pytest.raises(ExplainedError) as refused:
        decode_csv(data)
    assert why in refused.value.text(Translator("vi"))


async def test_a_missing_column_is_named(engine: AsyncEngine) -> None:
    async with unit_of_work(make_sessionmaker(engine)) as session:
        result = await import_places(session, "Xã;Tên\r\nXã Hải Hậu;Xóm 1\r\n")
    assert [error.text(Translator("vi")) for error in result.errors] == [
        "Dòng 1 thiếu cột “kind” (hoặc loai)."
    ]
