"""Text helpers shared by search and input matching: accent-insensitive keys."""

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")
# Letters that look like Đ/đ but are other code points (Icelandic eth, African D with hook):
# some keyboards and copy-pasted texts produce them, and a reader cannot see the difference.
_LOOK_ALIKES = str.maketrans({"\u00d0": "Đ", "\u0189": "Đ", "\u00f0": "đ", "\u0256": "đ"})


def clean_typed(text: str) -> str:
    """What a person typed, without what they cannot see: NFC, no format characters
    (zero-width spaces and joiners, BOM, soft hyphen, direction marks), look-alike Đ
    letters made Đ, and any kind of space made a plain space."""
    text = unicodedata.normalize("NFC", text.translate(_LOOK_ALIKES))
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


def has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
