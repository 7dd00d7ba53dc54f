"""The `cdht` command as a person (or a script) uses it: a piped chat, then the CSV export."""

import csv
import os
import subprocess
import sys
from pathlib import Path

from tests.support import run_cdht

ROOT = Path(__file__).resolve().parents[2]

WHOLE_ASSESSMENT = [
    "1",  # Đồng ý
    "Phạm Văn Bình",
    "1962",
    "hai hau",  # the only commune by that name: Xã Hải Hậu, Ninh Bình
    "Xóm 7",
    "lam ruong",  # what the person does, accents left out: the group of residents
    *[str(score) for score in (9, 8, 10, 7, 6, 5, 8, 9, 9, 9)],
    *["1"] * 10,  # Tự làm được
    "1",  # Gửi để xác nhận
]


def cdht(*args: str, database: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_cdht(*args, database=database, stdin=stdin, CDHT_LOCALE="vi")


def test_a_piped_session_ends_with_the_result_and_the_export_has_the_row(tmp_path: Path) -> None:
    database = tmp_path / "cdht.db"
    chat = cdht("chat", "--user", "binh", database=database, stdin="\n".join(WHOLE_ASSESSMENT))
    assert chat.returncode == 0, chat.stderr
    assert "Traceback" not in chat.stdout + chat.stderr
    assert ": 80/100 điểm." in chat.stdout
    assert "Đã gửi" in chat.stdout

    out = tmp_path / "export" / "assessments.csv"
    export = cdht("export", "assessments", "--out", str(out), database=database)
    assert export.returncode == 0, export.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel then reads UTF-8 Vietnamese correctly
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == 1
    row = rows[0]
    assert row["Mã người dùng"] == "binh"
    assert row["Họ và tên"] == "Phạm Văn Bình"
    assert row["Xã/phường"] == "Xã Hải Hậu"
    assert row["Chỉ số 6"] == "5"
    assert row["Tổng điểm"] == "80"
    assert row["Đủ điều kiện công nhận"] == "có"
    assert row["Trạng thái"] == "đã gửi"


def test_the_chat_continues_across_runs_and_stops_cleanly_at_end_of_input(tmp_path: Path) -> None:
    database = tmp_path / "cdht.db"
    first = cdht("chat", "--user", "an", database=database, stdin="1\nNguyễn Văn An\n")
    assert first.returncode == 0, first.stderr
    assert "Bạn sinh năm nào?" in first.stdout.strip().split("\n\n")[-1]
    second = cdht("chat", "--user", "an", database=database, stdin="")
    assert second.returncode == 0
    assert "Bạn sinh năm nào?" in second.stdout


def test_a_bad_setting_is_reported_in_one_line(tmp_path: Path) -> None:
    env_database = tmp_path / "cdht.db"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input="",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": f"sqlite+aiosqlite:///{env_database}",
            "CDHT_TIMEZONE": "Mars/Base",
        },
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Lỗi cấu hình: CDHT_TIMEZONE phải là tên múi giờ IANA" in result.stderr
    assert "Traceback" not in result.stderr
