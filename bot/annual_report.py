"""The annual report a commune (or province) sends upward before the report date: a cover
with the header and the signature block, one sheet per programme with every column of the
plan (target, count, share, gap in people or units, last year), the places, the people, and
the chart. Every row goes through reports.SheetRows, so text typed by people is written as
text; the workbook is write-only, so writing it is linear in its rows."""

from collections.abc import Sequence
from pathlib import Path
from tempfile import TemporaryDirectory

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.reports import (
    TITLE_FONT,
    SheetRows,
    Value,
    _sheet,
    draw_chart,
    local_time,
    ratio,
    write_people,
    write_places,
    write_summary,
    write_table,
)
from conversations.digest import (
    UNIT_TITLE_SHARE,
    Digest,
    PersonRow,
    PlaceRow,
    Share,
    members_short,
    plan_shares,
)
from conversations.i18n import N_, Translator
from conversations.plan import BY_ID, QD387, QD677, Metric, programme_metrics

COUNTED_AS = {  # what a plan column counts, for the "gap" column
    "households": N_("households"),
    "clans": N_("clans"),
    "communities": N_("villages"),
    "units": N_("units"),
    "people": N_("people"),
}


def write_workbook(digest: Digest, path: Path, t: Translator) -> Path:
    """The whole report as one .xlsx file at `path` (its folder is made)."""
    workbook = Workbook(write_only=True)
    title = t("Learning citizens: {name}, {year}", name=digest.org_name, year=digest.year)
    workbook.properties.title = title
    workbook.properties.creator = "cdht"
    write_cover(_sheet(workbook, t("Report")), digest, t)
    write_summary(_sheet(workbook, t("Summary")), digest, t, title)
    for programme, name in ((QD387, t("QĐ 387 titles")), (QD677, t("QĐ 677 citizens"))):
        write_programme(_sheet(workbook, name), digest, t, programme)
    write_places(_sheet(workbook, t("By village and unit")), digest, t)
    write_titles_by_place(_sheet(workbook, t("Titles by village and unit")), digest, t)
    write_people(_sheet(workbook, t("Recognised citizens")), digest.recognised_people, t)
    write_titled_names(_sheet(workbook, t("Recognised households, clans")), digest, t)
    write_started(_sheet(workbook, t("Started, not sent")), digest.started_people, t)
    write_people(_sheet(workbook, t("Pending")), digest.pending_people, t, with_status=True)
    with TemporaryDirectory() as folder:
        chart = draw_chart(digest, Path(folder) / "chart.png", t)
        # types-openpyxl types add_image for ordinary sheets only; write-only ones have it.
        _sheet(workbook, t("Chart")).add_image(Image(str(chart)), "A1")  # type: ignore[misc]
        path.parent.mkdir(parents=True, exist_ok=True)
        workbook.save(path)  # the image is read while saving, before the folder goes
    return path


def header_rows(digest: Digest, t: Translator) -> list[list[Value]]:
    """Who reports, for which year, on which day: association, commune, province."""
    province = digest.org_name if digest.level == "province" else digest.parent_name
    commune = digest.org_name if digest.level != "province" else None
    association = t("Association for Promoting Learning of {name}", name=digest.org_name)
    rows: list[list[Value]] = [
        [t("Association"), association],
        [t("Commune"), commune],
        [t("Province"), province],
        [t("Year"), digest.year],
        [t("Date"), local_time(digest.as_of)],
    ]
    if digest.report_date is not None:
        rows.append([t("Report date"), digest.report_date.strftime("%d/%m/%Y")])
    return rows


def write_cover(sheet: WriteOnlyWorksheet, digest: Digest, t: Translator) -> None:
    rows = SheetRows(sheet)
    rows.add(
        [t("Annual report on the learning models, {year}", year=digest.year)], font=TITLE_FONT
    )
    rows.add([t("QĐ 387/QĐ-TTg and QĐ 677/QĐ-TTg, the plan's targets")])
    rows.add([])
    rows.fit_from = len(rows.rows)
    for row in header_rows(digest, t):
        rows.add(row)
    rows.add([])
    for row in signature_rows(digest, t):
        rows.add(row, bold=bool(row and row[0]))
    rows.write()


def signature_rows(digest: Digest, t: Translator) -> list[list[Value]]:
    place = digest.org_name
    return [
        [
            None,
            None,
            t("{place}, date ..... month ..... year {year}", place=place, year=digest.year),
        ],
        [t("Prepared by"), None, t("On behalf of the association: Chair")],
        [t("(signature and full name)"), None, t("(signature, full name and seal)")],
        [],
        [],
        [],
    ]


def write_programme(
    sheet: WriteOnlyWorksheet, digest: Digest, t: Translator, programme: str
) -> None:
    """One row per plan column: target, count of done / of all, share, the gap in people or
    units to this year's target, last year's count and share."""
    shares, before = plan_shares(digest), dict(digest.previous)
    table = SheetRows(sheet)
    # The place's name, as typed by a leader: kept as text.
    table.add([t("{name}, {year}", name=digest.org_name, year=digest.year)], font=TITLE_FONT)
    header = [
        t("Plan column"),
        t("Target"),
        t("Target year"),
        t("Target from"),
        t("Count"),
        t("Out of"),
        t("Share"),
        t("Gap to the target"),
        t("Counted in"),
        t("Last year: count"),
        t("Last year: share"),
    ]
    rows = [
        programme_row(metric, shares.get(metric.id), before.get(metric.id), t)
        for metric in programme_metrics(programme)
    ]
    table.table(header, rows)
    table.write()


def programme_row(
    metric: Metric, share: Share | None, last: Share | None, t: Translator
) -> list[Value]:
    counted = t(COUNTED_AS[metric.counts])
    target = share.target if share is not None else None
    row: list[Value] = [
        metric.heading(t),
        float(target.value) if target else None,
        target.year if target else None,
        target.source or target.set_by if target else None,
    ]
    if share is None or not share.whole:
        return [*row, None, None, None, None, counted, *_last(last)]
    gap = members_short(share.part, share.whole, target.value) if target else None
    return [*row, share.part, share.whole, ratio(share.value), gap, counted, *_last(last)]


def _last(share: Share | None) -> list[Value]:
    if share is None or not share.whole:
        return [None, None]
    return [share.part, ratio(share.value)]


def write_titles_by_place(sheet: WriteOnlyWorksheet, digest: Digest, t: Translator) -> None:
    """QĐ 387 per village and unit (per commune in a province report): households and clans
    holding their title, the place's own title, and a unit's way to the 90% of members."""
    header = [
        t("Commune") if digest.level == "province" else t("Village or unit"),
        t("Learning families"),
        t("Out of"),
        t("Learning clans"),
        t("Out of"),
        t("Learning communities"),
        t("Learning units"),
        t("Members recognised"),
        t("People short of {share}", share=t.percent(UNIT_TITLE_SHARE)),
    ]
    write_table(sheet, header, [titles_row(row) for row in digest.rows if row.place_id])


def titles_row(row: PlaceRow) -> list[Value]:
    facts = {metric: (done, total) for metric, done, total in row.facts}

    def pair(metric: str) -> list[Value]:
        done, total = facts.get(metric, (None, None))
        return [done, total]

    def titled(metric: str) -> Value:
        done, total = facts.get(metric, (None, None))
        return None if total is None else f"{done}/{total}"

    share, unit = row.share, row.kind == "unit"
    short = members_short(share.part, share.whole) if unit and share.whole else None
    return [
        row.name,
        *pair("households"),
        *pair("clans"),
        titled("communities"),
        titled("units"),
        ratio(share.value) if unit else None,
        short,
    ]


def write_titled_names(sheet: WriteOnlyWorksheet, digest: Digest, t: Translator) -> None:
    """The households and clans kept by name and recognised this year, by village: the
    list a commune sends with its report."""
    header = [t("Village"), t("Title"), t("Name")]
    rows = [
        [village, BY_ID[metric].heading(t), name] for village, metric, name in digest.titled_names
    ]
    write_table(sheet, header, rows)


def write_started(sheet: WriteOnlyWorksheet, people: Sequence[PersonRow], t: Translator) -> None:
    """People who began and have not sent: a village leader can visit them with this."""
    header = [t("Name"), t("Birth year"), t("Village or unit"), t("Answered"), t("What is left")]
    write_table(sheet, header, [started_row(person, t) for person in people])


def started_row(person: PersonRow, t: Translator, indicators: int = 10) -> list[Value]:
    """Name, birth year, place, indicators answered, and what is really left: the indicators
    not answered, the digital-skills questions unless all are answered (the stored level is
    set only then), and sending."""
    left = indicators - person.answered
    digital_done = person.digital_level is not None
    if person.status == "returned":
        what = t("returned for changes: fix and send again")
    elif left > 0 and digital_done:
        what = t.ngettext("{n} indicator and sending", "{n} indicators and sending", left)
    elif left > 0:
        what = t.ngettext(
            "{n} indicator, the digital-skills questions and sending",
            "{n} indicators, the digital-skills questions and sending",
            left,
        )
    elif digital_done:
        what = t("only sending")
    else:
        what = t("the digital-skills questions and sending")
    return [person.name, person.birth_year, person.place, person.answered, what]
