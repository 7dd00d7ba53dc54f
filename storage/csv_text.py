"""CSV as people make it: Excel on a Vietnamese Windows saves "CSV UTF-8" with a BOM and
`;` between columns, plain "CSV" in Windows-1258 and "Unicode text" in UTF-16 with tabs,
all with CRLF line ends; Google Sheets and LibreOffice save UTF-8 with `,`. Every line is
checked before anything is stored, and each bad one is reported by its line number."""

import codecs
import csv
import io
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import TypeVar

from conversations.i18n import N_, ExplainedError
from conversations.text import clean_text, fold

Planned = TypeVar("Planned")
_XLSX = b"PK\x03\x04"  # a zip archive: an Excel workbook saved as .xlsx, not CSV


def decode_csv(data: bytes) -> str:
    """The text of a CSV file's bytes: by its BOM (UTF-8, UTF-16), else UTF-8 if it is valid
    UTF-8, else Windows-1258 (cp1258: Vietnamese ANSI, with accents as combining marks,
    which read_csv joins). ExplainedError for a workbook or other non-text."""
    if data.startswith(_XLSX):
        raise ExplainedError(
            N_("This is an Excel workbook, not CSV: save it as “CSV UTF-8” first.")
        )
    encodings: tuple[str, ...] = ("utf-8", "cp1258")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    elif data.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ExplainedError(
        N_("The file is not readable text: save it as “CSV UTF-8” and try again.")
    )


def read_csv(text: str) -> "csv.DictReader[str]":
    """Rows as dicts; the BOM dropped, the delimiter (`;`, `,` or tab) the one the header
    line uses most. NUL and other control characters are dropped: they cannot be stored
    (PostgreSQL refuses NUL) and no cell means them; text is NFC (cp1258 decomposes)."""
    body = clean_text(text).lstrip("\ufeff")
    first = body.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    return csv.DictReader(io.StringIO(body), delimiter=delimiter)


def find_columns(
    header: list[str], columns: dict[str, tuple[str, ...]], optional: tuple[str, ...] = ()
) -> dict[str, str] | ExplainedError:
    """field -> the header as written (matched accent-insensitively), or the first problem."""
    found = {}
    for field, names in columns.items():
        match = next((h for h in header if fold(h) in names), None)
        if match is None and field not in optional:
            return ExplainedError(
                N_("Line 1 has no column “{column}” (or {names})."),
                column=field,
                names=", ".join(names[1:]),
            )
        if match is not None:
            found[field] = match
    return found


async def parse_lines(
    text: str,
    columns: dict[str, tuple[str, ...]],
    optional: tuple[str, ...],
    parse: Callable[[Mapping[str, str]], Awaitable[Planned]],
) -> tuple[list[Planned], list[ExplainedError]]:
    """Every data line parsed by `parse` (given field -> stripped cell), and every problem as
    "line N: …"; blank lines (Excel writes ";;;;" for them) are skipped."""
    reader = read_csv(text)
    found = find_columns(list(reader.fieldnames or []), columns, optional)
    if isinstance(found, ExplainedError):
        return [], [found]
    planned: list[Planned] = []
    problems: list[ExplainedError] = []
    try:
        for number, cells in _lines(reader, found):
            try:
                if isinstance(cells, ExplainedError):
                    raise cells
                planned.append(await parse(cells))
            except ExplainedError as problem:
                problems.append(
                    ExplainedError(N_("line {n}: {problem}"), n=number, problem=problem)
                )
    except ExplainedError as broken:  # the rest of the file cannot be read as lines
        problems.append(broken)
    return planned, problems


def _lines(
    reader: "csv.DictReader[str]", columns: Mapping[str, str]
) -> Iterator[tuple[int, Mapping[str, str] | ExplainedError]]:
    """(line number, field -> cell) of each non-blank line, or the ExplainedError of a line with
    more cells than the header (the wrong separator); raises ExplainedError where the text stops
    being CSV."""
    width = len(reader.fieldnames or [])
    try:
        for row in reader:
            extra = list(row.get(None) or [])
            if any(cell.strip() for cell in extra):
                yield (
                    reader.line_num,
                    ExplainedError(
                        N_(
                            "It has {count} cells but the header has {width}: check the separator."
                        ),
                        count=width + len(extra),
                        width=width,
                    ),
                )
                continue
            cells = {field: (row.get(name) or "").strip() for field, name in columns.items()}
            if any(cells.values()):
                yield reader.line_num, cells
    except csv.Error as error:
        raise ExplainedError(N_("line {n} is not valid CSV."), n=reader.line_num) from error
