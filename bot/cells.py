"""Spreadsheet cells made from what people typed: shown as text, never run as a formula.

Excel and LibreOffice read a cell starting with = + - @ (or a tab or carriage return before
one) as a formula (OWASP "CSV injection"); a name like =HYPERLINK(...) would run on the
leader's computer. CSV has no types, so such text gets a leading apostrophe; XLSX cells carry
their type, so they are stored as strings, unchanged."""

from openpyxl.cell.cell import Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: object) -> bool:
    """True for text a spreadsheet program would evaluate."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_value(value: object) -> object:
    """The value for a CSV cell: formula-like text gets a leading apostrophe."""
    return "'" + str(value) if formula_like(value) else value


def keep_as_text(cell: Cell) -> None:
    """An XLSX cell whose text looks like a formula stays text (openpyxl would store '=...'
    as a formula)."""
    if formula_like(cell.value):
        cell.data_type = "s"
