"""Pre-2025 commune, district and province names, and the 2025 commune each became.

People keep typing the old names for years ("xã Hải Trung", "huyện Hải Hậu, Nam Định"):
the commune search finds the new commune by them and says which old unit it was.
Data: storage/data/former-communes.csv (how it is made: make_former_communes.py there).
"""

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from conversations.text import fold

DATA = Path(__file__).parent / "data" / "former-communes.csv"
_DIVISION = re.compile(r"^(xa|phuong|thi tran|huyen|quan|thi xa|thanh pho|tinh) ")


@dataclass(frozen=True)
class Former:
    commune: str  # "Thị trấn Thịnh Long"
    district: str  # "Huyện Hải Hậu"
    province: str  # "Tỉnh Nam Định"

    @property
    def label(self) -> str:
        return f"{self.commune}, {self.district}, {self.province}"

    @property
    def words(self) -> set[str]:
        return set(fold(self.label).split())


@cache
def former_units() -> dict[int, tuple[Former, ...]]:
    """New commune code (14215) -> the former communes it took in."""
    found: dict[int, list[Former]] = {}
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            former = Former(row["former_commune"], row["former_district"], row["former_province"])
            found.setdefault(int(row["new_code"]), []).append(former)
    return {code: tuple(items) for code, items in found.items()}


@cache
def former_provinces() -> frozenset[str]:
    """Folded pre-2025 province names without "tỉnh"/"thành phố": "nam dinh", "ha tay"."""
    names = {former.province for formers in former_units().values() for former in formers}
    return frozenset(_DIVISION.sub("", fold(name)) for name in names)


def search_words(name: str, province: str, code: int) -> str:
    """The search key of a commune: the words of its name, its province and every former
    commune, district and province it took in, each word once."""
    words = fold(f"{name} {province}").split()
    for former in former_units().get(code, ()):
        words += [word for word in fold(former.label).split() if word not in words]
    return " ".join(words)


def matching_former(code: int, query: str) -> Former | None:
    """The former unit of this commune that the typed words name, if any."""
    typed = fold(query).split()
    for former in former_units().get(code, ()):
        own = fold(former.label).split()
        if all(any(word.startswith(t) for word in own) for t in typed):
            return former
    return None
