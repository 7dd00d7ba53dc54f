"""Hostile input at every step of the citizen and leader flows, through App.dispatch and real
storage: unicode digits, control characters, NUL, huge numbers, very long strings, forged
buttons and command arguments. Every event gets an answer, none an apology (an exception
inside), a refusal changes nothing, and the stored state stays valid.

A scripted walk visits every step once and records each person's state there; each
hypothesis example then puts people back at every recorded step (the walk is not replayed)
and sends one hostile event there."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.app import APOLOGY, App
from bot.settings import Settings
from conversations.events import EventKind, InboundEvent, OutboundMessage, from_typed_text
from conversations.i18n import Translator
from conversations.roles import RoleName
from conversations.state import UserState
from conversations.steps import STEPS, split
from storage.db import unit_of_work
from storage.migrate import upgrade
from storage.state_store import StateStore
from tests.bot.test_leaders import invite
from tests.support import Chat, FakeClock, postgres_url_or_skip, reset_postgres

NINES = [("click", "9")] * 10
DIGITAL = [("click", "I can do it")] * 10
CITIZEN = [
    ("as", "an"),
    ("send", "xin chào"),
    ("click", "I do not agree"),
    ("send", "/batdau"),
    ("click", "I agree"),
    ("send", "Nguyễn Văn An"),
    ("send", "68"),  # read as 1968, then asked
    ("click", "Yes"),
    ("send", "hai"),  # several communes: a list to pick from
    ("send", "hai hau"),
    ("send", "Xóm 3"),
    ("send", "làm ruộng"),
    ("send", "/huy"),
    ("click", "No, continue"),
    ("send", "/ngonngu"),
    ("click", "English"),
    *NINES,
    *DIGITAL,
    ("click", "Change an answer"),
    ("send", "3"),
    ("click", "8"),
    ("click", "Add what you did (evidence)"),
    ("send", "3"),
    ("send", "Đi họp thôn đều"),
    ("click", "Change an answer"),
    ("click", "Digital skills"),
    ("send", "2"),
    ("click", "With help"),
    ("click", "Send for confirmation"),
    ("send", "hello"),
]
LEADER = [
    ("as", "lead"),
    ("invite", "commune_leader"),
    ("send", "/lanhdao"),
    ("click", "Add a village or unit"),
    ("click", "Village or residential group"),
    ("send", "Xóm Mới"),
    ("click", "Places people typed (1)"),  # "Xóm 3", typed by the citizen
    ("click", "Xóm 3 · typed by 1"),
    ("click", "New village or residential group"),
    ("click", "Keep “Xóm 3”"),
    ("click", "Invite a leader"),
    ("click", "village association leader"),
    ("click", "Xóm Mới"),
    ("send", "/lanhdao"),
    ("click", "Invitation links and QR codes"),
    ("click", "Xóm Mới"),
    ("send", "/lanhdao"),
    ("click", "Reminders and calendar"),
    ("click", "Change the citizens' deadline"),
    ("send", "25/11"),
    ("click", "« Leader menu"),
    ("click", "Titles and the association's numbers"),
    ("click", "Learning communities: 0/2"),
    ("click", "<first>"),  # a village marked recognised
    ("click", "« Back"),
    ("click", "Members trained on the Learning Citizen criteria: not entered"),
    ("send", "85/120"),
    ("click", "« Leader menu"),
    ("click", "Waiting for a decision (1)"),
    ("click", "Nguyễn Văn An · Xóm 3 · 89"),
    ("click", "Return for changes"),
    ("click", "Yes, return it to Nguyễn Văn An"),
    ("send", "Cần thêm minh chứng"),
    ("invite", "village_leader"),  # a second role: /lanhdao asks which one
    ("send", "/lanhdao"),
    ("send", "1"),
]
NEIGHBOUR = [  # the commune now has villages, so "not in the list" asks for a typed name
    ("as", "binh"),
    ("send", "/batdau"),
    ("click", "I agree"),
    ("send", "Lê Thị Bình"),
    ("send", "1975"),
    ("send", "hai hau"),
    ("click", "Not in the list"),
    ("send", "Tổ 5"),
    ("send", "/huy"),
    ("click", "Yes, cancel"),
    ("send", "/batdau"),  # registered, no assessment: the group is proposed
    ("click", "« Back"),
    ("send", "làm ruộng"),
    ("click", "Yes, that is right"),
    ("send", "/huy"),
    ("click", "Yes, cancel"),
    ("send", "hello"),
    ("send", "/dulieu"),
    ("click", "Withdraw my consent"),
    ("click", "No"),
    ("click", "Delete my data"),
    ("click", "No"),
    ("click", "Withdraw my consent"),
    ("click", "Yes, withdraw"),
    ("send", "hello"),
]
TITLES = [  # a village leader keeps households by name and imports a CSV; a citizen of the
    # village then says which household is theirs
    ("as", "xom"),
    ("invite", "village_leader"),
    ("send", "/lanhdao"),
    ("click", "Titles and the association's numbers"),
    ("click", "Households by name (0)"),
    ("click", "Add names"),
    ("send", "Nguyễn Văn An\nTrần Thị Bình"),
    ("click", "Nguyễn Văn An"),
    ("click", "Remove a name"),
    ("click", "Trần Thị Bình"),
    ("send", "/lanhdao"),
    ("click", "Titles and the association's numbers"),
    ("click", "Import from a CSV file"),
    ("send", "Loại;Năm;Đạt;Tên\nGia đình;2026;1;Lê Văn Cường"),
    ("as", "cuong"),
    ("send", "/batdau"),
    ("click", "I agree"),
    ("send", "Lê Văn Cường"),
    ("send", "1980"),
    ("send", "hai hau"),
    ("send", "Xóm Mới"),
    ("send", "làm ruộng"),
    *NINES,
    *DIGITAL,
    ("click", "Change an answer"),
    ("click", "Household"),
    ("send", "cuong"),
]
ARABIC_INDIC, FULLWIDTH = 0x0660, 0xFF10


def written_in(zero: int, text: str) -> str:
    return text.translate({ord("0") + d: zero + d for d in range(10)})


HOSTILE_TEXTS = [
    "1²",
    "²",
    "½",
    written_in(ARABIC_INDIC, "1968"),
    written_in(FULLWIDTH, "7"),
    written_in(ARABIC_INDIC, "10/12"),
    "9" * 20,
    "-" + "9" * 30,
    "\x00",
    "Nguyễn\x00Văn An",
    "5/12\x00",
    "85/1²",
    "1/" + "9" * 20,
    "\x1b[31m\x07\x08",
    "\ud800",
    "\u202eAn",
    "\u200b1\u200b",  # invisible: zero-width spaces
    "\U0001d7d9",  # a mathematical digit one, a decimal digit to Python
    "l0",  # look-alikes: a small L and a zero, a Cyrillic O, a Roman numeral
    "\u041e",
    "\u216b",
    "<long:x>",
    "<long:Xóm >",
    "=HYPERLINK(1)",
    "1",
    "3",
    "",
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE_TEXTS),
    st.text(max_size=40),
    st.text(alphabet="0123456789\x00\x01\u00b2\u0661\uff11/:-,. ", max_size=25),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
)
COMMANDS = ["sua", "ngonngu", "batdau", "vaitro", "lanhdao", "tiep", "lai", "huy", "ketqua"]
hostile_event = st.one_of(
    st.tuples(st.just("text"), hostile_text),
    st.tuples(st.sampled_from(COMMANDS), hostile_text),
    st.tuples(st.just("button"), hostile_text),
    st.tuples(st.just("document"), hostile_text),
)
DRAWN = 60  # events per example, reused round the walk's positions
APOLOGIES = {Translator(locale)(APOLOGY) for locale in ("vi", "en")}


class Walk:
    """The scripted walk: who was where, in which state, before each scripted action."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.positions: list[tuple[str, UserState]] = []
        self.visited: set[str] = set()

    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing example
        return f"Walk({len(self.positions)} positions)"

    async def run(self, *scripts: list[tuple[str, str]]) -> None:
        chat = Chat(self.app, locale_hint="en")
        for script in scripts:
            for action, value in script:
                if action == "as":
                    chat = Chat(self.app, user=value, locale_hint="en")
                    continue
                state = await load(self.app, chat.user)
                if state is not None:
                    self.positions.append((chat.user, state))
                    self.visited.add(split(state.step)[0])
                await self.act(chat, action, value)

    async def act(self, chat: Chat, action: str, value: str) -> None:
        if action == "invite":
            place = "Xóm Mới" if value == "village_leader" else ""
            await chat.send(f"/vaitro {await invite(self.app, RoleName(value), place)}")
        elif action == "send":
            await chat.send(value)
        elif value == "<first>":
            await chat.press(chat.last.choices[0].id)
        else:
            await chat.click(value)
        assert not any(reply.error for reply in chat.latest), (action, value, chat.text)


async def load(app: App, user: str) -> UserState | None:
    async with unit_of_work(app.sessions) as session:
        return await StateStore(session, app.criteria, app.digital).load("console", user)


async def put_back(app: App, user: str, state: UserState) -> None:
    async with unit_of_work(app.sessions) as session:
        store = StateStore(session, app.criteria, app.digital)
        await store.save("console", user, state, app.clock.now())


def event_for(user: str, kind: str, text: str) -> InboundEvent:
    if text.startswith("<long:"):  # made here, so a failing example's report stays short
        text = text[len("<long:") : -1] * 2000
    if kind == "text":
        return from_typed_text("console", user, text, locale_hint="en")
    if kind == "button":
        return InboundEvent("console", user, EventKind.CHOICE, choice_id=text)
    if kind == "document":  # a file's text, as a channel read it
        return InboundEvent("console", user, EventKind.DOCUMENT, file_ref="f", document=text)
    return from_typed_text("console", user, f"/{kind} {text}", locale_hint="en")


async def probe(app: App, user: str, state: UserState, event: InboundEvent) -> None:
    """One hostile event at one recorded step, with every promise checked."""
    await put_back(app, user, state)
    before = await load(app, user)
    replies: list[OutboundMessage] = await app.dispatch(event)
    assert replies, "every event gets an answer"
    assert all(reply.text.strip() or reply.document or reply.image for reply in replies)
    assert not APOLOGIES & {reply.text for reply in replies}, (state.step, event)
    after = await load(app, user)
    if after is None:  # "1" at "Delete your data?" is the first option: yes
        assert split(state.step)[0] == "data_erase"
        return
    assert split(after.step)[0] in STEPS
    if any(reply.error for reply in replies):
        assert after == before, "a refusal changes nothing"
    if after.assessment is not None:
        assert all(0 <= score <= 10 for score in after.assessment.scores.values())
    assert "\x00" not in repr(after)


@pytest.fixture
async def walked(sqlite_url: str, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Walk]:
    settings = Settings(DATABASE_URL=sqlite_url, CDHT_REPORTS_DIR=str(tmp_path / "reports"))
    app = App(settings, clock=clock)
    walk = Walk(app)
    await walk.run(CITIZEN, LEADER, NEIGHBOUR, TITLES)
    yield walk
    await app.close()


async def test_the_walk_visits_every_step(walked: Walk) -> None:
    assert walked.visited | {"new"} == set(STEPS)  # "new": a person with no row yet


@settings(
    max_examples=3,  # x 145 (the 144 walked positions, every step, and a stranger): 435 events
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # the failures list says enough
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(hostile_event, min_size=DRAWN, max_size=DRAWN))
async def test_hostile_input_at_every_step_is_answered_and_changes_nothing_it_should_not(
    walked: Walk, events: list[tuple[str, str]]
) -> None:
    first, *others = events
    stranger = event_for(f"new-{len(walked.positions)}", *first)
    assert await walked.app.dispatch(stranger)  # the "new" step: nothing stored before
    failures = []
    for number, (user, state) in enumerate(walked.positions):
        kind, text = others[number % len(others)]
        try:
            await probe(walked.app, user, state, event_for(user, kind, text))
        except Exception as failure:  # every step is tried, failing or not
            failures.append((state.step, kind, text, repr(failure)[:300]))
    assert failures == []


@pytest.mark.postgres
async def test_nul_and_control_characters_at_every_step_on_postgresql(
    clock: FakeClock, tmp_path: Path
) -> None:
    url = postgres_url_or_skip()
    engine = await reset_postgres(url)
    await upgrade(engine)
    await engine.dispose()
    settings = Settings(DATABASE_URL=url, CDHT_REPORTS_DIR=str(tmp_path / "reports"))
    app = App(settings, clock=clock)
    try:
        await app.prepare_database()
        walk = Walk(app)
        await walk.run(CITIZEN, LEADER, NEIGHBOUR, TITLES)
        for user, state in walk.positions:
            for text in ("Nguyễn\x00Văn\x1bAn", "\x005/12\ud800"):
                await probe(app, user, state, event_for(user, "text", text))
        await probe(app, "an", walk.positions[0][1], event_for("an", "button", "\x00"))
    finally:
        await app.close()
