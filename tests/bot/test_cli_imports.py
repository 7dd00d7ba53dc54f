"""`cdht --help` reads no heavy library: a command's libraries load when it runs (issue 13).
A module check in a fresh interpreter, not a clock."""

import subprocess
import sys

from tests.support import ROOT

HEAVY = ("matplotlib", "openpyxl", "telegram", "httpx", "sqlalchemy", "alembic", "starlette")
CHECK = f"""
import sys
from bot.cli import parser
try:
    parser().parse_args(["--help"])
except SystemExit:
    pass
print(" ".join(sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))))
"""


def loaded_by_help(first: str = "") -> list[str]:
    """The heavy libraries loaded in a fresh interpreter by `first`, then `cdht --help`."""
    done = subprocess.run(
        [sys.executable, "-c", first + CHECK], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return done.stdout.split("\n")[-2].split()


def test_help_loads_no_heavy_library() -> None:
    assert loaded_by_help() == []


def test_the_check_sees_a_heavy_import() -> None:
    assert "matplotlib" in loaded_by_help("import bot.reports\n")
