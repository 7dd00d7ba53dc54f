"""Logging set-up: quiet chatty libraries, and never let a secret reach a log line."""

import logging
import sys
from collections.abc import Iterable


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


def configure(level: str, secrets: Iterable[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(Redact(secrets))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    quiet_libraries()


def quiet_libraries() -> None:
    """Libraries that would log secrets or personal data at DEBUG are held above it."""
    # httpx logs every request URL, and Telegram's URLs contain the bot token.
    # aiosqlite logs every statement with its parameters: names, answers, evidence notes.
    for noisy in ("httpx", "httpcore", "alembic", "apscheduler", "aiosqlite", "asyncpg"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # At DEBUG, python-telegram-bot logs every call with its parameters: people's messages.
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLogger().level))
