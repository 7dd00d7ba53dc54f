"""A village leader keeps households and clans by name in chat (add, recognise, remove), the
counts then come from the names, a CSV pasted in chat imports all lines or none, and a
citizen says which household they belong to after the result."""

from sqlalchemy import select

from bot.app import App
from conversations.events import EventKind, InboundEvent
from conversations.roles import RoleName
from storage.db import unit_of_work
from storage.models import NamedUnit, OrgUnit, Person
from storage.plan_facts import fact_totals
from storage.state_store import StateStore
from tests.bot.flows import answer_digital, register, score_all
from tests.bot.test_leaders import commune_leader, invite, leader_app  # noqa: F401
from tests.bot.test_titles import add_places
from tests.support import Chat


async def households_in_commune(app: App) -> tuple[int, int] | None:
    async with unit_of_work(app.sessions) as session:
        commune = (
            await session.execute(select(OrgUnit).where(OrgUnit.name == "Xã Hải Hậu"))
        ).scalar_one()
        return (await fact_totals(session, commune, 2026)).get("households")


async def village_leader(app: App) -> Chat:
    village = Chat(app, user="xom5", locale_hint="en")
    await village.send(f"/vaitro {await invite(app, RoleName.VILLAGE, 'Xóm 5')}")
    await village.send("/lanhdao")
    await village.click("Titles and the association's numbers")
    return village


async def test_a_village_leader_keeps_households_by_name(leader_app: App) -> None:  # noqa: F811
    leader = await commune_leader(leader_app)
    await add_places(leader)
    village = await village_leader(leader_app)
    await village.click("Learning families: not entered")
    await village.send("85/120")  # a typed count first: the names replace it below
    assert await households_in_commune(leader_app) == (85, 120)
    await village.click("Households by name (0)")
    assert "Learning families, 2026: 0 of 0 recognised." in village.text
    assert "No names yet" in village.text
    await village.click("Add names")
    await village.send("12345")
    assert "Each name needs letters" in village.text
    await village.send("Nguyễn Văn An\nTrần Thị Bình\n\nnguyen van an\nLê Văn Cường")
    assert "Added: 3" in village.text
    assert village.labels == [
        "Lê Văn Cường",
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Add names",
        "Remove a name",
    ]
    assert await households_in_commune(leader_app) == (0, 3)

    await village.click("Nguyễn Văn An")
    assert "Saved." in village.text
    assert "✓ Nguyễn Văn An" in village.labels
    await village.send("tran thi binh")  # typed, accents left out
    assert "Learning families, 2026: 2 of 3 recognised." in village.text
    await village.send("Phạm Không Có")
    assert "That name is not in the list." in village.text
    await village.click("Remove a name")
    await village.click("Lê Văn Cường")
    assert "Removed: Lê Văn Cường." in village.text
    assert "Learning families, 2026: 2 of 2 recognised." in village.text
    assert await households_in_commune(leader_app) == (2, 2)

    await village.click("« Back")
    assert "Learning families: 2/2" in village.labels
    assert "Households by name (2)" in village.labels
    await village.click("Learning families: 2/2")  # kept by name: the list, not a typed count
    assert "Learning families, 2026: 2 of 2 recognised." in village.text

    await leader.send("/lanhdao")
    await leader.click("Progress report")
    assert "Learning families: 100% (2/2)" in leader.text


async def test_a_csv_pasted_in_chat_imports_all_lines_or_none(leader_app: App) -> None:  # noqa: F811
    leader = await commune_leader(leader_app)
    await add_places(leader)
    village = await village_leader(leader_app)
    await village.click("Import from a CSV file")
    assert "Send the CSV file here as a document, or paste its lines." in village.text
    await village.send(
        "Loại;Năm;Đạt;Tên\n"
        "Gia đình;2026;1;Nguyễn Văn An\n"
        "Dòng họ;2026;0;Họ Trần\n"
        "Cộng đồng học tập;2026;1;\n"
        "Gia đình;năm nay;1;Trần Thị Bình\n"
    )
    assert "Nothing was imported. Correct these lines and send the file again:" in village.text
    assert "line 4: you cannot record “Cộng đồng học tập”" in village.text
    assert "line 5: year “năm nay” is not a whole number" in village.text
    async with unit_of_work(leader_app.sessions) as session:
        assert (await session.execute(select(NamedUnit))).first() is None
    await village.send("Loại;Năm;Đạt;Tên\nGia đình;2026;1;Nguyễn Văn An\nDòng họ;2026;0;Họ Trần\n")
    assert "Imported: 2 lines." in village.text
    assert "Households by name (1)" in village.labels
    assert "Learning clans: 0/1" in village.labels
    assert await households_in_commune(leader_app) == (1, 1)

    await leader.send("/lanhdao")
    await leader.click("Titles and the association's numbers")
    await leader.click("Import from a CSV file")
    await leader.send("Nơi;Loại;Năm;Đạt;Tổng\nTrường Tiểu học;Đơn vị học tập;2026;1;1\n")
    assert "Imported: 1 lines." in leader.text
    assert "Learning units: 1/1" in leader.labels

    # A unit's own title is the commune's to record: its leader sees it and nothing to tap.
    unit = Chat(leader_app, user="school", locale_hint="en")
    await unit.send(f"/vaitro {await invite(leader_app, RoleName.UNIT, 'Trường Tiểu học')}")
    await unit.send("/lanhdao")
    await unit.click("Titles and the association's numbers")
    assert "Learning units: 1/1" in unit.text
    assert unit.labels == ["« Leader menu"]


async def test_a_citizen_says_which_household_after_the_result(leader_app: App) -> None:  # noqa: F811
    leader = await commune_leader(leader_app)
    await add_places(leader)
    citizen = Chat(leader_app, user="an", locale_hint="en")
    await register(citizen, place="Xóm 5")
    await score_all(citizen, [9] * 10)
    await answer_digital(citizen)
    await citizen.click("Change an answer")
    assert "Household" not in citizen.labels  # the village keeps no names yet

    village = await village_leader(leader_app)
    await village.click("Households by name (0)")
    await village.click("Add names")
    await village.send("Nguyễn Văn An\nTrần Thị Bình")

    await citizen.send("/ketqua")  # still choosing what to change: now with the household
    await citizen.click("Household")
    assert "Which household of Xóm 5 do you belong to?" in citizen.text
    assert citizen.labels == ["Nguyễn Văn An", "Trần Thị Bình", "None of these"]
    await citizen.send("an")  # part of both names: asked again
    assert "No single household of the list has that name." in citizen.text
    await citizen.send("binh")
    assert "Saved." in citizen.text
    assert "Send for confirmation" in citizen.labels  # back at the result
    assert await household_of(leader_app, "an") == "Trần Thị Bình"
    await citizen.click("Change an answer")
    await citizen.click("Household")
    assert "Now: Trần Thị Bình." in citizen.text
    await citizen.click("None of these")
    assert await household_of(leader_app, "an") is None


async def household_of(app: App, user: str) -> str | None:
    async with unit_of_work(app.sessions) as session:
        query = (
            select(NamedUnit.name)
            .join(Person, Person.household_id == NamedUnit.id)
            .where(Person.user_ref == user)
        )
        return (await session.execute(query)).scalar_one_or_none()


async def test_a_file_is_read_only_where_one_is_asked_for(leader_app: App) -> None:  # noqa: F811
    citizen = Chat(leader_app, user="an", locale_hint="en")
    await citizen.send("/batdau")
    await citizen.click("I agree")

    def document(user: str, text: str = "", content: str | None = None) -> InboundEvent:
        kind = EventKind.DOCUMENT
        return InboundEvent("console", user, kind, text=text, file_ref="f", document=content)

    async def said(event: InboundEvent) -> str:
        return "\n".join(reply.text for reply in await leader_app.dispatch(event))

    assert "I can only read typed answers." in await said(document("an", content="Xóm 5;A"))
    caption = document("an", text="Nguyễn Văn An", content="x")  # its caption is the answer
    assert "What year were you born?" in await said(caption)

    leader = await commune_leader(leader_app)
    await leader.click("Titles and the association's numbers")
    await leader.click("Import from a CSV file")
    unread = document("lead")  # too big, not text, or not fetched
    assert "I could not read that file." in await said(unread)


async def test_a_commune_leader_at_a_village_screen_is_told_no(leader_app: App) -> None:  # noqa: F811
    leader = await commune_leader(leader_app)
    async with unit_of_work(leader_app.sessions) as session:
        store = StateStore(session, leader_app.criteria, leader_app.digital)
        state = await store.load("console", "lead")
        assert state is not None
        await store.save(
            "console", "lead", state.at("lead_named:households"), leader_app.clock.now()
        )
    await leader.send("hello")
    assert "You do not have permission to do this." in leader.text


async def test_a_long_list_of_names_comes_in_pages(leader_app: App) -> None:  # noqa: F811
    leader = await commune_leader(leader_app)
    await add_places(leader)
    village = await village_leader(leader_app)
    await village.click("Households by name (0)")
    await village.click("Add names")
    await village.send("\n".join(f"Hộ {n:02d}" for n in range(25)))
    assert "Added: 25" in village.text
    assert "Page 1/2." in village.text
    assert village.labels[19:] == ["Hộ 19", "Next page »", "Add names", "Remove a name"]
    await village.click("Next page »")
    assert village.labels == ["Hộ 20", "Hộ 21", "Hộ 22", "Hộ 23", "Hộ 24", "« Previous page",
                              "Add names", "Remove a name"]  # fmt: skip
    await village.click("Hộ 24")
    assert "✓ Hộ 24" in village.labels  # still on page 2
    await village.send("ho 03")  # a name on the other page, typed
    assert "Learning families, 2026: 2 of 25 recognised." in village.text
