"""Every interface text is translated in vi and en, and the compiled catalogs are used."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from conversations.i18n import LOCALES_DIR, SUPPORTED, Translator

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"{\w+}")


def source_msgids() -> set[str]:
    ids: set[str] = set()
    for package in ("conversations", "storage", "bot"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package,
            keywords={"t": None, "N_": None, "ngettext": (1, 2)},
            comment_tags=(),
        ):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


@pytest.mark.parametrize("locale", SUPPORTED)
def test_every_text_in_the_code_is_translated(locale: str) -> None:
    """Counted texts (t.ngettext) too: every plural form of the locale, English two and
    Vietnamese one, with the placeholders of the msgid."""
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0]): m
        for m in catalog
        if m.id and m.string and all(m.string) and not m.fuzzy
    }
    wanted = source_msgids()
    assert len(wanted) > 100
    missing = sorted(wanted - set(translated))
    assert not missing, f"untranslated in {locale}: {missing}"
    for msgid in wanted:
        message = translated[msgid]
        forms = (message.string,) if isinstance(message.string, str) else message.string
        if not isinstance(message.string, str):
            assert len(forms) == catalog.num_plurals, msgid
        for form in forms:
            assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(form)), msgid


def test_counted_texts_take_the_form_of_their_count() -> None:
    en, vi = Translator("en"), Translator("vi")
    one, many = "Wrote {n} row to {file}.", "Wrote {n} rows to {file}."
    assert en.ngettext(one, many, 1, file="a.csv") == "Wrote 1 row to a.csv."
    assert en.ngettext(one, many, 2, file="a.csv") == "Wrote 2 rows to a.csv."
    assert vi.ngettext(one, many, 1, file="a.csv") == "Đã ghi 1 dòng vào a.csv."
    assert vi.ngettext(one, many, 5, file="a.csv") == "Đã ghi 5 dòng vào a.csv."


def test_the_vietnamese_catalog_really_is_vietnamese() -> None:
    t = Translator("vi")
    assert t("Skip") == "Bỏ qua"
    assert t("Indicator {n}/{total}: {title}", n=3, total=10, title="X") == "Câu 3/10: X"
    assert Translator("en")("Skip") == "Skip"


def test_numbers_and_dates_follow_the_locale() -> None:
    from datetime import date

    assert Translator("vi").number(1234567) == "1.234.567"
    assert Translator("en").number(1234567) == "1,234,567"
    assert Translator("vi").date(date(2026, 12, 10)) == "10 tháng 12 năm 2026"
