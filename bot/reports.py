"""The yearly report as files: an Excel workbook, a progress chart and a printable QR code."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import segno
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.cells import formula_like, keep_as_text
from conversations.digest import Counts, Digest, PersonRow, PlaceRow, Share
from conversations.i18n import Translator

LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# Shares to one decimal, but a non-zero share never reads "0.0%" (1 person in 5,000 shows
# "<0.1%"): Excel and LibreOffice number formats allow two conditions before the default.
PERCENT_FORMAT = '[=0]0%;[<0.0005]"<0.1%";0.0%'
DATE_FORMAT = "dd/mm/yyyy"
MAX_COLUMN_WIDTH = 45
# Excel refuses longer sheet titles and these characters in them.
MAX_SHEET_TITLE = 31
SHEET_TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})

CHART_FONT = "DejaVu Sans"  # ships with matplotlib and covers Vietnamese diacritics
CHART_SIZE = (12.0, 8.0)
CHART_DPI = 100
CHART_MAX_ROWS = 25
CHART_LABEL_LENGTH = 40
BAR_COLOUR = "#2a7ab9"
TARGET_COLOUR = "#c0392b"

BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)

Value = str | int | float | datetime | None


# Workbook


def write_summary(sheet: WriteOnlyWorksheet, digest: Digest, t: Translator, title: str) -> None:
    rows = SheetRows(sheet)
    rows.add([title], font=TITLE_FONT)  # the title carries the place's name: kept as text
    rows.add([t("As of"), local_time(digest.as_of)])
    rows.add([])
    header = [
        t("Indicator"),
        t("Value"),
        t("Target"),
        t("Target year"),
        t("Gap"),
        t("Change this week"),
    ]
    rows.table(header, [*count_rows(digest, t), *share_rows(digest, t)])
    rows.write()


def count_rows(digest: Digest, t: Translator) -> list[list[Value]]:
    now, before = digest.totals, digest.week_ago
    labelled = [
        (t("Registered"), now.registered, before.registered),
        (t("Self-assessed"), now.assessed, before.assessed),
        (t("Sent for confirmation"), now.submitted, before.submitted),
        (t("Confirmed"), now.confirmed, before.confirmed),
        (t("Recognised"), now.recognised, before.recognised),
        (t("Blocked the bot"), now.unreachable, before.unreachable),
    ]
    return [[label, value, None, None, None, value - old] for label, value, old in labelled]


def share_rows(digest: Digest, t: Translator) -> list[list[Value]]:
    labelled = [
        (t("Adults in villages with the title"), digest.adults),
        (t("Staff in units with the title"), digest.staff),
        (t("Title holders with digital skills"), digest.digital),
        (t("Title holders proficient in digital skills"), digest.proficient),
    ]
    return [
        [label, ratio(share.value), target_value(share), target_year(share), gap(share), None]
        for label, share in labelled
    ]


def write_places(sheet: WriteOnlyWorksheet, digest: Digest, t: Translator) -> None:
    place = t("Commune") if digest.level == "province" else t("Village or unit")
    header = [
        place,
        t("Kind"),
        t("Population"),
        t("Registered"),
        t("Self-assessed"),
        t("Sent for confirmation"),
        t("Confirmed"),
        t("Recognised"),
        t("Share with the title"),
        t("Target"),
        t("Gap"),
    ]
    kinds = kind_names(t)
    rows = [place_row(row, kinds) for row in digest.rows]
    totals: list[Value] = [t("Totals"), None, None, *count_values(digest.totals)]
    write_table(sheet, header, rows, totals=totals)


def place_row(row: PlaceRow, kinds: dict[str, str]) -> list[Value]:
    share = row.share
    return [
        row.name,
        kinds.get(row.kind, kinds["other"]),
        row.population,
        *count_values(row.counts),
        ratio(share.value),
        target_value(share),
        gap(share),
    ]


def count_values(counts: Counts) -> list[Value]:
    return [
        counts.registered,
        counts.assessed,
        counts.submitted,
        counts.confirmed,
        counts.recognised,
    ]


def kind_names(t: Translator) -> dict[str, str]:
    return {
        "village": t("village"),
        "unit": t("unit"),
        "commune": t("commune"),
        "other": t("not in the list"),
    }


def write_people(
    sheet: WriteOnlyWorksheet,
    people: Sequence[PersonRow],
    t: Translator,
    with_status: bool = False,
) -> None:
    header = [
        t("Name"),
        t("Birth year"),
        t("Village or unit"),
        t("Target group"),
        t("Total"),
        t("Digital skills"),
        t("Submitted"),
    ]
    rows = [person_row(person) for person in people]
    if with_status:
        header.append(t("Status"))
        for row, person in zip(rows, people, strict=True):
            row.append(person.status)
    write_table(sheet, header, rows)


def person_row(person: PersonRow) -> list[Value]:
    submitted = local_time(person.submitted_at) if person.submitted_at else None
    return [
        person.name,
        person.birth_year,
        person.place,
        person.group,
        person.total,
        person.digital_level,
        submitted,
    ]


def write_table(
    sheet: WriteOnlyWorksheet,
    header: Sequence[str],
    rows: Iterable[Sequence[Value]],
    totals: Sequence[Value] | None = None,
) -> None:
    """A sheet of one table: a bold, frozen header, the rows and an optional bold totals
    row."""
    table = SheetRows(sheet)
    table.table(header, rows, totals)
    table.write()


class SheetRows:
    """A sheet's rows, held until written. The workbook is write-only (openpyxl streams each
    row once: linear in rows, where looking rows up in a sheet is quadratic), and such a sheet
    takes its column widths and frozen panes before its first row. Every cell goes through
    keep_as_text, so text typed by people is written as text."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self.sheet = sheet
        self.rows: list[list[Cell | Value]] = []
        self.fit_from = 0  # the first row the column widths fit

    def add(self, values: Sequence[Value], bold: bool = False, font: Font | None = None) -> None:
        self.rows.append([self._cell(value, font or (BOLD if bold else None)) for value in values])

    def table(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[Value]],
        totals: Sequence[Value] | None = None,
    ) -> None:
        """A bold, frozen header, the rows and an optional bold totals row; the columns are
        fitted from the header on."""
        self.fit_from = len(self.rows)
        self.add(header, bold=True)
        self.sheet.freeze_panes = f"A{len(self.rows) + 1}"
        for values in rows:
            self.add(values)
        if totals is not None:  # bold across the table, under every column
            self.add([*totals, *[None] * (len(header) - len(totals))], bold=True)

    def write(self) -> None:
        widths: dict[int, int] = {}
        for row in self.rows[self.fit_from :]:
            for column, cell in enumerate(row, start=1):
                value = cell.value if isinstance(cell, Cell) else cell
                widths[column] = max(widths.get(column, 0), display_width(value))
        # types-openpyxl leaves column_dimensions out of write-only sheets; openpyxl has them.
        dimensions = self.sheet.column_dimensions  # type: ignore[attr-defined]
        for column, width in widths.items():
            dimensions[get_column_letter(column)].width = min(MAX_COLUMN_WIDTH, width + 2)
        for row in self.rows:
            self.sheet.append(row)

    def _cell(self, value: Value, font: Font | None) -> Cell | Value:
        """A plain value where nothing is to be kept or shown differently (most cells: the
        sheet makes those quickest), else a styled cell."""
        if font is None and not formula_like(value) and not isinstance(value, datetime | float):
            return value
        cell = WriteOnlyCell(self.sheet, value)
        keep_as_text(cell)
        if font is not None:
            cell.font = font
        # Every float in these reports is a share, so it is shown as a percentage.
        if isinstance(value, datetime):
            cell.number_format = DATE_FORMAT
        elif isinstance(value, float):
            cell.number_format = PERCENT_FORMAT
        return cell


def display_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len("dd/mm/yyyy")
    if isinstance(value, float):
        return len("100.0%")
    return len(str(value))


def local_time(moment: datetime) -> datetime:
    """Excel has no time zones: write the wall-clock time in Vietnam."""
    return moment.astimezone(LOCAL_ZONE).replace(tzinfo=None)


def ratio(value: float | None) -> float | None:
    return None if value is None else float(value)


def target_value(share: Share) -> float | None:
    return None if share.target is None else float(share.target.value)


def target_year(share: Share) -> int | None:
    return None if share.target is None else share.target.year


def gap(share: Share) -> float | None:
    # Without a target there is nothing to fall behind; 0% would read as "met".
    return None if share.target is None else float(share.gap)


def _sheet(workbook: Workbook, title: str) -> WriteOnlyWorksheet:
    safe = title.translate(SHEET_TITLE_FORBIDDEN).strip()[:MAX_SHEET_TITLE]
    sheet: WriteOnlyWorksheet = workbook.create_sheet(safe)
    return sheet


# Chart


def draw_chart(digest: Digest, path: Path, t: Translator) -> Path:
    figure = Figure(figsize=CHART_SIZE, dpi=CHART_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    title = t("Progress of {name}, {year}", name=digest.org_name, year=digest.year)
    axes.set_title(title, fontfamily=CHART_FONT, fontsize=14)
    if digest.rows:
        draw_bars(axes, digest, t)
    else:
        axes.set_axis_off()
        axes.text(
            0.5,
            0.5,
            t("No villages or units yet."),
            ha="center",
            va="center",
            fontfamily=CHART_FONT,
            fontsize=14,
            transform=axes.transAxes,
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", dpi=CHART_DPI)
    return path


def draw_bars(axes: Axes, digest: Digest, t: Translator) -> None:
    rows = digest.rows[:CHART_MAX_ROWS]
    positions = list(range(len(rows)))
    percents = [100 * (row.share.value or 0.0) for row in rows]
    bars = axes.barh(positions, percents, color=BAR_COLOUR)
    labels = [t.percent(row.share.value) if row.share.value is not None else "-" for row in rows]
    axes.bar_label(bars, labels=labels, padding=3, fontfamily=CHART_FONT, fontsize=9)
    axes.set_yticks(positions, [shorten(row.name) for row in rows], fontfamily=CHART_FONT)
    axes.invert_yaxis()  # the first row (furthest behind) on top
    axes.set_xlim(0, max([100.0, *percents]) * 1.08)
    axes.set_xlabel(t("Share holding the title (%)"), fontfamily=CHART_FONT)
    draw_targets(axes, rows, digest.adults, t("Target"))
    if len(digest.rows) > CHART_MAX_ROWS:
        note = t("… and {n} more in the Excel report.", n=len(digest.rows) - CHART_MAX_ROWS)
        axes.figure.supxlabel(note, x=0.98, ha="right", fontfamily=CHART_FONT, fontsize=10)


def draw_targets(axes: Axes, rows: Sequence[PlaceRow], adults: Share, label: str) -> None:
    own = [(i, row.share.target.value) for i, row in enumerate(rows) if row.share.target]
    if own:
        for number, (position, value) in enumerate(own):
            axes.vlines(
                100 * value,
                position - 0.4,
                position + 0.4,
                colors=TARGET_COLOUR,
                linestyles="--",
                label=label if number == 0 else "_nolegend_",
            )
    elif adults.target is not None:
        axes.axvline(100 * adults.target.value, color=TARGET_COLOUR, linestyle="--", label=label)
    else:
        return
    axes.legend(loc="lower right", prop={"family": CHART_FONT})


def shorten(name: str) -> str:
    if len(name) <= CHART_LABEL_LENGTH:
        return name
    return name[: CHART_LABEL_LENGTH - 1].rstrip() + "…"


# QR code


def qr_png(link: str, path: Path, caption: str | None = None) -> Path:
    """A printable QR code of the link.

    segno draws only the symbol, so the caption is not drawn: send it beside the image.
    """
    # micro=False: phone cameras do not read Micro QR, which segno picks for short links.
    code = segno.make(link, micro=False, error="m")
    path.parent.mkdir(parents=True, exist_ok=True)
    code.save(str(path), kind="png", scale=10, border=4)
    return path
