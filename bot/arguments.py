"""Argument types for the `cdht` command: numbers refused with one clear line, not a crash.

argparse's `int` accepts 20-digit numbers (an overflow in PostgreSQL or in a date) and
digits of other scripts; these check the range, and argparse prints the message."""

import argparse
from collections.abc import Callable

from bot.terminal import terminal
from conversations.i18n import N_
from conversations.text import whole_number

INT4_MAX = 2**31 - 1  # PostgreSQL's integer column


def bounded(low: int, high: int, what: str) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high` (in any script's digits);
    `what` is a msgid, said in the terminal's language when the number is refused."""

    def parse(text: str) -> int:
        value = whole_number(text, len(str(high)))
        if value is None or not low <= value <= high:
            t = terminal()
            message = t(
                "expected {what}: a whole number from {low} to {high}",
                what=t(what),
                low=low,
                high=high,
            )
            raise argparse.ArgumentTypeError(message)
        return value

    return parse


YEAR = bounded(2000, 2100, N_("a year"))
DAYS = bounded(1, 365, N_("a number of days"))
ROW_ID = bounded(1, INT4_MAX, N_("an id"))
WORKERS = bounded(1, 64, N_("a number of workers"))
