"""Text helpers shared by search and input matching: accent-insensitive keys."""

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

from natsort import natsort_keygen

T = TypeVar("T")

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")
# Letters that look like Đ/đ but are other code points (Icelandic eth, African D with hook):
# some keyboards and copy-pasted texts produce them, and a reader cannot see the difference.
_LOOK_ALIKES = str.maketrans({"\u00d0": "Đ", "\u0189": "Đ", "\u00f0": "đ", "\u0256": "đ"})


def clean_typed(text: str) -> str:
    """What a person typed, without what they cannot see: NFC, no format characters
    (zero-width spaces and joiners, BOM, soft hyphen, direction marks), look-alike Đ
    letters made Đ, and any kind of space made a plain space; and none of what clean_text
    removes (control characters, lone surrogates)."""
    text = unicodedata.normalize("NFC", clean_text(text).translate(_LOOK_ALIKES))
    # Digits of other scripts (Arabic-Indic, fullwidth) are the digits 0-9; "²" is none.
    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        kept.append(" " if category == "Zs" else ch)
    return "".join(kept)


def fold(text: str) -> str:
    """Lower-case ASCII key of a Vietnamese text: "Xã Hải Hậu" -> "xa hai hau"."""
    return _NON_ALNUM.sub(" ", loose(text)).strip()


def loose(text: str) -> str:
    """Lower-case, accent-free text that keeps punctuation: "8 Điểm/10" -> "8 diem/10"."""
    cleaned = clean_typed(text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", cleaned)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", ascii_only.lower()).strip()


_DIGITS = re.compile(r"(\d+)")
# "số" before a number says nothing more: "Tổ dân phố số 2" is "Tổ dân phố 2".
_NUMBER_WORD = re.compile(r"\bso (?=\d)")


def place_key(name: str) -> str:
    """Key under which two spellings name the same village or unit: accents, case,
    punctuation, leading zeros and "số" before a number do not count, and a number may
    touch its word. "xom 5" = "Xóm 5" = "xóm 05" = "Xom5"; "to dan pho so 2" =
    "Tổ dân phố 2"."""
    spaced = _DIGITS.sub(lambda found: f" {int(found.group(1))} ", fold(name))
    return _NUMBER_WORD.sub("", " ".join(spaced.split()))


_NATURAL = natsort_keygen(key=fold)


def natural_sorted(items: Iterable[T], name: Callable[[T], str]) -> list[T]:
    """Items in the order people count: "Xóm 2" before "Xóm 10", accents aside."""
    return sorted(items, key=lambda item: _NATURAL(name(item)))


def has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Characters no stored text may hold: control characters (NUL is refused by PostgreSQL
# outright, the others garble exports and logs) and lone surrogates (not encodable as UTF-8).
# Line breaks and tabs are kept: notes may have several lines.
_KEPT_CONTROLS = "\n\t"


def clean_text(text: str) -> str:
    """One stored form of what a person typed: NFC ("Nguyễn" typed with decomposed accents
    is the same name), without control characters (except line breaks and tabs) or lone
    surrogates; a carriage return becomes a line break."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        ch for ch in text if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    return unicodedata.normalize("NFC", kept)


def whole_number(text: str, max_digits: int) -> int | None:
    """The integer written in `text` (an optional sign and at most `max_digits` decimal
    digits of any script: ASCII, Arabic-Indic, fullwidth...), or None. Superscripts and
    fractions ("1²", "½") are not decimal digits, so "1²" is no number rather than 12."""
    body = text.strip()
    sign = -1 if body[:1] == "-" else 1
    if body[:1] in "+-":
        body = body[1:]
    if not body or len(body) > max_digits or not body.isdecimal():
        return None
    return sign * int("".join(str(unicodedata.decimal(ch)) for ch in body))
