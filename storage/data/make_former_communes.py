"""Regenerate former-communes.csv: which pre-2025 commune became which 2025 commune.

Source: the MIT-licensed package vietnamadminunits 1.0.4
(https://github.com/tranngocminhhieu/vietnamadminunits), its converter_2025.json and
dataset.db, built from the National Assembly Standing Committee resolutions of 2025 on the
rearrangement of commune-level units. `vietnam-provinces` (the source of the 2025 tree) has
no pre-2025 names in its 2025.10.1 release, the newest on the package index here.

Run by hand, once per new release: `pip download vietnamadminunits --no-deps`, unzip it,
then `python storage/data/make_former_communes.py UNZIPPED_DIR`. Not imported by cdht.
"""

import csv
import json
import sqlite3
import sys
from pathlib import Path

OUT = Path(__file__).with_name("former-communes.csv")


def main(package_dir: Path) -> None:
    data = package_dir / "vietnamadminunits" / "data"
    converter = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    db = sqlite3.connect(data / "dataset.db")
    new_code = {
        (province, ward): code
        for province, ward, code in db.execute(
            "SELECT provinceKey, wardKey, wardCode FROM admin_units"
        )
    }
    old_names = {
        f"{p}_{d}_{w}": (ward, district, province)
        for p, d, w, ward, district, province in db.execute(
            "SELECT provinceKey, districtKey, wardKey, ward, district, province "
            "FROM admin_units_legacy"
        )
    }
    pairs = [
        ((province, ward), old)
        for province, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items()
        for ward, olds in wards.items()
        for old in olds
    ] + [  # a divided commune: each part names the new commune it went to
        ((province, part["newWardKey"]), old)
        for province, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items()
        for old, parts in olds.items()
        for part in parts
    ]
    rows = {
        (int(new_code[key]), *old_names[old])
        for key, old in pairs
        if key in new_code and old in old_names
    }
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["new_code", "former_commune", "former_district", "former_province"])
        writer.writerows(sorted(rows))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
