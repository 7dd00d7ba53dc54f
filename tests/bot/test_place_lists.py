"""Places as people say them (issue 9, item 1): lists sort as people count and page beyond
20, a typed village or unit is found in the tree whatever the spelling, and a commune
leader puts the places people typed into the tree, the people with them."""

import pytest

from bot.app import App
from conversations.text import place_key
from storage.db import unit_of_work
from storage.directory import SqlDirectory
from storage.models import OrgUnit
from tests.bot.flows import group_label
from tests.bot.test_leaders import commune_leader
from tests.bot.test_transcripts import stored
from tests.support import Chat


async def add_places(app: App, *names: str, kind: str = "village") -> None:
    async with unit_of_work(app.sessions) as session:
        commune = (await SqlDirectory(session).search_communes("hai hau", 1))[0]
        for name in names:
            session.add(OrgUnit(parent_id=commune.id, kind=kind, name=name, search_key=""))


async def at_the_place_question(app: App, user: str = "u1", locale: str = "vi") -> Chat:
    chat = Chat(app, user=user, locale_hint=locale)
    await chat.send("/batdau")
    await chat.send("1")
    await chat.send("Nguyễn Văn An, 1968")
    await chat.send("hai hau")
    return chat


async def test_25_villages_sort_naturally_and_page_by_20(app: App) -> None:
    await add_places(app, *(f"Xóm {n}" for n in range(25, 0, -1)))
    chat = await at_the_place_question(app)
    assert "Gõ tên cũng được. Trang 1/2." in chat.last.text
    assert chat.labels == [
        *(f"Xóm {n}" for n in range(1, 21)),
        "Trang sau »",
        "Không có trong danh sách",
    ]
    await chat.click("Trang sau »")
    assert "Trang 2/2." in chat.last.text
    assert chat.labels == [
        *(f"Xóm {n}" for n in range(21, 26)),
        "« Trang trước",
        "Không có trong danh sách",
    ]
    await chat.send("2")  # a number answers the page shown: the second place on it
    state = await stored(app)
    assert state is not None
    assert state.profile.place_name == "Xóm 22"
    assert state.profile.place_id is not None


async def test_back_a_page_and_a_button_of_another_page_is_old(app: App) -> None:
    await add_places(app, *(f"Xóm {n}" for n in range(1, 26)))
    chat = await at_the_place_question(app)
    first_page = next(c.id for c in chat.last.choices if c.label == "Xóm 3")
    await chat.click("Trang sau »")
    await chat.press(first_page)
    assert "Câu đó đã qua rồi" in chat.text
    await chat.click("« Trang trước")
    assert chat.labels[0] == "Xóm 1"
    await chat.click("Xóm 3")
    assert "Bạn thuộc nhóm nào?" in chat.last.text


@pytest.mark.parametrize(
    ("typed", "linked"),
    [
        ("xom 5", "Xóm 5"),
        ("Xom5", "Xóm 5"),
        ("xóm 05", "Xóm 5"),
        ("to dan pho so 2", "Tổ dân phố số 2"),
        ("Tổ dân phố 2", "Tổ dân phố số 2"),
        ("truong thcs hai hau", "Trường THCS Hải Hậu"),
    ],
)
async def test_a_typed_place_is_linked_to_the_tree_whatever_the_spelling(
    app: App, typed: str, linked: str
) -> None:
    await add_places(app, *(f"Xóm {n}" for n in range(1, 25)), "Tổ dân phố số 2")
    await add_places(app, "Trường THCS Hải Hậu", kind="unit")
    chat = await at_the_place_question(app)
    await chat.send(typed)  # not on the first page, or not a button at all: typing works
    state = await stored(app)
    assert state is not None
    assert state.profile.place_name == linked
    assert state.profile.place_id is not None


async def test_a_place_typed_after_not_in_the_list_is_linked_when_it_is_there(
    app: App,
) -> None:
    await add_places(app, "Xóm 5")
    chat = await at_the_place_question(app)
    await chat.click("Không có trong danh sách")
    await chat.send("xom 5")
    state = await stored(app)
    assert state is not None
    assert (state.profile.place_name, state.profile.place_id is not None) == ("Xóm 5", True)


async def test_a_place_not_in_the_tree_is_kept_as_typed(app: App) -> None:
    await add_places(app, "Xóm 5")
    chat = await at_the_place_question(app)
    await chat.send("Xóm 15")
    state = await stored(app)
    assert state is not None
    assert (state.profile.place_name, state.profile.place_id) == ("Xóm 15", None)


async def test_commune_search_results_page_and_say_typing_works(app: App) -> None:
    chat = Chat(app, locale_hint="en")
    await chat.send("/batdau")
    await chat.click("I agree")
    await chat.send("Nguyễn Văn An, 1968")
    await chat.send("hai")
    assert "Which one is yours? Or type another name. Page 1/5." in chat.last.text
    first = chat.labels[:8]
    await chat.click("Next page »")
    assert "Page 2/5." in chat.last.text
    assert chat.labels[-3:] == ["« Previous page", "Next page »", "Search again"]
    assert not set(chat.labels) & set(first)
    await chat.click("« Previous page")
    assert chat.labels[:8] == first
    await chat.send("hai hau")  # typing another name searches again, from any page
    assert "Xã Hải Hậu, Ninh Bình: which village" in chat.last.text


def test_the_place_key_ignores_accents_case_zeros_and_so() -> None:
    same = ["Xóm 5", "xom 5", "XÓM 05", "Xom5", "xóm số 5"]
    assert {place_key(name) for name in same} == {"xom 5"}
    assert place_key("Xóm 15") != place_key("Xóm 5")
    assert place_key("Xóm Sơn 2") == "xom son 2"


async def people_typed(app: App, *places: str) -> list[Chat]:
    """Citizens of Hải Hậu who typed their village or unit (not in the tree then)."""
    chats = []
    for number, place in enumerate(places):
        chat = await at_the_place_question(app, user=f"typed{number}", locale="en")
        await chat.send(place)
        await chat.click(group_label("a"))
        chats.append(chat)
    return chats


async def test_a_commune_leader_attaches_a_typed_place_and_its_people_move(app: App) -> None:
    await people_typed(app, "xom moi", "Xóm mới", "Đội 7", "Xóm Mới")
    await add_places(app, "Xóm Mới", "Xóm 2")
    leader = await commune_leader(app)
    await leader.click("Places people typed (2)")
    assert "Choose one to put it in the list." in leader.last.text
    assert leader.labels == ["xom moi · typed by 3", "Đội 7 · typed by 1"]
    await leader.click("xom moi · typed by 3")
    assert "“xom moi” (typed by 3)" in leader.last.text
    assert leader.labels == [
        "Xóm 2",
        "Xóm Mới",
        "New village or residential group",
        "New agency, school or company",
    ]
    await leader.send("xom moi")  # the village typed by its name, accents aside
    assert "People moved to Xóm Mới: 3." in leader.text
    for user in ("typed0", "typed1", "typed3"):
        state = await stored(app, user)
        assert state is not None
        assert state.profile.place_name == "Xóm Mới"
        assert state.profile.place_id is not None
    assert leader.labels == ["Đội 7 · typed by 1"]  # back to what is left
    assert (await stored(app, "typed2")).profile.place_id is None  # type: ignore[union-attr]


async def test_a_commune_leader_makes_a_typed_place_a_new_unit_under_a_corrected_name(
    app: App,
) -> None:
    await people_typed(app, "doi 7", "Đội 7")
    leader = await commune_leader(app)
    await leader.click("Places people typed (1)")
    await leader.click("doi 7 · typed by 2")
    await leader.click("New agency, school or company")
    assert "Keep “doi 7”" in leader.labels
    await leader.send("Đội 7, HTX Hải Hậu")
    assert "Added: Đội 7, HTX Hải Hậu." in leader.text
    assert "People moved to Đội 7, HTX Hải Hậu: 2." in leader.text
    assert "Leader menu" in leader.last.text  # nothing typed is left
    assert "Places people typed (0)" in leader.labels
    state = await stored(app, "typed1")
    assert state is not None
    assert state.profile.place_name == "Đội 7, HTX Hải Hậu"
    await leader.click("Places people typed (0)")
    assert "No one has typed a place that is not in the list." in leader.text


async def test_adding_a_village_takes_in_the_people_who_typed_its_name(app: App) -> None:
    await people_typed(app, "xom 9", "Xóm 09")
    leader = await commune_leader(app)
    await leader.click("Add a village or unit")
    await leader.click("Village or residential group")
    await leader.send("Xóm 9, 150")
    assert "Added: Xóm 9." in leader.text
    assert "People moved to Xóm 9: 2." in leader.text
    state = await stored(app, "typed0")
    assert state is not None
    assert (state.profile.place_name, state.profile.place_id is not None) == ("Xóm 9", True)


async def test_leader_lists_page_beyond_20_and_take_a_typed_name(app: App) -> None:
    await add_places(app, *(f"Thôn {n}" for n in range(1, 36)))
    leader = await commune_leader(app)
    await leader.click("Invitation links and QR codes")
    assert "You can also type its name. Page 1/2." in leader.last.text
    await leader.click("Next page »")
    assert leader.labels[:2] == ["Thôn 21", "Thôn 22"]
    assert "Thôn 35" in leader.labels  # no longer cut at 30
    await leader.send("thon 35")
    assert "/batdau" in leader.text


async def test_a_number_the_list_does_not_have_is_refused_with_the_numbers_it_has(
    app: App,
) -> None:
    """Under a list, "25" means a place in it: with 22 numbered options it is refused with
    the range, not stored as a village called "25" nor searched for as a commune."""
    await add_places(app, *(f"Xóm {n}" for n in range(1, 26)))
    chat = await at_the_place_question(app)
    await chat.send("25")
    assert chat.seen[-2].error
    assert "Bạn gõ một số từ 1 đến 22." in chat.seen[-2].text
    state = await stored(app)
    assert state is not None
    assert state.profile.place_name is None
    await chat.send("3")
    state = await stored(app)
    assert state is not None
    assert state.profile.place_name == "Xóm 3"

    searcher = Chat(app, user="u2", locale_hint="vi")
    await searcher.send("/batdau")
    await searcher.send("1")
    await searcher.send("Trần Thị Bình, 1970")
    await searcher.send("hai")  # many communes: a list to choose from
    shown = sum(1 for choice in searcher.last.choices if not choice.nav)
    await searcher.send("8" if shown < 8 else "99")
    assert searcher.seen[-2].error
    assert f"Bạn gõ một số từ 1 đến {shown}." in searcher.seen[-2].text


@pytest.mark.parametrize("typed", ["0", "23", "+30", "999999", "٢٥", "\uff12\uff15"])
async def test_any_number_off_the_village_list_is_refused_and_nothing_stored(
    app: App, typed: str
) -> None:
    """Every way of writing a number the list does not have (zero, past the end, a sign,
    many digits, Arabic-Indic or fullwidth digits) gets the range; no place is stored."""
    await add_places(app, *(f"Xóm {n}" for n in range(1, 26)))
    chat = await at_the_place_question(app)
    await chat.send(typed)
    assert "Bạn gõ một số từ 1 đến 22." in chat.seen[-2].text
    state = await stored(app)
    assert state is not None
    assert state.profile.place_name is None
    assert state.profile.place_id is None
