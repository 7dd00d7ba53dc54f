"""The operator's terminal speaks Vietnamese unless told otherwise (--lang en, CDHT_LOCALE):
argparse's own messages, our errors, the schedule's settings, CSV problems, files."""

import subprocess
from pathlib import Path

import pytest

from conversations.codes import ALPHABET
from tests.storage.test_csv_excel import BAD, cp1258
from tests.support import run_cdht


@pytest.fixture
def cdht(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("CDHT_LOCALE", raising=False)

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return run_cdht(*args, database=tmp_path / "cdht.db", **env)

    return run


def test_argparse_speaks_vietnamese_and_english_on_request(cdht) -> None:  # type: ignore[no-untyped-def]
    wrong = cdht("admin", "invite", "--role", "xã_trưởng", "--org", "X")
    assert wrong.returncode == 2
    assert "cách dùng: cdht admin invite" in wrong.stderr
    assert "lỗi: tham số --role: lựa chọn không đúng: 'xã_trưởng'" in wrong.stderr
    missing = cdht("report", "--org", "X")
    assert "còn thiếu các tham số: --year, --out" in missing.stderr
    days = cdht("admin", "invite", "--role", "commune_leader", "--org", "X", "--days", "0")
    assert "tham số --days: cần số ngày: số nguyên từ 1 đến 365" in days.stderr
    helped = cdht("schedule", "set", "--help")
    assert "xem hướng dẫn này rồi thoát" in helped.stdout
    english = cdht("--lang", "en", "report", "--org", "X")
    assert "the following arguments are required: --year, --out" in english.stderr
    by_setting = cdht("report", "--org", "X", CDHT_LOCALE="en")
    assert "the following arguments are required" in by_setting.stderr


def test_schedule_settings_in_vietnamese_words(cdht) -> None:  # type: ignore[no-untyped-def]
    where = ("--org", "Xã Hải Hậu, Ninh Bình")
    thu = cdht("schedule", "set", *where, "--key", "digest_weekday", "--value", "thu")
    assert thu.returncode == 2
    assert "Lỗi: --value: “thu” chưa rõ là thứ mấy." in thu.stderr
    monday = cdht("schedule", "set", *where, "--key", "digest_weekday", "--value", "Thứ hai")
    assert monday.returncode == 0, monday.stderr
    assert "digest_weekday = T2 cho Xã Hải Hậu (mọi năm)." in monday.stdout
    impossible = cdht("schedule", "set", *where, "--key", "deadline", "--value", "31/02")
    assert "Lỗi: --value: Tháng 2 không có ngày 31." in impossible.stderr
    other_year = cdht(
        "schedule", "set", *where, "--key", "deadline", "--value", "15/11/2027", "--year", "2026"
    )
    assert "Cài đặt này cho năm 2026." in other_year.stderr
    dashed = cdht(
        "schedule", "set", *where, "--key", "deadline", "--value", "15-11-2026", "--year", "2026"
    )
    assert "deadline = 15/11 cho Xã Hải Hậu (2026)." in dashed.stdout
    listed = cdht("schedule", "list", *where, "--year", "2026").stdout
    assert "digest_weekday: T2" in listed
    assert "deadline: 15/11" in listed
    unknown = cdht("org", "import-csv", "/khong/co/tep.csv")
    assert unknown.returncode == 1
    assert "Lỗi: /khong/co/tep.csv: không có tệp hay thư mục này" in unknown.stderr


def test_csv_problems_and_codes_in_vietnamese(cdht, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "thon.csv"
    bad.write_bytes(cp1258(BAD.lstrip("\ufeff")))  # Excel's plain "CSV" on Vietnamese Windows
    refused = cdht("org", "import-csv", str(bad))
    assert refused.returncode == 2
    assert "Lỗi: Chưa nhập gì cả:\ndòng 3: không có đơn vị nào tên “Xã Không Có”" in refused.stderr
    assert "dòng 5: tên đang để trống" in refused.stderr
    assert "Traceback" not in refused.stderr
    invite = cdht("admin", "invite", "--role", "commune_leader", "--org", "W14215")
    assert "Mã mời làm" in invite.stdout
    code = invite.stdout.strip().rsplit(" ", 1)[1]
    assert len(code) == 8
    assert set(code) <= set(ALPHABET)
    typed = f"{code[:4].lower()}-{code[4:]}"  # read off paper, typed on a phone
    assert cdht("admin", "revoke", typed).stdout.strip() == "Đã thu hồi."
    again = cdht("admin", "revoke", code)
    assert "Lỗi: Không có mã mời chưa dùng nào như vậy." in again.stderr


def test_a_bad_setting_is_told_in_the_terminals_language(cdht) -> None:  # type: ignore[no-untyped-def]
    broken = cdht("outbox", "status", CDHT_LOG_LEVEL="CHATTY")
    assert broken.returncode == 2
    assert "Lỗi cấu hình: CDHT_LOG_LEVEL phải là DEBUG, INFO" in broken.stderr
    english = cdht("--lang", "en", "outbox", "status", CDHT_LOG_LEVEL="CHATTY")
    assert "Configuration error: CDHT_LOG_LEVEL must be DEBUG, INFO" in english.stderr
    pydantic_own = cdht("outbox", "status", CDHT_KEEP_DRAFTS_DAYS="0")
    assert "Lỗi cấu hình: CDHT_KEEP_DRAFTS_DAYS có giá trị chưa đúng" in pydantic_own.stderr
