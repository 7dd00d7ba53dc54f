"""Per-call translation: each reply is rendered in the person's own locale."""

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, get_day_names
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
SUPPORTED = ("vi", "en")
DEFAULT_LOCALE = "vi"


def N_(message: str) -> str:  # noqa: N802  (the gettext convention for "mark, translate later")
    return message


def negotiate(hint: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Map a platform language tag ("en-US", "vi") onto a supported locale."""
    if not hint:
        return default
    try:
        language = Locale.parse(hint.replace("-", "_")).language
    except (ValueError, UnknownLocaleError):
        return default
    return language if language in SUPPORTED else default


class ExplainedError(ValueError):
    """A mistake to tell a person (a leader in a chat, an operator at a terminal): an English
    msgid, marked with N_ where it is raised, and its values; translated where it is shown,
    in that person's locale. A value that is itself a ExplainedError is translated too, so
    "line {n}: {problem}" reads whole in either language; str() is the English text."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message, self.values = message, values

    def text(self, t: "Translator") -> str:
        return t(self.message, **self._values(t))

    def __str__(self) -> str:
        return self.message.format(**self._values(None)) if self.values else self.message

    def _values(self, t: "Translator | None") -> dict[str, object]:
        return {
            key: (value.text(t) if t else str(value))
            if isinstance(value, ExplainedError)
            else value
            for key, value in self.values.items()
        }


@cache
def translations(locale: str) -> NullTranslations:
    return Translations.load(str(LOCALES_DIR), [locale], domain="messages")


@dataclass(frozen=True)
class Translator:
    locale: str

    def __call__(self, message: str, **values: object) -> str:
        text = translations(self.locale).gettext(message)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        """The form of a counted text that suits n in this locale (English has two, Vietnamese
        one), formatted with n and the other values. Named as gettext's, so extraction finds it."""
        return translations(self.locale).ngettext(singular, plural, n).format(n=n, **values)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.locale)

    def weekday(self, index: int) -> str:
        """0 = Monday, in the locale's words ("Thứ Hai", "Monday")."""
        return str(get_day_names("wide", locale=self.locale)[index])

    def percent(self, value: float) -> str:
        """Whole percent, but never a non-zero share as "0%" nor a partial one as "100%":
        1 in 5,000 is "<1%", 4,999 in 5,000 is ">99%"."""
        if 0 < value < 0.005:
            return "<" + format_percent(0.01, locale=self.locale)
        if 0.995 <= value < 1:
            return ">" + format_percent(0.99, locale=self.locale)
        return format_percent(value, locale=self.locale)

    def date(self, value: date | datetime) -> str:
        # Babel's long Vietnamese date reads "10 tháng 12, 2026"; people write "năm".
        pattern = "d 'tháng' M 'năm' y" if self.locale == "vi" else "long"
        return format_date(value, pattern, locale=self.locale)
