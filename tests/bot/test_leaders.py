"""Leaders in the chat: join with a code, confirm or return, reports, invitations, places."""

from pathlib import Path

import openpyxl
import pytest

from bot.app import App
from bot.outbox import deliver
from bot.settings import Settings
from conversations.events import OutboundMessage
from conversations.roles import RoleName
from storage.db import unit_of_work
from storage.directory import SqlDirectory
from storage.leadership import create_invite
from tests.bot.flows import answer_digital, register, score_all
from tests.bot.test_transcripts import stored
from tests.support import Chat, FakeClock


@pytest.fixture
async def leader_app(sqlite_url: str, clock: FakeClock, tmp_path: Path) -> App:
    settings = Settings(
        DATABASE_URL=sqlite_url,
        CDHT_REPORTS_DIR=str(tmp_path / "reports"),
        TELEGRAM_BOT_USERNAME="cdht_test_bot",
    )
    application = App(settings, clock=clock)
    yield application  # type: ignore[misc]
    await application.close()


async def invite(app: App, role: RoleName, place: str = "") -> str:
    async with unit_of_work(app.sessions) as session:
        commune = (await SqlDirectory(session).search_communes("hai hau", 1))[0]
        org_id = commune.id
        if place:
            org_id = next(
                p.id for p in await SqlDirectory(session).places_in(commune.id) if p.name == place
            )
        return await create_invite(session, role, org_id, app.clock.now())


async def submitted_citizen(app: App, user: str, scores: list[int]) -> Chat:
    citizen = Chat(app, user=user, locale_hint="en")
    await register(citizen)
    await score_all(citizen, scores)
    await answer_digital(citizen)
    await citizen.click("Send for confirmation")
    return citizen


async def inbox(app: App, user: str) -> list[str]:
    """What the outbox delivers to one console user."""
    received: list[OutboundMessage] = []

    async def send(_user: str, message: OutboundMessage) -> str:
        received.append(message)
        return "sent"

    await deliver(app, "console", send, user)
    return [message.text for message in received]


async def commune_leader(app: App) -> Chat:
    leader = Chat(app, user="lead", locale_hint="en")
    await leader.send(f"/vaitro {await invite(app, RoleName.COMMUNE)}")
    assert "You are now commune association leader of Xã Hải Hậu" in leader.text
    await leader.send("/lanhdao")
    return leader


async def test_a_commune_leader_confirms_and_recognises_and_the_citizen_is_told(
    leader_app: App,
) -> None:
    citizen = await submitted_citizen(leader_app, "an", [9] * 10)
    leader = await commune_leader(leader_app)
    assert "Waiting for a decision (1)" in leader.labels
    await leader.click("Waiting for a decision (1)")
    await leader.click("Nguyễn Văn An · Xóm 3 · 90")
    assert "Meets the rule for the title." in leader.text
    assert "Confirm: the association checked the answers" in leader.text  # the difference
    assert "the title is not given yet" in leader.text
    await leader.click("Confirm and recognise")
    assert "Recognise Nguyễn Văn An as “Công dân học tập” for 2026?" in leader.text
    await leader.click("No, go back")  # nothing decided
    assert "Confirm and recognise" in leader.labels
    assert await inbox(leader_app, "an") == []
    await leader.click("Confirm and recognise")
    await leader.click("Yes, recognise Nguyễn Văn An")
    assert "Recognised: Nguyễn Văn An." in leader.text
    assert "Leader menu" in leader.last.text
    assert await inbox(leader_app, "an") == [
        "Congratulations! You are recognised as “Công dân học tập” for 2026."
    ]
    assert await inbox(leader_app, "an") == []  # sent once
    state = await stored(leader_app, "an")
    assert state is not None
    assert state.assessment is not None
    assert state.assessment.status == "recognised"
    await citizen.send("/ketqua")
    assert "You are recognised as “Công dân học tập” for 2026." in citizen.text
    assert "may be considered" not in citizen.text


async def test_a_returned_assessment_is_fixed_and_sent_again(leader_app: App) -> None:
    citizen = await submitted_citizen(leader_app, "an", [9, 9, 9, 9, 9, 4, 9, 9, 9, 9])
    leader = await commune_leader(leader_app)
    await leader.click("Waiting for a decision (1)")
    await leader.click("Nguyễn Văn An · Xóm 3 · 85")
    assert "Confirm and recognise" not in leader.labels  # indicator 6 is below 5
    await leader.click("Return for changes")
    assert "Return the self-assessment of Nguyễn Văn An for changes?" in leader.text
    await leader.click("Yes, return it to Nguyễn Văn An")
    await leader.send("Chỉ số 6 cần minh chứng học tiếng Anh")
    assert "Returned to Nguyễn Văn An for changes." in leader.text
    [notice] = await inbox(leader_app, "an")
    assert "Reason: Chỉ số 6 cần minh chứng học tiếng Anh" in notice
    await citizen.send("/tiep")
    assert "Returned by the learning association. Reason: Chỉ số 6" in citizen.text
    await citizen.send("/sua 6")
    await citizen.send("6, Lớp tiếng Anh ở nhà văn hóa")
    assert "Your result for 2026: 87/100 points." in citizen.text
    await citizen.click("Send for confirmation")
    assert "Sent." in citizen.text
    await leader.send("/lanhdao")
    await leader.click("Waiting for a decision (1)")
    await leader.click("Nguyễn Văn An · Xóm 3 · 87")
    assert "Lớp tiếng Anh ở nhà văn hóa" in leader.text
    await leader.click("Confirm")
    assert "Confirmed: Nguyễn Văn An." in leader.text
    assert await inbox(leader_app, "an") == [
        "The learning association has confirmed your self-assessment for 2026. "
        "Recognition of the title is decided separately."
    ]
    await citizen.send("/ketqua")
    assert "The learning association has confirmed your answers." in citizen.text
    assert "You are recognised" not in citizen.text
    await leader.send("/lanhdao")
    await leader.click("Waiting for a decision (1)")
    assert leader.labels[0] == "Nguyễn Văn An · Xóm 3 · 87 · confirmed, waiting for recognition"


@pytest.mark.parametrize("command", ["/lanhdao", "/leader"])
async def test_a_citizen_gets_no_leader_screen(leader_app: App, command: str) -> None:
    await submitted_citizen(leader_app, "an", [9] * 10)
    other = Chat(leader_app, user="binh", locale_hint="en")
    await other.send(command)
    assert other.latest[0].text == "You do not have permission to do this."
    assert "Nguyễn" not in other.text


async def test_a_wrong_or_used_code_gives_no_role(leader_app: App) -> None:
    code = await invite(leader_app, RoleName.COMMUNE)
    first, second = (
        Chat(leader_app, user="a", locale_hint="en"),
        Chat(leader_app, user="b", locale_hint="en"),
    )
    await first.send(f"/vaitro {code}")
    await second.send(f"/vaitro {code}")
    assert "This code cannot be used" in second.text
    await second.send("/vaitro khongco")
    assert "This code cannot be used" in second.text
    await second.send("/lanhdao")
    assert second.latest[0].text == "You do not have permission to do this."


async def test_reports_in_chat_are_a_digest_with_a_chart_and_an_excel_file(
    leader_app: App,
) -> None:
    await submitted_citizen(leader_app, "an", [9] * 10)
    leader = await commune_leader(leader_app)
    await leader.click("Progress report")
    digest, chart = leader.latest[0], leader.latest[1]
    assert "Progress of Xã Hải Hậu, 2026" in digest.text
    assert "Sent: 1" in digest.text
    assert chart.image is not None
    with Path(chart.image).open("rb") as image:  # noqa: ASYNC230  (a small test file)
        assert image.read(4) == b"\x89PNG"
    await leader.click("Excel report")
    document = leader.latest[0].document
    assert document is not None
    workbook = openpyxl.load_workbook(document)
    assert workbook.sheetnames[:2] == ["Report", "Summary"]


async def test_places_links_and_invitations_from_the_chat(leader_app: App) -> None:
    leader = await commune_leader(leader_app)
    await leader.click("Add a village or unit")
    await leader.click("Village or residential group")
    await leader.send("Xóm 5, 320")
    assert "Added: Xóm 5." in leader.text
    await leader.click("Invitation links and QR codes")
    await leader.click("Xóm 5")
    link = leader.latest[0].text.splitlines()[0]
    assert link.startswith("https://t.me/cdht_test_bot?start=")
    assert leader.latest[1].image is not None
    citizen = Chat(leader_app, user="hoa", locale_hint="en")
    await citizen.send("/batdau " + link.rsplit("=", 1)[1])
    await citizen.click("I agree")
    await citizen.send("Lê Thị Hoa")
    await citizen.send("1980")
    assert "Which group are you in?" in citizen.last.text  # commune and village pre-selected
    await leader.click("Invite a leader")
    await leader.click("village association leader")
    assert leader.labels == ["Xóm 5"]
    await leader.click("Xóm 5")
    code = leader.latest[0].text.split("\n")[0].rsplit(" ", 1)[1]
    village = Chat(leader_app, user="xom5", locale_hint="en")
    await village.send(f"/vaitro {code}")
    assert "You are now village association leader of Xóm 5" in village.text
    await village.send("/lanhdao")
    assert "Invite a leader" not in village.labels
    assert "Add a village or unit" not in village.labels


async def test_after_a_return_name_and_village_are_changed_and_resent(leader_app: App) -> None:
    citizen = await submitted_citizen(leader_app, "an", [9] * 10)
    leader = await commune_leader(leader_app)
    await leader.click("Waiting for a decision (1)")
    await leader.click("Nguyễn Văn An · Xóm 3 · 90")
    await leader.click("Return for changes")
    await leader.click("Yes, return it to Nguyễn Văn An")
    await leader.send("Sai tên và xóm")
    await citizen.send("/tiep")
    await citizen.click("Change an answer")
    await citizen.click("Name")
    await citizen.send("Nguyễn Văn Ân")
    await citizen.click("Change an answer")
    await citizen.click("Village or unit")
    await citizen.send("Xóm 4")
    assert "Your result for 2026: 90/100 points." in citizen.text
    await citizen.click("Send for confirmation")
    assert "Sent." in citizen.text
    await leader.send("/lanhdao")
    await leader.click("Waiting for a decision (1)")
    assert "Nguyễn Văn Ân · Xóm 4 · 90" in leader.labels
