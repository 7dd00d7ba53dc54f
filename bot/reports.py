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
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.cells import keep_as_text
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

Value = str | int | float | datetime | None


# Workbook


def write_summary(sheet: Worksheet, digest: Digest, t: Translator, title: str) -> None:
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    title_cell = sheet["A1"]
    if isinstance(title_cell, Cell):
        keep_as_text(title_cell)  # the title carries the place's name
    sheet.append([t("As of"), local_time(digest.as_of)])
    sheet["B2"].number_format = DATE_FORMAT
    sheet.append([])
    header = [
        t("Indicator"),
        t("Value"),
        t("Target"),
        t("Target year"),
        t("Gap"),
        t("Change this week"),
    ]
    write_table(sheet, header, [*count_rows(digest, t), *share_rows(digest, t)])


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


def write_places(sheet: Worksheet, digest: Digest, t: Translator) -> None:
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
    sheet: Worksheet, people: Sequence[PersonRow], t: Translator, with_status: bool = False
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
    sheet: Worksheet,
    header: Sequence[str],
    rows: Iterable[Sequence[Value]],
    totals: Sequence[Value] | None = None,
) -> None:
    """Append a bold, frozen header, the rows and an optional bold totals row."""
    sheet.append(list(header))
    header_row = sheet.max_row
    _style_row(sheet, header_row, bold=True)
    sheet.freeze_panes = f"A{header_row + 1}"
    for values in rows:
        sheet.append(list(values))
        _style_row(sheet, sheet.max_row)
    if totals is not None:
        sheet.append(list(totals))
        _style_row(sheet, sheet.max_row, bold=True)
    fit_columns(sheet, header_row)


def _style_row(sheet: Worksheet, row: int, bold: bool = False) -> None:
    # Every float in these reports is a share, so it is shown as a percentage.
    for cell in sheet[row]:
        if isinstance(cell, Cell):
            keep_as_text(cell)
        if bold:
            cell.font = BOLD
        if isinstance(cell.value, datetime):
            cell.number_format = DATE_FORMAT
        elif isinstance(cell.value, float):
            cell.number_format = PERCENT_FORMAT


def fit_columns(sheet: Worksheet, first_row: int) -> None:
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=first_row):
        for column, cell in enumerate(row, start=1):
            widths[column] = max(widths.get(column, 0), display_width(cell.value))
    for column, width in widths.items():
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = min(MAX_COLUMN_WIDTH, width + 2)


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


def _sheet(workbook: Workbook, title: str) -> Worksheet:
    safe = title.translate(SHEET_TITLE_FORBIDDEN).strip()[:MAX_SHEET_TITLE]
    sheet: Worksheet = workbook.create_sheet(safe)
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
