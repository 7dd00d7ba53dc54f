"""Personal data on the console (Law 91/2025/QH15): a consent that names the holder, /dulieu
to see, export and withdraw, the records kept, and the operator's `cdht privacy` commands."""

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from bot.outbox import deliver_many
from bot.scheduler import Campaigns
from bot.settings import Settings
from conversations.digest import Digest
from conversations.events import OutboundMessage
from conversations.roles import RoleName
from storage.db import unit_of_work
from storage.digests import build_digest
from storage.directory import SqlDirectory
from storage.models import AccessRecord, ConsentRecord, Person
from tests.bot.flows import answer_digital, register, score_all
from tests.bot.test_console_cli import WHOLE_ASSESSMENT
from tests.bot.test_leaders import invite, submitted_citizen
from tests.support import Chat, FakeClock, run_cdht

# 26 November 2026, 08:30 in Hanoi: the first reminder round (14 days before 10/12).
# 08:30 in Hà Nội, 14 days before the citizens' deadline (20/11)
REMINDER_DAY = datetime(2026, 11, 6, 1, 30, tzinfo=UTC)


@pytest.fixture
async def privacy_app(sqlite_url: str, clock: FakeClock, tmp_path: Path) -> App:
    settings = Settings(DATABASE_URL=sqlite_url, CDHT_REPORTS_DIR=str(tmp_path / "reports"))
    application = App(settings, clock=clock)
    yield application  # type: ignore[misc]
    await application.close()


def read_json(path: str) -> Any:
    return json.loads(read_text(path))


def read_text(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


async def test_the_consent_names_the_holder_and_the_details_are_one_tap_away(
    privacy_app: App,
) -> None:
    chat = Chat(privacy_app, locale_hint="en")
    await chat.send("/batdau")
    assert "held by the learning association (Hội Khuyến học) of the commune" in chat.text
    assert "delete your data at any time with /dulieu" in chat.text
    assert chat.labels == ["I agree", "Details", "I do not agree"]
    await chat.click("Details")
    for part in (
        "Who holds your data",
        "the administrators of your province's association",  # as storage/scopes.py allows
        "Unfinished answers are deleted after 365 days",
        "91/2025/QH15",
    ):
        assert part in chat.text
    assert "Do you agree?" in chat.last.text
    await chat.click("I agree")
    assert "Your full name and year of birth?" in chat.text
    async with unit_of_work(privacy_app.sessions) as session:
        record = (await session.execute(select(ConsentRecord))).scalar_one()
    assert (record.action, record.version, record.channel) == ("given", "2026-01", "console")
    assert record.at == privacy_app.clock.now()


async def test_the_holder_is_a_setting(sqlite_url: str, clock: FakeClock) -> None:
    settings = Settings(DATABASE_URL=sqlite_url, CDHT_DATA_CONTROLLER="Hội Khuyến học tỉnh X")
    application = App(settings, clock=clock)
    try:
        chat = Chat(application)
        await chat.send("/batdau")
        assert "Hội Khuyến học tỉnh X giữ thông tin này" in chat.text
    finally:
        await application.close()


async def test_a_person_sees_their_data_and_gets_it_as_a_file(privacy_app: App) -> None:
    chat = Chat(privacy_app, locale_hint="en")
    await register(chat)
    await score_all(chat, [8, 6], note="Học lớp trồng nấm")
    await chat.send("/dulieu")
    assert "Your data is held by the learning association (Hội Khuyến học) of Xã Hải Hậu" in (
        chat.text
    )
    await chat.click("See my data")
    for part in (
        "Name: Nguyễn Văn An",
        "Year of birth: 1968",
        "Xóm 3",
        "1: 8 (Học lớp trồng nấm)",
    ):
        assert part in chat.text
    await chat.click("Get it as a file")
    document = chat.latest[1].document
    assert document is not None
    exported = read_json(document)
    assert exported["data_controller"] == "Hội Khuyến học Xã Hải Hậu"
    assert exported["person"]["name"] == "Nguyễn Văn An"
    [assessment] = exported["assessments"]
    assert assessment["answers"][0] == {
        "item_id": "1",
        "score": 8,
        "choice": None,
        "note": "Học lớp trồng nấm",
    }
    assert exported["consents"][0]["version"] == "2026-01"
    assert "Name: Nguyễn Văn An" in chat.latest[0].text  # readable where files cannot go
    await chat.click("Close")
    assert "Indicator 3/10" in chat.text  # back where the person was


async def test_the_file_is_readable_utf8_with_the_answers_in_their_order(privacy_app: App) -> None:
    """Vietnamese is written as itself (not \\u-escaped) and indicator 2 comes before 10."""
    chat = Chat(privacy_app, locale_hint="en")
    await register(chat)
    await score_all(chat, [8] * 10, note="Học lớp trồng nấm")
    await answer_digital(chat)
    await chat.send("/dulieu")
    await chat.click("Get it as a file")
    document = chat.latest[1].document
    assert document is not None
    raw = read_text(document)
    assert "Nguyễn Văn An" in raw
    assert "\\u" not in raw
    [assessment] = read_json(document)["assessments"]
    items = [answer["item_id"] for answer in assessment["answers"]]
    assert items[:10] == [str(n) for n in range(1, 11)]
    assert len(items) == 20


async def test_withdrawing_stops_collection_reminders_and_leaders_view(
    privacy_app: App, clock: FakeClock
) -> None:
    an = await submitted_citizen(privacy_app, "an", [9] * 10)
    binh = Chat(privacy_app, user="binh", locale_hint="en")
    await register(binh)
    chi = Chat(privacy_app, user="chi", locale_hint="en")
    await register(chi)
    leader = Chat(privacy_app, user="lead", locale_hint="en")
    await leader.send(f"/vaitro {await invite(privacy_app, RoleName.COMMUNE)}")
    await leader.send("/lanhdao")
    assert "Waiting for a decision (1)" in leader.labels
    assert len((await digest(privacy_app)).pending_people) == 1

    for person in (an, binh):
        await person.send("/dulieu")
        await person.click("Withdraw my consent")
        assert "leaders no longer see your answers" in person.text
        await person.click("No")  # asks once; "No" keeps everything
        await person.click("Withdraw my consent")
        await person.click("Yes, withdraw")
        assert "Done: your consent is withdrawn." in person.text
    await binh.send("7")
    assert "You have withdrawn your consent, so I collect nothing more." in binh.text
    async with unit_of_work(privacy_app.sessions) as session:
        actions = (await session.execute(select(ConsentRecord.action))).scalars().all()
    assert sorted(actions) == ["given"] * 3 + ["withdrawn"] * 2

    await leader.send("/lanhdao")
    assert "Waiting for a decision (1)" not in leader.labels
    assert "Waiting for a decision (0)" in leader.labels
    assert (await digest(privacy_app)).pending_people == ()

    received: list[str] = []

    async def record(user: str, message: OutboundMessage) -> str:
        received.append(user)
        return "sent"

    clock.current = REMINDER_DAY
    await Campaigns(privacy_app, {}, channels=("console",)).plan_now()
    await deliver_many(privacy_app, {"console": record})
    assert "chi" in received
    assert "binh" not in received
    assert "an" not in received

    await binh.send("/batdau")  # agreeing again resumes with what was given
    await binh.click("I agree")
    async with unit_of_work(privacy_app.sessions) as session:
        person = (
            await session.execute(select(Person).where(Person.user_ref == "binh"))
        ).scalar_one()
    assert (person.withdrawn_at, person.name) == (None, "Nguyễn Văn An")


async def test_leader_views_and_reports_are_in_the_access_log(privacy_app: App) -> None:
    await submitted_citizen(privacy_app, "an", [9] * 10)
    leader = Chat(privacy_app, user="lead", locale_hint="en")
    await leader.send(f"/vaitro {await invite(privacy_app, RoleName.COMMUNE)}")
    await leader.send("/lanhdao")
    await leader.click("Waiting for a decision (1)")
    await leader.click("Nguyễn Văn An · Xóm 3 · 90")
    await leader.click("« Back to the list")
    await leader.click("« Leader menu")
    await leader.click("Excel report")
    async with unit_of_work(privacy_app.sessions) as session:
        people = {p.user_ref: p.id for p in (await session.execute(select(Person))).scalars()}
        records = (await session.execute(select(AccessRecord).order_by(AccessRecord.id))).scalars()
        seen = [(r.screen, r.actor_id, r.subject_id, r.via) for r in records]
    assert seen == [
        ("answers", people["lead"], people["an"], "chat"),
        ("report", people["lead"], None, "chat"),
    ]


async def digest(app: App) -> Digest:
    async with unit_of_work(app.sessions) as session:
        commune = (await SqlDirectory(session).search_communes("hai hau", 1))[0].id
        found = await build_digest(session, commune, 2026, app.clock.now(), app.settings.timezone)
    assert found is not None
    return found


def _cdht(database: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_cdht(*args, database=database, stdin=stdin, CDHT_LOCALE="vi")


def test_operator_commands_export_delete_audit_and_purge(tmp_path: Path) -> None:
    database = tmp_path / "cdht.db"
    chat = _cdht(database, "chat", "--user", "binh", stdin="\n".join(WHOLE_ASSESSMENT))
    assert chat.returncode == 0, chat.stderr
    out = tmp_path / "binh.json"
    export = _cdht(
        database, "privacy", "export", "--channel", "console", "--user", "binh", "--out", str(out)
    )
    assert export.returncode == 0, export.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["person"]["name"] == "Phạm Văn Bình"
    person = ("--channel", "console", "--user", "binh")
    kept = _cdht(database, "privacy", "delete", *person, stdin="no\n")
    assert "Chưa xóa gì." in kept.stdout  # the terminal speaks Vietnamese by default
    gone = _cdht(database, "privacy", "delete", *person, stdin="Có\n")
    assert gone.returncode == 0, gone.stderr
    assert "Giữ lại để thống kê hằng năm: 1 bản đánh giá không tên" in gone.stdout
    again = _cdht(database, "privacy", "export", *person, "--out", str(out))
    assert again.returncode == 2
    assert "Lỗi: Không có ai được lưu với mã “binh” trên console." in again.stderr
    report = _cdht(
        database,
        "report",
        "--org",
        "Xã Hải Hậu",
        "--year",
        "2026",
        "--out",
        str(tmp_path / "r.xlsx"),
    )
    assert report.returncode == 0, report.stderr
    audit = _cdht(database, "privacy", "audit", "--org", "Xã Hải Hậu, Ninh Bình")
    assert audit.returncode == 0, audit.stderr
    lines = audit.stdout.splitlines()
    assert any("cli" in line and "report" in line and "operator" in line for line in lines)
    assert any("export" in line and "người số 1" in line for line in lines)
    assert "Phạm Văn Bình" not in audit.stdout
    purge = _cdht(database, "privacy", "purge")
    assert purge.returncode == 0, purge.stderr
    assert "cũ hơn 365 ngày" in purge.stdout


async def test_digital_answers_are_part_of_the_export(privacy_app: App) -> None:
    chat = Chat(privacy_app, locale_hint="en")
    await register(chat)
    await score_all(chat, [9] * 10)
    await answer_digital(chat)
    await chat.send("/dulieu")
    await chat.click("Get it as a file")
    document = chat.latest[1].document
    assert document is not None
    answers = read_json(document)["assessments"][0]["answers"]
    assert len(answers) == 20
