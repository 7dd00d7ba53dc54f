"""The plan's targets file: every column of both roadmap tables for 2022-2030, loaded onto
the communes that took over the former Hải Hậu district, all or nothing."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from conversations.plan import QD387, QD677, programme_metrics
from storage.db import make_sessionmaker, unit_of_work
from storage.models import OrgUnit, TargetRow
from storage.targets import DATA_DIR, TargetsError, load_plan, read_targets, target_for

PLAN = DATA_DIR / "targets-hai-hau-plan.toml"
# The two tables as printed in the plan (percent), typed again here from the document.
TABLE_387 = {  # households, clans, communities, units, chairs, officers, members briefed
    2022: (60, 55, 55, 55, 75, 30, 75),
    2025: (75, 70, 70, 70, 90, 45, 90),
    2026: (60, 55, 55, 80, 75, 50, 100),
    2030: (85, 80, 80, 90, 95, 70, 100),
}
TABLE_677 = {  # members trained, adults, staff, digital skills
    2022: (70, 35, 50, 45),
    2025: (85, 50, 65, 70),
    2026: (100, 50, 70, 80),
    2030: (100, 70, 90, 100),
}


def test_every_column_of_both_tables_for_every_year() -> None:
    _, entries = read_targets(PLAN)
    values = {(e.metric, e.year): round(e.value * 100) for e in entries}
    for programme in (QD387, QD677):
        for metric in programme_metrics(programme):
            if metric.id == "digital_proficient":
                continue  # text only, no table column
            years = sorted(y for m, y in values if m == metric.id)
            assert years == list(range(2022, 2031)), metric.id
    for table, programme in ((TABLE_387, QD387), (TABLE_677, QD677)):
        columns = [m.id for m in programme_metrics(programme) if m.id != "digital_proficient"]
        for year, row in table.items():
            assert [values[(metric, year)] for metric in columns] == list(row), year


def test_where_text_and_table_disagree_the_table_is_loaded_and_said() -> None:
    _, entries = read_targets(PLAN)
    values = {(e.metric, e.year): round(e.value * 100) for e in entries}
    assert values[("households", 2025)] == 75  # the text says 70%
    assert values[("cdht_staff", 2030)] == 90  # the text says 85%
    assert "THE TABLE WINS" in PLAN.read_text(encoding="utf-8")


async def test_loaded_onto_the_communes_that_took_over_the_district(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        names = await load_plan(session, PLAN)
    assert len(names) == 8
    assert "Xã Hải Thịnh" in names
    async with unit_of_work(sessions) as session:
        hai_an = (
            await session.execute(select(OrgUnit).where(OrgUnit.name == "Xã Hải An"))
        ).scalar_one()
        units = await target_for(session, hai_an.id, 2027, "units")
        assert units is not None
        assert units.value == pytest.approx(0.82)
        assert "huyện Hải Hậu cũ" in str(units.source)
        count = (
            select(func.count()).select_from(TargetRow).where(TargetRow.org_unit_id == hai_an.id)
        )
        assert (await session.execute(count)).scalar_one() == 101


async def test_a_commune_missing_from_the_tree_loads_nothing(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    broken = tmp_path / "plan.toml"
    text = PLAN.read_text(encoding="utf-8").replace('code = "W14308"', 'code = "W99999"')
    broken.write_text(text, encoding="utf-8")
    sessions = make_sessionmaker(engine)
    with pytest.raises(TargetsError, match="these communes are not in the tree: W99999"):
        async with unit_of_work(sessions) as session:
            await load_plan(session, broken)
    async with unit_of_work(sessions) as session:
        households = select(func.count()).where(TargetRow.metric == "households")
        assert (await session.execute(households)).scalar_one() == 0
