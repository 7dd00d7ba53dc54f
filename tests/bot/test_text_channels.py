"""The plain-text rendering every channel without buttons shares, signed file links, and
invitation links for every messenger."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.app import invite_links
from bot.channels.base import numbered, split_text, text_batch
from bot.files import link_key, signed_link
from bot.settings import Settings
from conversations.events import Choice, OutboundMessage

NOW = datetime(2026, 11, 29, tzinfo=UTC)


def test_choices_are_numbered_and_scores_are_a_row() -> None:
    consent = OutboundMessage(
        "Bạn có đồng ý không?",
        (Choice("c=yes", "Đồng ý"), Choice("c=no", "Không"), Choice("c=/lai", "« Quay lại", True)),
    )
    assert numbered(consent) == "Bạn có đồng ý không?\n  1. Đồng ý\n  2. Không"
    scores = OutboundMessage("Chỉ số 1/10", tuple(Choice(f"s={n}", str(n)) for n in range(11)))
    assert numbered(scores).endswith("\n  0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10")


def test_a_command_choice_is_shown_as_the_command_to_type() -> None:
    reminder = OutboundMessage("Bạn còn 4 chỉ số.", (Choice("cmd=tiep", "Làm tiếp"),))
    assert numbered(reminder) == "Bạn còn 4 chỉ số.\n  Làm tiếp: /tiep"


@given(st.text(alphabet="ab \n", min_size=0, max_size=3000), st.integers(20, 500))
def test_split_pieces_fit_and_keep_every_word(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(len(piece) <= limit for piece in pieces)
    assert " ".join(pieces).split() == text.split()


def test_a_batch_joins_replies_and_adds_attachment_lines() -> None:
    replies = [OutboundMessage("Một"), OutboundMessage("Hai", document="/r/bao-cao.xlsx")]
    texts = text_batch(replies, 2000, lambda m: f"📎 {m.document}")
    assert texts == ["Một\n\nHai\n📎 /r/bao-cao.xlsx"]


def test_file_links_are_signed_and_only_for_the_reports_folder(tmp_path: Path) -> None:
    report = tmp_path / "reports" / "bao-cao.xlsx"
    report.parent.mkdir()
    report.write_bytes(b"PK")
    key = link_key("123:secret")
    link = signed_link("https://bot.example.vn/", report.parent, str(report), key, NOW)
    assert link is not None
    assert link.startswith("https://bot.example.vn/files/")
    assert link.endswith("/bao-cao.xlsx")
    expires = int(link.split("/")[4])
    assert expires == int((NOW + timedelta(days=8)).timestamp())
    outside = signed_link("https://bot.example.vn", report.parent, "/etc/passwd", key, NOW)
    assert outside is None
    assert signed_link("https://x.vn", report.parent, str(report), link_key("other"), NOW) != link


def test_invitation_links_exist_for_every_configured_messenger() -> None:
    settings = Settings(
        TELEGRAM_BOT_USERNAME="cdht_bot",
        ZALO_BOT_TOKEN="1459232241454765289:secret",
    )
    links = invite_links(settings)
    assert links["telegram"] == "https://t.me/cdht_bot?start={code}"
    assert links["zalo"] == "https://zalo.me/1459232241454765289?start={code}"
    assert "secret" not in links["zalo"]
