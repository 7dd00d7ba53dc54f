"""The language `cdht` speaks in a terminal: --lang, else CDHT_LOCALE, else Vietnamese. It
covers our own lines and errors and argparse's messages ("usage:", "invalid choice"),
which argparse takes from gettext: their texts are in our catalogs (ARGPARSE_TEXTS)."""

import argparse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from pydantic import ValidationError

from bot.settings import Settings
from conversations.i18n import DEFAULT_LOCALE, N_, SUPPORTED, Translator, translations

# argparse's own messages an operator can see (Python 3.11 Lib/argparse.py), so the
# catalogs keep them; their %-placeholders are argparse's.
ARGPARSE_TEXTS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("unexpected option string: %s"),
    N_("can't open '%(filename)s': %(error)s"),
)
_SPEAKING: ContextVar[Translator | None] = ContextVar("terminal", default=None)


def terminal() -> Translator:
    """The translator of the command being run (Vietnamese outside one)."""
    return _SPEAKING.get() or Translator(DEFAULT_LOCALE)


def terminal_locale(argv: Sequence[str] | None) -> str:
    """--lang vi|en if given, else the CDHT_LOCALE setting, else Vietnamese; read before
    the arguments are parsed, so argparse's own errors are in that language too."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang", nargs="?")
    known, _rest = early.parse_known_args(argv)
    if known.lang in SUPPORTED:
        return str(known.lang)
    try:
        return Settings().locale
    except ValidationError:
        return DEFAULT_LOCALE


@contextmanager
def speaking(locale: str) -> Iterator[Translator]:
    """Within the block, terminal() and argparse speak `locale`; restored afterwards."""
    t = Translator(locale)
    token = _SPEAKING.set(t)
    catalog = translations(locale)
    # argparse looks its module-level gettext functions up at each message.
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = catalog.gettext, catalog.ngettext  # type: ignore[attr-defined]
    try:
        yield t
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
        _SPEAKING.reset(token)
