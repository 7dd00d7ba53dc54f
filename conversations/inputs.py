"""Checks on what people type. Each raises InputError with a short, translated reason."""

import re

from conversations.context import InputError
from conversations.i18n import Translator
from conversations.text import fold, has_letter, whole_number

NAME_LIMIT = 80
PLACE_LIMIT = 120
NOTE_LIMIT = 500
SEARCH_LIMIT = 60
_SPACES = re.compile(r"\s+")
_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[ .'-][^\W\d_]+)*\.?$")


def squeeze(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def required(t: Translator, text: str, limit: int) -> str:
    cleaned = squeeze(text)
    if not cleaned:
        raise InputError(t("You have not written anything yet."))
    if len(cleaned) > limit:
        raise InputError(
            t("That is too long. Please keep it under {limit} characters.", limit=limit)
        )
    return cleaned


def parse_score(t: Translator, text: str, high: int) -> int:
    cleaned = required(t, text, 20)
    value = whole_number(cleaned, 20)  # Arabic-Indic and fullwidth digits count too
    if value is None:
        raise InputError(t("Please answer with a whole number from 0 to {high}.", high=high))
    if not 0 <= value <= high:
        raise InputError(t("The score must be from 0 to {high}.", high=high))
    return value


def parse_birth_year(t: Translator, text: str, this_year: int) -> int:
    cleaned = required(t, text, 20)
    oldest, youngest = this_year - 100, this_year - 10
    year = whole_number(cleaned, 4) if cleaned[:1].isdecimal() else None
    if year is None or not oldest <= year <= youngest:
        raise InputError(
            t(
                "Please write your year of birth with 4 digits, for example {example}.",
                example=this_year - 45,
            )
        )
    return year


def clean_name(t: Translator, text: str) -> str:
    cleaned = required(t, text, NAME_LIMIT)
    if not _NAME_CHARS.match(cleaned) or len(cleaned) < 2:
        raise InputError(t("Please write your full name in letters, for example: Nguyễn Văn An."))
    return cleaned


NOTHING = frozenset({"khong", "ko", "k", "khong co", "chua", "chua co", "no", "none"})


def means_none(text: str) -> bool:
    """ "không", "ko", "-": the person has nothing to add, as if they tapped Skip."""
    return fold(text) in NOTHING or text.strip() == "-"


def clean_free_text(t: Translator, text: str, limit: int) -> str:
    cleaned = required(t, text, limit)
    if not has_letter(cleaned):
        raise InputError(t("Please write it in words."))
    return cleaned
