"""The fake Telegram server, driven by a real ``telegram.Bot`` over HTTP on 127.0.0.1."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity, Update
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes
from telegram.warnings import PTBDeprecationWarning

from tests.fakes.telegram_api import (
    BOT_ID,
    TOKEN,
    BotMessage,
    FakeTelegram,
    Upload,
    webhook_headers,
)

ALICE = 1001
BOB = 1002
CAROL = 1003


@asynccontextmanager
async def connected(**options: Any) -> AsyncIterator[tuple[FakeTelegram, Bot]]:
    async with FakeTelegram(**options) as fake, Bot(TOKEN, base_url=f"{fake.root}/bot") as bot:
        yield fake, bot


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB 23's timedelta durations; otherwise building RetryAfter warns."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(poll_timeout_cap=0.2) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=f"{fake.root}/bot") as client:
        yield client


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"pick:{label}") for label in labels]]
    )


async def test_get_me_answers_as_the_test_bot(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()

    assert (me.id, me.username, me.is_bot) == (BOT_ID, "cdht_test_bot", True)
    assert fake.root.startswith("http://127.0.0.1:")
    assert fake.calls_to("getMe")[0].status == 200


async def test_a_command_arrives_with_its_bot_command_entity(fake: FakeTelegram, bot: Bot) -> None:
    sent = fake.send_text(ALICE, "/start abc", first_name="Alice")

    (update,) = await bot.get_updates(timeout=0)

    assert isinstance(update, Update)
    assert update.update_id == sent["update_id"]
    assert update.message is not None
    assert update.message.text == "/start abc"
    assert update.message.entities == (
        MessageEntity(MessageEntity.BOT_COMMAND, offset=0, length=len("/start")),
    )
    assert update.message.chat.id == ALICE
    assert update.effective_user is not None
    assert (update.effective_user.first_name, update.effective_user.language_code) == (
        "Alice",
        "vi",
    )


async def test_plain_text_has_no_entities(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_text(ALICE, "123", language_code=None)

    (update,) = await bot.get_updates(timeout=0)

    assert update.message is not None
    assert update.message.text == "123"
    assert update.message.entities == ()
    assert update.message.from_user is not None
    assert update.message.from_user.language_code is None


async def test_params_are_decoded_like_telegram_does(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(ALICE, "123", reply_markup=keyboard("Yes"))

    (call,) = fake.calls_to("sendMessage")
    assert call.params["chat_id"] == ALICE
    assert call.params["text"] == "123"
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Yes", "callback_data": "pick:Yes"}]]
    }
    assert call.status == 200
    assert call.at <= time.monotonic()


async def test_tapping_a_button_sends_its_callback_data(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "Ready?", reply_markup=keyboard("Yes", "No"))
    assert fake.last(ALICE).buttons == [
        [
            {"text": "Yes", "callback_data": "pick:Yes"},
            {"text": "No", "callback_data": "pick:No"},
        ]
    ]

    fake.tap(ALICE, "No")
    (update,) = await bot.get_updates(timeout=0)

    query = update.callback_query
    assert query is not None
    assert query.data == "pick:No"
    assert query.from_user.id == ALICE
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert await query.answer("Noted")
    assert fake.calls_to("answerCallbackQuery")[0].params["text"] == "Noted"


async def test_tap_uses_the_newest_message_with_that_button(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(ALICE, "First", reply_markup=keyboard("Next"))
    second = await bot.send_message(ALICE, "Second", reply_markup=keyboard("Next"))

    update = fake.tap(ALICE, "Next")

    assert update["callback_query"]["message"]["message_id"] == second.message_id


async def test_tapping_a_missing_button_lists_the_visible_ones(
    fake: FakeTelegram, bot: Bot
) -> None:
    await bot.send_message(ALICE, "Ready?", reply_markup=keyboard("Yes"))

    with pytest.raises(AssertionError, match=r"'Maybe'.*'Yes'"):
        fake.tap(ALICE, "Maybe")


async def test_forged_callback_data_and_unknown_query_ids(fake: FakeTelegram, bot: Bot) -> None:
    first = await bot.send_message(ALICE, "Old", reply_markup=keyboard("Yes"))
    await bot.send_message(ALICE, "New")

    fake.tap_data(ALICE, "forged", message_id=first.message_id)
    (update,) = await bot.get_updates(timeout=0)

    assert update.callback_query is not None
    assert update.callback_query.data == "forged"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == first.message_id
    with pytest.raises(BadRequest, match=r"(?i)query id is invalid"):
        await bot.answer_callback_query("no-such-query")


async def test_edit_message_text_edits_in_place(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "Question 1", reply_markup=keyboard("A", "B"))

    edited = await bot.edit_message_text(
        "Question 1: A", chat_id=ALICE, message_id=sent.message_id
    )

    assert not isinstance(edited, bool)
    assert edited.text == "Question 1: A"
    assert fake.chat(ALICE) == [BotMessage(sent.message_id, ALICE, "Question 1: A", buttons=[])]


async def test_edits_of_unknown_or_unchanged_messages_fail(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "Hello", reply_markup=keyboard("A"))

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "Hello", chat_id=ALICE, message_id=sent.message_id, reply_markup=keyboard("A")
        )
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("Hi", chat_id=ALICE, message_id=999)


async def test_edit_reply_markup_can_remove_the_keyboard(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "Pick", reply_markup=keyboard("A"))

    await bot.edit_message_reply_markup(chat_id=ALICE, message_id=sent.message_id)

    assert fake.last(ALICE).buttons == []
    assert fake.last(ALICE).text == "Pick"


async def test_fail_next_answers_429_once(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendMessage")

    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(ALICE, "Hello")
    await bot.send_message(ALICE, "Hello again")

    assert raised.value.retry_after == timedelta(seconds=1)
    assert fake.too_many == 1
    assert [m.text for m in fake.chat(ALICE)] == ["Hello again"]
    assert [c.status for c in fake.calls_to("sendMessage")] == [429, 200]


async def test_without_ptb_timedelta_a_429_also_warns(
    fake: FakeTelegram, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PTB 22 warns when RetryAfter is built; with filterwarnings=error that is what raises."""
    monkeypatch.delenv("PTB_TIMEDELTA")
    fake.fail_next("sendMessage", retry_after=3)

    with (
        pytest.warns(PTBDeprecationWarning, match="PTB_TIMEDELTA"),
        pytest.raises(RetryAfter) as raised,
    ):
        await bot.send_message(ALICE, "Hello")
    with pytest.warns(PTBDeprecationWarning):
        retry_after = raised.value.retry_after
    assert retry_after == 3


async def test_fail_next_with_other_statuses(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendMessage", status=400, count=2)

    for _ in range(2):
        with pytest.raises(BadRequest):
            await bot.send_message(ALICE, "Hello")

    assert fake.too_many == 0
    assert fake.chat(ALICE) == []


async def test_a_blocked_user_answers_403(fake: FakeTelegram, bot: Bot) -> None:
    fake.blocked.add(ALICE)

    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(ALICE, "Hello")
    with pytest.raises(Forbidden):
        await bot.send_document(ALICE, document=b"x", filename="a.txt")

    assert fake.chat(ALICE) == []
    assert (await bot.send_message(BOB, "Hello")).chat.id == BOB


async def test_per_chat_limit() -> None:
    async with connected(per_chat_per_second=1) as (fake, bot):
        await bot.send_message(ALICE, "one")
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(ALICE, "two")
        await bot.send_message(BOB, "one")

        assert raised.value.retry_after == timedelta(seconds=1)
        assert fake.too_many == 1
        assert [m.text for m in fake.chat(ALICE)] == ["one"]
        assert [m.text for m in fake.chat(BOB)] == ["one"]


async def test_per_chat_limit_frees_up_after_a_second() -> None:
    async with connected(per_chat_per_second=1) as (fake, bot):
        await bot.send_message(ALICE, "one")
        await asyncio.sleep(1.05)
        await bot.send_message(ALICE, "two")

        assert fake.too_many == 0


async def test_overall_limit_counts_sends_and_edits_of_all_chats() -> None:
    async with connected(overall_per_second=2) as (fake, bot):
        sent = await bot.send_message(ALICE, "one")
        await bot.edit_message_text("one!", chat_id=ALICE, message_id=sent.message_id)
        with pytest.raises(RetryAfter):
            await bot.send_message(BOB, "one")

        assert fake.too_many == 1
        assert fake.chat(BOB) == []


async def test_long_poll_returns_nothing_after_the_cap(fake: FakeTelegram, bot: Bot) -> None:
    started = time.monotonic()

    updates = await bot.get_updates(timeout=30)

    assert updates == ()
    assert time.monotonic() - started >= 0.2  # it did wait (the cap is 1 s), then gave up


async def test_long_poll_wakes_up_for_a_new_update() -> None:
    async with connected(poll_timeout_cap=10) as (fake, bot):
        polling = asyncio.create_task(bot.get_updates(timeout=10))
        await fake.wait_for(lambda: fake.parked == 1, what="the poll to wait")
        fake.send_text(ALICE, "hi")

        (update,) = await polling  # woken by the update: the cap (10 s) would return nothing

        assert update.message is not None
        assert update.message.text == "hi"


async def test_stop_ends_a_pending_long_poll_quickly() -> None:
    fake = FakeTelegram(poll_timeout_cap=30)
    await fake.start()
    async with Bot(TOKEN, base_url=f"{fake.root}/bot") as bot:
        polling = asyncio.create_task(bot.get_updates(timeout=30))
        await fake.wait_for(lambda: fake.parked == 1, what="the poll to wait")
        await fake.stop()

        assert fake.parked == 0  # stop woke the waiting poll rather than waiting 30 s
        assert await polling == ()


async def test_offset_confirms_and_drops_older_updates(fake: FakeTelegram, bot: Bot) -> None:
    first = fake.send_text(ALICE, "one")
    second = fake.send_text(ALICE, "two")

    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [
        first["update_id"],
        second["update_id"],
    ]
    assert fake.pending() == 2

    (again,) = await bot.get_updates(offset=first["update_id"] + 1, timeout=0)
    assert again.update_id == second["update_id"]
    assert fake.pending() == 1

    assert await bot.get_updates(offset=second["update_id"] + 1, timeout=0) == ()
    assert fake.pending() == 0


async def test_redeliver_sends_the_same_update_again(fake: FakeTelegram, bot: Bot) -> None:
    update = fake.send_text(ALICE, "one")
    (first,) = await bot.get_updates(timeout=0)
    assert await bot.get_updates(offset=first.update_id + 1, timeout=0) == ()

    fake.redeliver(update)

    (again,) = await bot.get_updates(offset=first.update_id + 1, timeout=0)
    assert again.update_id == first.update_id
    assert await bot.get_updates(offset=first.update_id + 1, timeout=0) == ()


async def test_allowed_updates_filters_delivery(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(ALICE, "Pick", reply_markup=keyboard("A"))
    fake.tap(ALICE, "A")
    fake.send_text(ALICE, "hello")

    (update,) = await bot.get_updates(timeout=0, allowed_updates=["message"])

    assert update.message is not None
    assert fake.pending() == 2


async def test_send_document_records_name_and_bytes(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_document(
        ALICE, document=b"a,b\n1,2\n", filename="report.csv", caption="Your report"
    )

    assert sent.document is not None
    assert sent.document.file_name == "report.csv"
    assert sent.caption == "Your report"
    message = fake.last(ALICE)
    assert (message.kind, message.text) == ("document", "Your report")
    assert (message.file_name, message.file_bytes) == ("report.csv", b"a,b\n1,2\n")
    upload = fake.calls_to("sendDocument")[0].params["document"]
    assert upload == Upload("report.csv", b"a,b\n1,2\n", upload.content_type)


async def test_a_document_can_be_resent_by_file_id(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_document(ALICE, document=b"data", filename="a.bin")
    assert sent.document is not None

    await bot.send_document(BOB, document=sent.document.file_id)

    assert fake.last(BOB).file_bytes == b"data"


async def test_send_photo(fake: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_photo(ALICE, photo=b"\x89PNG fake", filename="c.png", caption="Chart")

    assert sent.photo
    message = fake.last(ALICE)
    assert (message.kind, message.text, message.file_name) == ("photo", "Chart", "c.png")
    assert message.file_bytes == b"\x89PNG fake"


async def test_bot_api_rules_are_checked(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ALICE, " ")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ALICE, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(ALICE, "Pick", reply_markup=keyboard("x" * 60))

    assert fake.chat(ALICE) == []


async def test_commands_per_language(fake: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Bắt đầu")], language_code="vi")
    await bot.set_my_commands([("start", "Start"), ("help", "Help")])

    assert fake.commands("vi") == [{"command": "start", "description": "Bắt đầu"}]
    assert [c["command"] for c in fake.commands()] == ["start", "help"]
    assert [c.command for c in await bot.get_my_commands(language_code="vi")] == ["start"]
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([("Start", "Capitalised")])

    await bot.delete_my_commands(language_code="vi")
    assert fake.commands("vi") == []


async def test_webhook_blocks_polling_until_deleted(fake: FakeTelegram, bot: Bot) -> None:
    fake.send_text(ALICE, "hi")
    await bot.set_webhook("https://bot.example/telegram", secret_token="s3cret")

    assert fake.webhook is not None
    assert fake.webhook["url"] == "https://bot.example/telegram"
    assert fake.webhook["secret_token"] == "s3cret"
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("https://bot.example/telegram", 1)
    with pytest.raises(Conflict, match=r"(?i)terminated by setwebhook request"):
        await bot.get_updates(timeout=0)

    await bot.delete_webhook(drop_pending_updates=True)
    assert fake.webhook is None
    assert fake.pending() == 0
    assert await bot.get_updates(timeout=0) == ()


async def test_webhook_needs_https(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)https url must be provided"):
        await bot.set_webhook("http://bot.example/telegram")


async def test_a_newer_poll_terminates_the_older_one() -> None:
    # A cap far above the test's length: the older poll can only end by the newer one.
    async with connected(poll_timeout_cap=600) as (fake, bot):
        older = asyncio.create_task(bot.get_updates(timeout=600))
        await fake.wait_for(lambda: fake.parked == 1, what="the older poll to wait")
        async with Bot(TOKEN, base_url=f"{fake.root}/bot") as second_instance:
            await second_instance.get_updates(timeout=0)

        with pytest.raises(Conflict, match=r"(?i)only one bot instance"):
            await older


async def test_unknown_methods_and_wrong_tokens(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    with pytest.raises(InvalidToken):
        async with Bot("654321:WRONG", base_url=f"{fake.root}/bot"):
            pass

    assert [c.status for c in fake.calls[-2:]] == [404, 401]


async def test_plain_http_clients_get_bot_api_json(fake: FakeTelegram) -> None:
    async with httpx.AsyncClient(base_url=fake.root) as client:
        by_get = await client.get(f"/bot{TOKEN}/getMe")
        unknown = await client.post(f"/bot{TOKEN}/nope", json={})

    assert by_get.json()["result"]["id"] == BOT_ID
    assert unknown.status_code == 404
    assert unknown.json() == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found: method not found",
    }


async def _ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(
        update.effective_chat.id, "Ready?", reply_markup=keyboard("Yes", "No")
    )


async def _picked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(f"You picked {query.data}")


async def test_a_polling_application_talks_to_a_user() -> None:
    async with FakeTelegram() as fake:
        app = Application.builder().token(TOKEN).base_url(f"{fake.root}/bot").build()
        app.add_handlers([CommandHandler("start", _ask), CallbackQueryHandler(_picked)])
        async with app:
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0)
            await app.start()

            fake.send_text(ALICE, "/start")
            await fake.wait_for(lambda: fake.chat(ALICE), what="the question")
            fake.tap(ALICE, "No")
            await fake.wait_for(lambda: fake.last(ALICE).text == "You picked pick:No")

            await app.updater.stop()
            await app.stop()

    assert fake.chat(ALICE) == [BotMessage(2, ALICE, "You picked pick:No", buttons=[])]
    assert [c.status for c in fake.calls_to("answerCallbackQuery")] == [200]
    assert fake.pending() == 0


async def test_a_restart_on_the_same_port_ends_an_outage(bot: Bot, fake: FakeTelegram) -> None:
    root = fake.root
    await fake.stop()
    with pytest.raises(NetworkError):
        await bot.send_message(ALICE, "lost")

    assert await fake.start() == root
    await bot.send_message(ALICE, "delivered")
    assert [m.text for m in fake.chat(ALICE)] == ["delivered"]


def test_webhook_headers() -> None:
    assert webhook_headers("s") == {
        "X-Telegram-Bot-Api-Secret-Token": "s",
        "Content-Type": "application/json",
    }
