"""Checks on what people type. Each raises InputError with a short, translated reason."""

import re
from dataclasses import dataclass

from conversations.context import InputError
from conversations.i18n import Translator
from conversations.text import fold, has_letter, loose, whole_number

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


# Numbers people write as words when asked for points (vi folded, and en).
NUMBER_WORDS = {
    "khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6,
    "bay": 7, "tam": 8, "chin": 9, "muoi": 10,
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
# "8", "8 điểm", "8 diem", "8đ", "8/10", "+8", "-1" (refused by the range, not the form).
_SCORE = re.compile(r"([+-]?\d+)\s*(?:/\s*(\d+))?\s*(?:diem|d|points?|pts?)?\.?")
_SCORE_WORD = re.compile(r"([a-z]+)(?: (?:diem|points?))?\.?")


def parse_score(t: Translator, text: str, high: int) -> int:
    """A score from 0 to `high` as people write it: "8", "8 điểm", "8 diem", "tám", "8/10".
    Raises InputError for anything else, a fraction of another total, or a number out of
    range."""
    cleaned = loose(required(t, text, 20))
    number = _SCORE.fullmatch(cleaned)
    word = _SCORE_WORD.fullmatch(cleaned)
    if number and number.group(2) is not None and int(number.group(2)) != high:
        raise InputError(t("The score must be from 0 to {high}.", high=high))
    value: int | None = None
    if number:
        # A number too long to read is still a number: out of range, not "not a number".
        value = whole_number(number.group(1), 6)
        if value is None:
            raise InputError(t("The score must be from 0 to {high}.", high=high))
    elif word and word.group(1) in NUMBER_WORDS:
        value = NUMBER_WORDS[word.group(1)]
    if value is None:
        raise InputError(t("Please answer with a whole number from 0 to {high}.", high=high))
    if not 0 <= value <= high:
        raise InputError(t("The score must be from 0 to {high}.", high=high))
    return value


# "8, đi họp thôn đều", "8 điểm - học lớp tin học": a score, then what the person did.
_SCORE_AND_NOTE = re.compile(
    r"\s*(\S+(?:\s*(?:điểm|diem|đ|d))?)\s*[,;:.\-\u2013\u2014]\s*(.*\S.*)", re.S
)


def parse_score_and_note(t: Translator, text: str, high: int) -> tuple[int, str | None]:
    """A score alone, or a score followed by a short evidence note after a comma, colon or
    dash. Raises InputError as parse_score does, or for a note that is too long."""
    try:
        return parse_score(t, text, high), None
    except InputError:
        split = _SCORE_AND_NOTE.fullmatch(text)
        if split is None or not has_letter(split.group(2)):
            raise
        score = parse_score(t, split.group(1), high)
        return score, clean_free_text(t, split.group(2), NOTE_LIMIT)


# Words around a year of birth that say nothing more: "sinh năm 1965", "năm 65", "born in".
_YEAR_FILLERS = frozenset({"toi", "em", "minh", "chau", "con", "sinh", "nam", "vao", "la",
                           "sn", "ns", "i", "was", "born", "in", "year"})  # fmt: skip


@dataclass(frozen=True)
class BirthYear:
    year: int
    guessed: bool  # written with 2 digits: the century was guessed, so ask back


def birth_year_range(this_year: int) -> tuple[int, int]:
    """Oldest and youngest allowed year of birth: 100 to 10 years before this season."""
    return this_year - 100, this_year - 10


def parse_birth_year(t: Translator, text: str, this_year: int) -> BirthYear:
    """A year of birth: "1965", "sinh năm 1965", or "65" (then `guessed`, the century that
    fits the allowed range). Errors name the real problem: not a year, or outside the range."""
    words = fold(required(t, text, 30)).split()
    numbers = [word for word in words if word.isdigit()]
    others = [word for word in words if not word.isdigit()]
    oldest, youngest = birth_year_range(this_year)
    if len(numbers) != 1 or len(numbers[0]) not in (2, 4) or set(others) - _YEAR_FILLERS:
        raise InputError(
            t(
                "Please write your year of birth with 4 digits, for example {example}.",
                example=this_year - 45,
            )
        )
    digits = numbers[0]
    if len(digits) == 2:
        fitting = [c + int(digits) for c in (1900, 2000) if oldest <= c + int(digits) <= youngest]
        if fitting:
            return BirthYear(fitting[0], guessed=True)
    elif oldest <= int(digits) <= youngest:
        return BirthYear(int(digits), guessed=False)
    raise InputError(
        t(
            "The year of birth must be from {oldest} to {youngest}.",
            oldest=oldest,
            youngest=youngest,
        )
    )


def clean_name(t: Translator, text: str) -> str:
    cleaned = required(t, text, NAME_LIMIT)
    if not _NAME_CHARS.match(cleaned) or len(cleaned) < 2:
        raise InputError(t("Please write your full name in letters, for example: Nguyễn Văn An."))
    return cleaned


# "Nguyễn Văn An, 1968", "Nguyễn Văn An sinh năm 1968", "Lê Thị Hoa 65": a name, then a year.
_NAME_THEN_YEAR = re.compile(r"(.*?[^\W\d_].*?)[\s,;:.-]*(\d{2,4})\s*\.?", re.S)
# Words between the name and the year. Plain "nam" is not among them: it is also a name.
_YEAR_WORDS = re.compile(r"[\s,;:.-]+(?:sinh năm|sinh nam|năm sinh|năm|sinh|sn|ns)$", re.I)


def split_name_and_year(text: str) -> tuple[str, str | None]:
    """The name and, when the person wrote it too, the year of birth as typed."""
    found = _NAME_THEN_YEAR.fullmatch(text.strip())
    if found is None:
        return text, None
    name = _YEAR_WORDS.sub("", " " + found.group(1).strip()).strip(" ,;:.-")
    return name, found.group(2)


NOTHING = frozenset({"khong", "ko", "k", "khong co", "chua", "chua co", "no", "none"})
# Yes and no as people type them to a yes/no question (folded: "vâng" -> "vang").
YES_WORDS = frozenset({"vang", "co", "u", "uh", "um", "ok", "oke", "okay", "dung", "dung roi",
                       "da", "duoc", "phai", "dong y", "yes", "y", "yeah", "right"})  # fmt: skip
NO_WORDS = frozenset({"khong", "ko", "k", "kg", "no", "n", "sai", "chua", "khong dung",
                      "khong phai", "khong dong y"})  # fmt: skip


# Greetings, folded: said to the bot, never an answer to store.
GREETINGS = frozenset({"chao", "chao ban", "xin chao", "chao em", "chao anh", "chao chi",
                       "chao bac", "chao co", "chao chau", "chao bot", "alo", "a lo", "hello",
                       "hi", "hey", "good morning"})  # fmt: skip


def is_greeting(text: str) -> bool:
    """ "Chào bạn!", "xin chào", "alo": a greeting, whatever the accents and punctuation."""
    return fold(text) in GREETINGS


def yes_or_no(text: str) -> bool | None:
    """True for "vâng", "có", "ừ", "ok", "đúng"…, False for "không", "ko"…, else None."""
    key = fold(text)
    if key in YES_WORDS:
        return True
    if key in NO_WORDS:
        return False
    return None


def means_none(text: str) -> bool:
    """ "không", "ko", "-": the person has nothing to add, as if they tapped Skip."""
    return fold(text) in NOTHING or text.strip() == "-"


def clean_free_text(t: Translator, text: str, limit: int) -> str:
    cleaned = required(t, text, limit)
    if not has_letter(cleaned):
        raise InputError(t("Please write it in words."))
    return cleaned
