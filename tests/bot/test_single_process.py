"""SQLite serves one `cdht run`: a second process, or --workers N, is refused with a clear
message; PostgreSQL takes any number."""

from pathlib import Path

import pytest

from bot.cli import main
from bot.single import AlreadyRunningError, only_process


def test_a_second_run_on_the_same_sqlite_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cdht.db'}"
    refused = pytest.raises(AlreadyRunningError, match="SQLite serves one process")
    with only_process(url), refused, only_process(url):
        pass
    with only_process(url):  # free again once the first has ended
        pass


def test_postgresql_needs_no_run_lock() -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:5432/none"
    with only_process(url), only_process(url):
        pass


def test_several_workers_on_sqlite_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cdht.db'}")
    assert main(["--lang", "en", "run", "--workers", "3"]) == 2
    assert "several workers need PostgreSQL" in capsys.readouterr().err
    assert main(["run", "--workers", "3"]) == 2  # Vietnamese unless told otherwise
    assert "cần PostgreSQL" in capsys.readouterr().err


def test_a_number_of_workers_is_a_small_whole_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--lang", "en", "run", "--workers", "0"])
    assert "a number of workers" in capsys.readouterr().err
