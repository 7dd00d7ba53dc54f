"""Operator commands as typed in a terminal: the tree, invitations, targets and reports."""

import argparse
import subprocess
from pathlib import Path

import openpyxl
import pytest

from bot.cli import parser
from bot.terminal import speaking
from tests.support import run_cdht

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cdht(tmp_path: Path):  # type: ignore[no-untyped-def]
    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        # In English (--lang); the Vietnamese default: test_cli_vietnamese.py.
        return run_cdht("--lang", "en", *args, database=tmp_path / "cdht.db", stdin=stdin)

    return run


def test_villages_and_units_come_from_a_csv_file_all_or_nothing(cdht, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "places.csv"
    good.write_text(
        "xa,loai,ten,so_nguoi\n"
        "Xã Hải Hậu,thôn,Xóm 1,320\n"
        "Xã Hải Hậu,tổ dân phố,Tổ dân phố 2,\n"
        "W14215,trường,Trường THCS Hải Hậu,45\n",
        encoding="utf-8-sig",
    )
    result = cdht("org", "import-csv", str(good))
    assert result.returncode == 0, result.stderr
    assert "3 added, 0 updated." in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "xa,loai,ten,so_nguoi\n"
        "Xã Hải Hậu,thôn,Xóm 9,100\n"
        "Xã Không Có,thôn,Xóm 1,\n"
        "Xã Hải Hậu,chợ,Chợ Cồn,\n"
        "Xã Hải Hậu,thôn,,\n"
        "Xã Hải Hậu,thôn,Xóm 3,nhiều\n",
        encoding="utf-8",
    )
    result = cdht("org", "import-csv", str(bad))
    assert result.returncode == 2
    for line in (
        "line 3: no organisation is named “Xã Không Có”",
        "line 4: kind “chợ”",
        "line 5: the name is empty",
        "line 6: population “nhiều”",
    ):
        assert line in result.stderr
    assert "Traceback" not in result.stderr
    again = cdht("org", "import-csv", str(good))
    assert "0 added, 3 updated." in again.stdout  # Xóm 9 from the bad file was not imported
    titles = tmp_path / "titles.csv"  # as Excel on Windows saves it: BOM, ";" and CRLF
    titles.write_text(
        "Xã;Nơi;Loại;Năm;Đạt;Tổng\r\n"
        "Xã Hải Hậu;Xóm 1;Gia đình học tập;2026;85;120\r\n"
        "Xã Hải Hậu;Trường THCS Hải Hậu;Đơn vị học tập;2026;1;1\r\n",
        encoding="utf-8-sig",
    )
    assert "2 lines stored" in cdht("titles", "import-csv", str(titles)).stdout
    shown = cdht("titles", "show", "--org", "Xã Hải Hậu", "--year", "2026").stdout
    assert "households: 85 of 120" in shown
    assert "units: 1 of 1" in shown
    titles.write_text("xa;noi;loai;nam;dat;tong\nXã Hải Hậu;Xóm 1;Gia đình;2026;200;120\n")
    refused = cdht("titles", "import-csv", str(titles))
    assert refused.returncode == 2
    assert "line 2: Xóm 1: More recognised than there are" in refused.stderr
    # Households by name replace Xóm 1's typed count.
    titles.write_text(
        "Xã;Nơi;Loại;Năm;Đạt;Tên hộ\n"
        "Xã Hải Hậu;Xóm 1;Gia đình học tập;2026;1;Nguyễn Văn An\n"
        "Xã Hải Hậu;Xóm 1;Gia đình học tập;2026;0;Trần Thị Bình\n",
        encoding="utf-8",
    )
    assert "2 lines stored" in cdht("titles", "import-csv", str(titles)).stdout
    shown = cdht("titles", "show", "--org", "Xã Hải Hậu", "--year", "2026").stdout
    assert "households: 1 of 2" in shown
    titles.write_text(
        "Xã;Nơi;Loại;Năm;Đạt;Tổng\nXã Hải Hậu;Trường THCS Hải Hậu;Đơn vị học tập;2026;1;1\n"
    )
    one = cdht("titles", "import-csv", str(titles)).stdout
    assert "1 line stored (" in one  # not "1 lines"


def test_invitations_targets_and_the_report(cdht, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    invite = cdht("admin", "invite", "--role", "commune_leader", "--org", "Xã Hải Hậu, Ninh Bình")
    assert invite.returncode == 0, invite.stderr
    code = invite.stdout.strip().rsplit(" ", 1)[1]
    assert len(code) == 8
    day = cdht("admin", "invite", "--role", "commune_leader", "--org", "Xã Hải Hậu", "--days", "1")
    assert "(valid 1 day):" in day.stdout
    wrong = cdht("admin", "invite", "--role", "village_leader", "--org", "Xã Hải Hậu")
    assert wrong.returncode == 2
    assert "no organisation is named" in wrong.stderr
    plan = ROOT / "storage" / "data" / "targets-hai-hau-plan.toml"
    loaded = cdht("targets", "load", str(plan)).stdout  # onto the communes the file names
    assert "set on 8 communes: Xã Hải Hậu, Xã Hải Anh," in loaded
    assert (
        "101 targets set on Xã Hải Hậu."
        in cdht("targets", "load", str(plan), "--org", "Xã Hải Hậu").stdout
    )
    shown = cdht("targets", "show", "--org", "Xã Hải Xuân", "--year", "2026").stdout
    former = "Kế hoạch của huyện Hải Hậu cũ (QĐ 387, QĐ 677), 2021-2030"
    assert f"cdht_adults: 50% (set for 2026 by Xã Hải Xuân: {former})" in shown
    assert f"units: 80% (set for 2026 by Xã Hải Xuân: {former})" in shown
    assert f"members_briefed: 100% (set for 2026 by Xã Hải Xuân: {former})" in shown
    assert f"digital_proficient: 80% (set for 2030 by Xã Hải Xuân: {former})" in shown
    elsewhere = cdht("targets", "show", "--org", "Xã Giao Thuỷ", "--year", "2026").stdout
    assert "digital_proficient: 80% (set for 2030 by Việt Nam: QĐ 677/QĐ-TTg)" in elsewhere
    assert "households: none" in elsewhere
    assert cdht("admin", "revoke", code).returncode == 0
    assert cdht("admin", "revoke", code).returncode == 2
    out = tmp_path / "bao-cao.xlsx"
    report = cdht(
        "report", "--org", "Xã Hải Hậu", "--year", "2026", "--out", str(out), "--locale", "vi"
    )
    assert report.returncode == 0, report.stderr
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == [
        "Báo cáo",
        "Tổng hợp",
        "QĐ 387 - Mô hình học tập",
        "QĐ 677 - Công dân học tập",
        "Theo thôn, đơn vị",
        "Danh hiệu theo thôn, đơn vị",
        "Công dân đã được công nhận",
        "Hộ, dòng họ được công nhận",
        "Đang làm dở",
        "Đang chờ xử lý",
        "Biểu đồ",
    ]
    summary = workbook["Tổng hợp"]
    assert "Xã Hải Hậu" in str(summary["A1"].value)
    plan = workbook["QĐ 387 - Mô hình học tập"]
    assert [row[0].value for row in plan.iter_rows(min_row=3)][:4] == [
        "Gia đình học tập",
        "Dòng họ học tập",
        "Cộng đồng học tập",
        "Đơn vị học tập",
    ]
    assert plan["B3"].value == pytest.approx(0.60)  # households 2026, the former district's plan


def test_roles_are_listed_and_taken_back(cdht) -> None:  # type: ignore[no-untyped-def]
    invite = cdht("admin", "invite", "--role", "commune_leader", "--org", "Xã Hải Hậu, Ninh Bình")
    code = invite.stdout.strip().rsplit(" ", 1)[1]
    joined = cdht("chat", "--user", "lan", stdin=f"/vaitro {code}\n/lanhdao\n")
    assert "Menu lãnh đạo" in joined.stdout
    listed = cdht("admin", "roles", "--org", "Ninh Bình")
    assert "commune association leader of Xã Hải Hậu" in listed.stdout
    role_id = listed.stdout.split(":", 1)[0]
    assert cdht("admin", "revoke-role", role_id).returncode == 0
    assert cdht("admin", "revoke-role", role_id).returncode == 2
    after = cdht("chat", "--user", "lan", stdin="/lanhdao\n")
    assert "Bạn không có quyền làm việc này." in after.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "--org", "X", "--year", "99999999999999999999", "--out", "r.xlsx"],
        ["report", "--org", "X", "--year", "2026²", "--out", "r.xlsx"],
        ["admin", "invite", "--role", "commune_leader", "--org", "X", "--days", "1" + "0" * 19],
        ["admin", "revoke-role", "99999999999999999999"],
        ["export", "assessments", "--out", "a.csv", "--season", "-2026"],
    ],
)
def test_out_of_range_numbers_are_refused_in_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with speaking("en"), pytest.raises(SystemExit) as exited:
        parser().parse_args(argv)
    assert exited.value.code == 2
    assert "a whole number from" in capsys.readouterr().err
    with speaking("vi"), pytest.raises(SystemExit):
        parser().parse_args(argv)
    said = capsys.readouterr().err
    assert "lỗi: tham số" in said
    assert "số nguyên từ" in said


def test_a_year_in_arabic_indic_digits_is_a_year() -> None:
    year = "\u0662\u0660\u0662\u0666"  # 2026 in Arabic-Indic digits
    args = parser().parse_args(["schedule", "list", "--org", "X", "--year", year])
    assert args.year == 2026


def options_without_help(command: argparse.ArgumentParser, path: str = "cdht") -> list[str]:
    """Every option and argument of every command and sub-command that has no help text."""
    found = []
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += options_without_help(sub, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction) and not action.help:
            found.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
    return found


@pytest.mark.parametrize("locale", ["en", "vi"])
def test_every_option_of_every_command_says_what_it_is(
    locale: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with speaking(locale):
        assert options_without_help(parser()) == []
        with pytest.raises(SystemExit):
            parser().parse_args(["report", "--help"])
    said = capsys.readouterr().out
    year = "the year, e.g. 2026" if locale == "en" else "năm, ví dụ 2026"
    xlsx = "XLSX file to write" if locale == "en" else "tệp XLSX sẽ ghi ra"
    assert year in said
    assert xlsx in said
    assert "Xã Hải Hậu" in said
