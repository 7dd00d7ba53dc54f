import logging

import pytest

from bot.logs import Redact


def test_secrets_are_redacted_from_the_final_message(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redact")
    redact = Redact(["123456:SECRET", ""])
    caplog.handler.addFilter(redact)
    try:
        with caplog.at_level(logging.INFO, logger="test.redact"):
            logger.info("POST https://api.telegram.org/bot%s/getMe", "123456:SECRET")
    finally:
        caplog.handler.removeFilter(redact)
    assert "123456:SECRET" not in caplog.text
    assert "bot[redacted]/getMe" in caplog.text
