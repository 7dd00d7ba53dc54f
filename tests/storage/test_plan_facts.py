"""QĐ 387 title records and the association's numbers: CSV import as people save it (Excel on
Windows: BOM and `;`), all lines or none, every bad line named; sums over a subtree."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from conversations.i18n import ExplainedError, Translator
from conversations.plan import check_fact, parse_pair
from conversations.text import fold
from storage.csv_text import find_columns, read_csv
from storage.db import make_sessionmaker, unit_of_work
from storage.models import OrgUnit, PlanFact
from storage.plan_facts import fact_totals
from storage.titles_import import COLUMNS, import_facts
from tests.storage.leaders_world import commune

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
GOOD = (
    "\ufeffXã;Nơi;Loại;Năm;Đạt;Tổng\r\n"
    "Xã Hải Hậu;Xóm 1;Gia đình học tập;2026;85;120\r\n"
    "Xã Hải Hậu;Xóm 1;Dòng họ học tập;2026;3;5\r\n"
    "Xã Hải Hậu;Xóm 2;gia dinh;2026;40;90\r\n"
    "Xã Hải Hậu;Xóm 1;Cộng đồng học tập;2026;1;\r\n"
    "Xã Hải Hậu;Xóm 2;Cộng đồng học tập;2026;0;1\r\n"
    "Xã Hải Hậu;Trường Tiểu học;Đơn vị học tập;2026;1;1\r\n"
    "Xã Hải Hậu;;members_trained;2026;150;200\r\n"
    "W14215;;chairs_cltc;2026;1;1\r\n"
)


async def places(session: AsyncSession) -> OrgUnit:
    hai_hau = await commune(session, "Xã Hải Hậu", "Ninh Bình")
    for kind, name in [("village", "Xóm 1"), ("village", "Xóm 2"), ("unit", "Trường Tiểu học")]:
        session.add(OrgUnit(parent_id=hai_hau.id, kind=kind, name=name, search_key=fold(name)))
    await session.flush()
    return hai_hau


async def test_an_excel_file_with_bom_and_semicolons_imports(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        hai_hau = await places(session)
        result = await import_facts(session, GOOD, NOW)
    assert result.errors == ()
    assert result.stored == 8
    async with unit_of_work(sessions) as session:
        hai_hau = await commune(session, "Xã Hải Hậu", "Ninh Bình")
        totals = await fact_totals(session, hai_hau, 2026)
        sql = await session.execute(
            select(PlanFact.metric, func.sum(PlanFact.done), func.sum(PlanFact.total)).group_by(
                PlanFact.metric
            )
        )
        assert dict(totals) == {metric: (done, total) for metric, done, total in sql}
        assert totals["households"] == (125, 210)
        assert totals["communities"] == (1, 2)
        assert await fact_totals(session, hai_hau, 2025) == {}
        province = await session.get(OrgUnit, hai_hau.parent_id)
        assert province is not None
        assert (await fact_totals(session, province, 2026))["units"] == (1, 1)


async def test_a_file_with_bad_lines_imports_nothing_and_names_each(engine: AsyncEngine) -> None:
    bad = (
        "xa,noi,loai,nam,dat,tong\n"
        "Xã Hải Hậu,Xóm 1,Gia đình học tập,2026,85,120\n"
        "Xã Không Có,Xóm 1,Gia đình học tập,2026,1,2\n"
        "Xã Hải Hậu,Xóm 9,Gia đình học tập,2026,1,2\n"
        "Xã Hải Hậu,Xóm 1,Gia đình học tập,2026,130,120\n"
        "Xã Hải Hậu,Xóm 1,chợ,2026,1,2\n"
        "Xã Hải Hậu,Xóm 1,Gia đình học tập,hai nghìn,1,2\n"
        "Xã Hải Hậu,Xóm 1,Đơn vị học tập,2026,1,1\n"
        "Xã Hải Hậu,Xóm 1,Cộng đồng học tập,2026,2,2\n"
        "Xã Hải Hậu,Xóm 1,Gia đình học tập,2026,5,\n"
    )
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        await places(session)
        result = await import_facts(session, bad, NOW)
    assert result.stored == 0
    errors = [str(error) for error in result.errors]
    assert [e.split(":")[0] for e in errors] == [f"line {n}" for n in range(3, 11)]
    assert "no organisation is named" in errors[0]
    assert "no village or unit named “Xóm 9”" in errors[1]
    assert "More recognised than there are" in errors[2]
    assert "“chợ” is not a title" in errors[3]
    assert "year “hai nghìn”" in errors[4]
    assert "not kept for this place" in errors[5]
    assert "one title" in errors[6]
    assert "the total is empty" in errors[7]
    vietnamese = result.errors[2].text(Translator("vi"))
    assert vietnamese.startswith("dòng 5: Xóm 1: ")
    assert vietnamese != str(result.errors[2])
    async with unit_of_work(sessions) as session:
        assert (
            await session.execute(select(func.count()).select_from(PlanFact))
        ).scalar_one() == 0


def test_a_missing_column_is_named() -> None:
    reader = read_csv("xa;noi;loai;nam\n")
    missing = find_columns(list(reader.fieldnames or []), COLUMNS, ("place", "total"))
    assert isinstance(missing, ExplainedError)
    assert str(missing) == "Line 1 has no column “done” (or dat, so dat, cong nhan)."
    assert (
        missing.text(Translator("vi")) == "Dòng 1 thiếu cột “done” (hoặc dat, so dat, cong nhan)."
    )


@given(st.integers(-5, 300), st.integers(-5, 300))
def test_a_count_is_stored_only_when_it_makes_sense(done: int, total: int) -> None:
    problem = check_fact("village", "households", done, total)
    assert (problem is None) == (0 <= done <= total)
    assert parse_pair(f"{done}/{total}") == ((done, total) if done >= 0 and total >= 0 else None)
