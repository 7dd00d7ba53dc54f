"""Telegram conversion and layout, without the network: Updates in, messages out."""

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from telegram import Update

from bot.channels.base import split_text
from bot.channels.telegram import keyboard, render, to_event
from bot.pacing import Spacing
from conversations.events import Choice, EventKind, OutboundMessage


def update(data: dict[str, Any]) -> Update:
    parsed = Update.de_json(data, None)
    assert parsed is not None
    return parsed


USER = {"id": 42, "is_bot": False, "first_name": "An", "language_code": "en"}
CHAT = {"id": 42, "type": "private", "first_name": "An"}


def test_a_private_text_message_becomes_a_text_event_with_its_language() -> None:
    event = to_event(
        update(
            {
                "update_id": 7,
                "message": {
                    "message_id": 1,
                    "date": 1_790_000_000,
                    "chat": CHAT,
                    "from": USER,
                    "text": "Nguyễn Văn An",
                },
            }
        )
    )
    assert event is not None
    assert (event.channel, event.user_ref, event.kind) == ("telegram", "42", EventKind.TEXT)
    assert (event.text, event.locale_hint, event.event_id) == ("Nguyễn Văn An", "en", "7")


def test_a_photo_caption_is_the_typed_text() -> None:
    photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
    message = {"message_id": 1, "date": 1_790_000_000, "chat": CHAT, "from": USER}
    event = to_event(
        update({"update_id": 8, "message": {**message, "photo": photo, "caption": "Tổ 5"}})
    )
    assert event is not None
    assert (event.kind, event.text) == (EventKind.TEXT, "Tổ 5")
    bare = to_event(update({"update_id": 9, "message": {**message, "photo": photo}}))
    assert bare is not None
    assert bare.kind == EventKind.MEDIA


def test_a_start_link_becomes_a_command_with_its_code() -> None:
    event = to_event(
        update(
            {
                "update_id": 8,
                "message": {
                    "message_id": 1,
                    "date": 1_790_000_000,
                    "chat": CHAT,
                    "from": USER,
                    "text": "/start Ab3_x-Yz",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                },
            }
        )
    )
    assert event is not None
    assert (event.kind, event.command, event.args) == (EventKind.COMMAND, "start", ("Ab3_x-Yz",))


def test_a_button_tap_becomes_a_choice_event() -> None:
    message = {"message_id": 5, "date": 1_790_000_000, "chat": CHAT, "text": "Q"}
    event = to_event(
        update(
            {
                "update_id": 9,
                "callback_query": {
                    "id": "c1",
                    "from": USER,
                    "chat_instance": "x",
                    "message": message,
                    "data": "ind:3=7",
                },
            }
        )
    )
    assert event is not None
    assert (event.kind, event.choice_id, event.user_ref) == (EventKind.CHOICE, "ind:3=7", "42")


def test_group_chats_and_other_bots_are_ignored() -> None:
    group = {"id": -100, "type": "group", "title": "Thôn"}
    assert (
        to_event(
            update(
                {
                    "update_id": 1,
                    "message": {
                        "message_id": 1,
                        "date": 1,
                        "chat": group,
                        "from": USER,
                        "text": "hi",
                    },
                }
            )
        )
        is None
    )
    bot = {**USER, "is_bot": True}
    assert (
        to_event(
            update(
                {
                    "update_id": 2,
                    "message": {
                        "message_id": 1,
                        "date": 1,
                        "chat": CHAT,
                        "from": bot,
                        "text": "hi",
                    },
                }
            )
        )
        is None
    )


def test_scores_are_laid_out_in_two_rows_with_back_underneath() -> None:
    choices = tuple(Choice(f"ind:1={n}", str(n)) for n in range(11))
    markup = keyboard((*choices, Choice("ind:1=/lai", "« Quay lại", nav=True)))
    rows = [[button.text for button in row] for row in markup.inline_keyboard]
    assert rows == [["0", "1", "2", "3", "4", "5"], ["6", "7", "8", "9", "10"], ["« Quay lại"]]


def test_long_labels_get_a_row_each_and_short_ones_share() -> None:
    long = keyboard(
        (Choice("a=1", "Làm ruộng, chăn nuôi, đánh bắt"), Choice("a=2", "Buôn bán nhỏ"))
    )
    assert [len(row) for row in long.inline_keyboard] == [1, 1]
    short = keyboard(
        (Choice("c=yes", "Đồng ý"), Choice("c=no", "Không"), Choice("c=i", "Lưu gì?"))
    )
    assert [len(row) for row in short.inline_keyboard] == [2, 1]


def test_a_batch_of_replies_becomes_one_message_with_the_last_keyboard() -> None:
    replies = [
        OutboundMessage("Câu đó đã qua rồi.", error=True),
        OutboundMessage("Chỉ số 2/10", (Choice("ind:2=0", "0"),)),
    ]
    [message] = render(replies)
    assert message.text == "Câu đó đã qua rồi.\n\nChỉ số 2/10"
    assert message.keyboard is not None


@given(st.text(alphabet="ab \n", max_size=12000))
def test_long_texts_are_split_under_the_limit_without_losing_words(text: str) -> None:
    chunks = split_text(text, 500)
    assert all(len(chunk) <= 500 for chunk in chunks)
    assert "".join(chunks).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
        " ", ""
    )


@given(st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=200))
def test_spacing_never_allows_more_than_the_rate_in_any_second(arrivals: list[float]) -> None:
    spacing = Spacing(rate=30, burst=1)
    sent = []
    for now in sorted(arrivals):
        slot = spacing.earliest(now)
        spacing.book(slot)
        sent.append(max(slot, now))
    for start in sent:
        assert sum(1 for moment in sent if start <= moment < start + 1) <= 30


def _document(size: int, caption: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": 3,
        "date": 1_790_000_000,
        "chat": CHAT,
        "from": USER,
        "document": {"file_id": "F1", "file_unique_id": "U1", "file_size": size},
    }
    if caption is not None:
        message["caption"] = caption
    return {"update_id": 9, "message": message}


def test_a_document_is_an_event_to_fetch_unless_it_is_too_big() -> None:
    small = to_event(update(_document(2_000, caption="danh hiệu")))
    assert small is not None
    assert (small.kind, small.file_ref, small.text, small.document) == (
        EventKind.DOCUMENT,
        "F1",
        "danh hiệu",
        None,
    )
    big = to_event(update(_document(5_000_000)))
    assert big is not None
    assert (big.kind, big.file_ref) == (EventKind.DOCUMENT, "")  # never fetched: "cannot read"
