"""CSV as people make it: Excel on Windows saves UTF-8 with a BOM and, with a Vietnamese
locale, `;` between columns; Google Sheets and LibreOffice use `,`."""

import csv
import io

from conversations.text import clean_text, fold


def read_csv(text: str) -> "csv.DictReader[str]":
    """Rows as dicts; the BOM dropped, the delimiter (`;`, `,` or tab) taken from line 1.
    NUL and other control characters are dropped: they cannot be stored (PostgreSQL refuses
    NUL) and no cell means them."""
    body = clean_text(text).lstrip("\ufeff")
    first = body.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    return csv.DictReader(io.StringIO(body), delimiter=delimiter)


def find_columns(
    header: list[str], columns: dict[str, tuple[str, ...]], optional: tuple[str, ...] = ()
) -> dict[str, str] | str:
    """field -> the header as written (matched accent-insensitively), or the first problem."""
    found = {}
    for field, names in columns.items():
        match = next((h for h in header if fold(h) in names), None)
        if match is None and field not in optional:
            return f"line 1: missing column '{field}' (or its Vietnamese name)"
        if match is not None:
            found[field] = match
    return found
