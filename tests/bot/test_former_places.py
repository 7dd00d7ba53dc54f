"""Places as people say them: pre-2025 commune, district and province names (issue 9)."""

import pytest

from bot.app import App
from storage.db import unit_of_work
from storage.directory import SqlDirectory
from storage.models import OrgUnit
from tests.bot.test_transcripts import stored
from tests.support import Chat

HAI_HAU_COMMUNES = {
    "Xã Hải Hậu, Ninh Bình",
    "Xã Hải Tiến, Ninh Bình",
    "Xã Hải Thịnh, Ninh Bình",
    "Xã Hải Anh, Ninh Bình",
    "Xã Hải Hưng, Ninh Bình",
    "Xã Hải An, Ninh Bình",
    "Xã Hải Quang, Ninh Bình",
    "Xã Hải Xuân, Ninh Bình",
}


@pytest.fixture
async def chat(app: App) -> Chat:
    person = Chat(app, locale_hint="vi")
    await person.send("/batdau")
    await person.send("1")
    await person.send("Nguyễn Văn An, 1968")
    return person


async def test_an_old_commune_name_finds_the_new_commune_and_says_so(chat: Chat) -> None:
    await chat.send("Thịnh Long")
    assert (
        "Thị trấn Thịnh Long, Huyện Hải Hậu, Tỉnh Nam Định cũ nay thuộc Xã Hải Thịnh, Ninh Bình."
        in chat.text
    )
    assert chat.labels[0] == "Xã Hải Thịnh, Ninh Bình"


@pytest.mark.parametrize(
    "typed", ["xa hai hau nam dinh", "Hải Hậu, Nam Định", "xã Hải Trung, Nam Định"]
)
async def test_old_names_with_district_or_province_find_the_commune(
    chat: Chat, typed: str
) -> None:
    await chat.send(typed)
    assert chat.labels[0] == "Xã Hải Hậu, Ninh Bình"
    assert "cũ nay thuộc Xã Hải Hậu, Ninh Bình." in chat.text


async def test_an_old_district_lists_its_communes_to_choose_from(chat: Chat) -> None:
    await chat.send("huyen hai hau")
    assert set(chat.labels[:8]) == HAI_HAU_COMMUNES
    assert chat.labels[8:] == ["Trang sau »", "Tìm lại"]
    await chat.click("Xã Hải Xuân, Ninh Bình")
    assert "Xã Hải Xuân, Ninh Bình. Bạn ở thôn" in chat.last.text


@pytest.mark.parametrize("typed", ["Nam Định", "nam dinh", "Tỉnh Nam Định", "Ninh Bình"])
async def test_a_bare_province_name_asks_which_commune(app: App, chat: Chat, typed: str) -> None:
    before = await stored(app)
    await chat.send(typed)
    assert "là tên tỉnh. Bạn ở xã, phường nào của tỉnh?" in chat.text
    assert "Bạn ở xã, phường nào?" in chat.last.text
    assert await stored(app) == before


async def test_villages_sort_naturally_and_typed_names_match_without_accents(
    app: App, chat: Chat
) -> None:
    async with unit_of_work(app.sessions) as session:
        commune = (await SqlDirectory(session).search_communes("hai hau", 1))[0]
        for name in ("Xóm 10", "Xóm 2", "Tổ dân phố số 2"):
            session.add(OrgUnit(parent_id=commune.id, kind="village", name=name, search_key=""))
    await chat.send("hai hau")
    assert chat.labels == ["Tổ dân phố số 2", "Xóm 2", "Xóm 10", "Không có trong danh sách"]
    assert "Gõ tên cũng được" in chat.last.text
    await chat.send("to dan pho so 2")
    state = await stored(app)
    assert state is not None
    assert state.profile.place_name == "Tổ dân phố số 2"
    assert state.profile.place_id is not None
