import io
import logging
from collections.abc import Iterator

import pytest

from bot.app import App
from bot.logs import AT_MOST_WARNINGS, Redact, configure
from tests.bot.flows import answer_digital, group_label, score_all
from tests.support import Chat


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


NAME, BIRTH_YEAR, NOTE = "Trần Thị Mơ", "1971", "Tối nào tôi cũng đọc sách ở thư viện xã"


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """The program's own logging set-up at DEBUG, written to a buffer; restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in AT_MOST_WARNINGS}
    buffer = io.StringIO()
    configure("DEBUG", ["123456:SECRET"], stream=buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)


async def test_a_whole_assessment_at_debug_logs_no_personal_data(
    app: App, debug_log: io.StringIO
) -> None:
    await app.prepare_database()
    chat = Chat(app, locale_hint="en")
    await chat.send("/batdau")
    await chat.click("I agree")
    await chat.send(NAME)
    await chat.send(BIRTH_YEAR)
    await chat.send("hai hau")  # one commune by that name: chosen without a list
    await chat.send("Xóm Bí Mật")
    await chat.click(group_label("a"))
    await score_all(chat, [9] * 10, note=NOTE)
    await answer_digital(chat)
    await chat.click("Send for confirmation")
    assert "Sent." in chat.text
    logging.getLogger("tests.logs").debug("debug lines are kept")
    logged = debug_log.getvalue()
    assert "debug lines are kept" in logged
    for private in (NAME, BIRTH_YEAR, NOTE, "Bí Mật", "thư viện"):
        assert private not in logged
    assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.INFO)


def test_a_server_traceback_keeps_the_error_type_not_the_payload(debug_log: io.StringIO) -> None:
    try:
        raise KeyError({"message": {"text": NOTE, "from": {"first_name": NAME}}})
    except KeyError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    logged = debug_log.getvalue()
    assert "Exception in ASGI application [KeyError at " in logged
    assert NAME not in logged
    assert NOTE not in logged
    assert "Traceback" not in logged
