"""Leaders record the QĐ 387 titles in chat: a village leader its households and clans, a
commune leader its villages, units and the association's numbers; the digest shows them and
each unit's way to the 90% an Đơn vị học tập needs (TT 24/2023)."""

from sqlalchemy import select

from bot.app import App
from conversations.roles import RoleName
from storage.db import unit_of_work
from storage.models import PlanFact
from tests.bot.test_leaders import commune_leader, invite, leader_app  # noqa: F401
from tests.support import Chat


async def facts(app: App) -> dict[str, tuple[int, int]]:
    async with unit_of_work(app.sessions) as session:
        rows = (await session.execute(select(PlanFact))).scalars()
        return {row.metric: (row.done, row.total) for row in rows}


async def add_places(leader: Chat) -> None:
    for kind, line in [
        ("Village or residential group", "Xóm 5, 320"),
        ("Agency, school or company", "Trường Tiểu học, 40"),
    ]:
        await leader.click("Add a village or unit")
        await leader.click(kind)
        await leader.send(line)
        await leader.send("/lanhdao")


async def test_village_and_commune_leaders_record_titles(leader_app: App) -> None:  # noqa: F811
    leader = await commune_leader(leader_app)
    await add_places(leader)
    village = Chat(leader_app, user="xom5", locale_hint="en")
    await village.send(f"/vaitro {await invite(leader_app, RoleName.VILLAGE, 'Xóm 5')}")
    await village.send("/lanhdao")
    await village.click("Titles and the association's numbers")
    assert village.labels == [
        "Learning clans: not entered",
        "Learning families: not entered",
        "Clans by name (0)",
        "Households by name (0)",
        "Import from a CSV file",
        "« Leader menu",
    ]
    await village.click("Learning families: not entered")
    await village.send("nhiều")
    assert "Please type two numbers, e.g. 85/120." in village.text
    await village.send("130/120")
    assert "More recognised than there are" in village.text
    assert await facts(leader_app) == {}  # nothing stored from bad input
    await village.send("85/120")
    assert "Saved." in village.text
    assert "Learning families: 85/120" in village.labels
    await village.click("Learning clans: not entered")
    await village.send("3 5")
    assert await facts(leader_app) == {"households": (85, 120), "clans": (3, 5)}

    await leader.click("Titles and the association's numbers")
    assert "Learning communities: 0/1" in leader.labels
    assert "Members trained on the Learning Citizen criteria: not entered" in leader.labels
    await leader.click("Learning communities: 0/1")
    await leader.click("Xóm 5")
    assert "✓ Xóm 5" in leader.labels
    await leader.click("« Back")
    await leader.click("Learning units: 0/1")
    await leader.click("Trường Tiểu học")
    await leader.click("✓ Trường Tiểu học")  # tapped twice: the mark is taken back
    assert "Trường Tiểu học" in leader.labels
    await leader.click("« Back")
    await leader.click("Members trained on the Learning Citizen criteria: not entered")
    await leader.send("150/200")
    stored = await facts(leader_app)
    assert stored["communities"] == (1, 1)
    assert stored["units"] == (0, 1)
    assert stored["members_trained"] == (150, 200)

    await leader.send("/lanhdao")
    await leader.click("Progress report")
    assert "Learning families: 71% (85/120)" in leader.text
    assert "Learning communities: 100% (1/1)" in leader.text
    assert "Members trained on the Learning Citizen criteria: 75% (150/200)" in leader.text
    assert "Trường Tiểu học: 0% (0/40), 36 more people" in leader.text
