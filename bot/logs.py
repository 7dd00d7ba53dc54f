"""Logging set-up: quiet chatty libraries, and never let a secret or personal data reach a
log line, at any level."""

import logging
import sys
import traceback
from collections.abc import Iterable
from typing import TextIO

# Loggers that print people's data when they are verbose: the database drivers log SQL
# parameters (names, answers) from INFO or DEBUG, httpx every request URL (Telegram's carry
# the bot token), python-telegram-bot and uvicorn every call or request with its body.
# They stay at WARNING whatever CDHT_LOG_LEVEL says.
AT_MOST_WARNINGS = (
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "httpx",
    "httpcore",
    "uvicorn",
    "starlette",
    "alembic",
    "apscheduler",
    "telegram",
)


class Redact(logging.Filter):
    """Replaces each secret (bot token, webhook secret) in the final message by [redacted]."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "[redacted]")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class NoTracebacks(logging.Filter):
    """Replaces a record's traceback by the error's type and where it was raised: an
    exception's text and a server's traceback may quote SQL parameters or a request body."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            record.msg, record.args = f"{record.getMessage()} [{error_summary(error)}]", None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def error_summary(error: BaseException) -> str:
    """ "KeyError at bot/app.py:42": the type and the innermost frame, never the message."""
    frames = traceback.extract_tb(error.__traceback__) if error.__traceback__ else []
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
    return f"{type(error).__name__} at {where}"


def configure(level: str, secrets: Iterable[str], stream: TextIO | None = None) -> None:
    """Log to stderr (or `stream`) at `level`; see AT_MOST_WARNINGS for the exceptions."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(Redact(secrets))
    handler.addFilter(NoTracebacks())
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    quiet_libraries()


def quiet_libraries() -> None:
    """Libraries that would log secrets or personal data when verbose stay at WARNING or
    above, whatever the level (see AT_MOST_WARNINGS)."""
    for name in AT_MOST_WARNINGS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
