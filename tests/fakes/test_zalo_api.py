"""The Zalo Bot API client against the fake Zalo server, over real HTTP on 127.0.0.1."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.channels.zalo_api import (
    DEFAULT_RETRY_AFTER,
    SECRET_HEADER,
    TEXT_LIMIT,
    UpdateKind,
    ZaloBadRequest,
    ZaloBotClient,
    ZaloError,
    ZaloForbidden,
    ZaloNetworkError,
    ZaloRetryAfter,
    ZaloUpdate,
    parse_update,
)
from tests.fakes.local_server import LocalServer
from tests.fakes.zalo_api import (
    BOT_ID,
    MAX_TEXT,
    TOKEN,
    FakeZalo,
    SentMessage,
    webhook_headers,
)

ALICE = "6ede9afa66b88fe6d6a9"
BOB = "7f1e2d3c4b5a69788796"
SECRET = "s3cret-webhook-token"
PNG = b"\x89PNG\r\n\x1a\n fake chart"


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with FakeZalo(poll_timeout_cap=0.2) as server:
        yield server


@pytest.fixture
async def zalo(fake: FakeZalo) -> AsyncIterator[ZaloBotClient]:
    async with ZaloBotClient(TOKEN, fake.root, timeout=5.0) as client:
        yield client


class Recorder:
    """A tiny HTTP app on 127.0.0.1: a webhook that records what it gets, and photo files."""

    def __init__(self) -> None:
        self.posts: list[tuple[dict[str, str], Any]] = []
        self.photos: dict[str, bytes] = {}
        self.once: set[str] = set()  # photos deleted after their first GET
        routes = [
            Route("/hook", self._hook, methods=["POST"]),
            Route("/photos/{name}", self._photo, methods=["GET"]),
        ]
        self.server = LocalServer(Starlette(routes=routes), "recorder")

    async def _hook(self, request: Request) -> Response:
        self.posts.append((dict(request.headers), json.loads(await request.body())))
        return Response(status_code=200)

    async def _photo(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.photos:
            return Response(status_code=404)
        content = self.photos.pop(name) if name in self.once else self.photos[name]
        return Response(content, media_type="image/png")

    def url(self, path: str) -> str:
        return f"{self.server.root}{path}"


@pytest.fixture
async def recorder() -> AsyncIterator[Recorder]:
    recorder = Recorder()
    await recorder.server.start()
    yield recorder
    await recorder.server.stop()


# --- bot and polling -----------------------------------------------------------------------


async def test_get_me_answers_as_the_test_bot(fake: FakeZalo, zalo: ZaloBotClient) -> None:
    me = await zalo.get_me()

    assert (me["id"], me["account_type"]) == (BOT_ID, "BASIC")
    assert fake.root.startswith("http://127.0.0.1:")
    assert fake.calls_to("getMe")[0].status == 200


async def test_a_text_message_arrives_by_polling(fake: FakeZalo, zalo: ZaloBotClient) -> None:
    sent = fake.send_text(ALICE, "Xin chào", display_name="Nguyễn Văn An")

    (update,) = await zalo.get_updates(timeout_seconds=1)

    message = sent["message"]
    assert update == ZaloUpdate(
        event_name="message.text.received",
        kind=UpdateKind.TEXT,
        message_id=message["message_id"],
        chat_id=ALICE,
        user_id=ALICE,
        date=datetime.fromtimestamp(message["date"] / 1000, UTC),
        text="Xin chào",
        display_name="Nguyễn Văn An",
    )
    assert update.private
    assert "Xin chào" not in repr(update)
    assert "Nguyễn" not in repr(update)
    assert update.key == f"message.text.received:{message['message_id']}"
    assert fake.calls_to("getUpdates")[0].params == {"timeout": "1"}


@pytest.mark.parametrize("idle_answer", ["timeout", "empty"])
async def test_an_idle_poll_gives_no_updates(idle_answer: Any) -> None:
    async with (
        FakeZalo(poll_timeout_cap=0.05, idle_answer=idle_answer) as fake,
        ZaloBotClient(TOKEN, fake.root) as zalo,
    ):
        assert await zalo.get_updates(timeout_seconds=1) == []
        expected = 408 if idle_answer == "timeout" else 200
        assert fake.calls_to("getUpdates")[0].status == expected


async def test_each_poll_gives_one_update_in_order(fake: FakeZalo, zalo: ZaloBotClient) -> None:
    fake.send_text(ALICE, "1")
    fake.send_text(BOB, "2")

    first, second = await zalo.get_updates(1), await zalo.get_updates(1)

    assert [(u.user_id, u.text) for u in first + second] == [(ALICE, "1"), (BOB, "2")]
    assert fake.pending() == 0


async def test_a_long_poll_waits_for_the_next_message() -> None:
    async with FakeZalo(poll_timeout_cap=30) as patient, ZaloBotClient(TOKEN, patient.root) as z:
        polling = asyncio.create_task(z.get_updates(30))
        await patient.wait_for(lambda: patient.calls_to("getUpdates"))
        patient.send_text(ALICE, "đồng ý")

        (update,) = await polling

    assert update.text == "đồng ý"


async def test_a_redelivered_update_keeps_its_key(fake: FakeZalo, zalo: ZaloBotClient) -> None:
    sent = fake.send_text(ALICE, "3")
    (first,) = await zalo.get_updates(1)
    fake.redeliver(sent)

    (again,) = await zalo.get_updates(1)

    assert again == first
    assert again.key == first.key


@pytest.mark.parametrize(
    ("send", "kind"),
    [
        (lambda fake: fake.send_image(ALICE, caption="ảnh"), UpdateKind.IMAGE),
        (lambda fake: fake.send_sticker(ALICE), UpdateKind.STICKER),
        (lambda fake: fake.send_voice(ALICE), UpdateKind.VOICE),
        (lambda fake: fake.send_unsupported(ALICE), UpdateKind.UNSUPPORTED),
    ],
)
async def test_messages_without_text_arrive_with_their_kind(
    fake: FakeZalo, zalo: ZaloBotClient, send: Callable[[FakeZalo], object], kind: UpdateKind
) -> None:
    send(fake)

    (update,) = await zalo.get_updates(1)

    assert (update.kind, update.text, update.user_id) == (kind, None, ALICE)
    if kind is UpdateKind.IMAGE:
        assert (update.photo_url, update.caption) == ("https://photo.zalo.example/abc.jpg", "ảnh")
    else:
        assert update.photo_url is None


# --- webhook -------------------------------------------------------------------------------


async def test_a_webhook_stops_polling_until_it_is_deleted(
    fake: FakeZalo, zalo: ZaloBotClient
) -> None:
    answer = await zalo.set_webhook("https://bot.example.vn/zalo", SECRET)

    assert answer["url"] == "https://bot.example.vn/zalo"
    assert await zalo.get_webhook_info() == answer
    with pytest.raises(ZaloBadRequest, match="Webhook is configured"):
        await zalo.get_updates(1)

    assert (await zalo.delete_webhook())["url"] == ""
    assert (await zalo.get_webhook_info())["url"] == ""
    fake.send_text(ALICE, "lại đây")
    assert [u.text for u in await zalo.get_updates(1)] == ["lại đây"]


async def test_setting_a_webhook_ends_a_waiting_poll() -> None:
    async with FakeZalo(poll_timeout_cap=30) as patient, ZaloBotClient(TOKEN, patient.root) as z:
        polling = asyncio.create_task(z.get_updates(30))
        await patient.wait_for(lambda: patient.calls_to("getUpdates"))
        await z.set_webhook("https://bot.example.vn/zalo", SECRET)

        with pytest.raises(ZaloBadRequest):
            await polling


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("http://bot.example.vn/zalo", SECRET),  # not HTTPS
        ("https://bot.example.vn/zalo", "short"),  # secret under 8 characters
        ("https://bot.example.vn/zalo", "x" * 257),
        ("", SECRET),
    ],
)
async def test_a_bad_webhook_is_refused(zalo: ZaloBotClient, url: str, secret: str) -> None:
    with pytest.raises(ZaloBadRequest):
        await zalo.set_webhook(url, secret)
    assert (await zalo.get_webhook_info())["url"] == ""


@pytest.mark.parametrize("wrapped", [True, False])
async def test_webhook_pushes_come_in_both_shapes_with_the_secret(
    recorder: Recorder, wrapped: bool
) -> None:
    async with FakeZalo(wrapped_webhook=wrapped) as fake, ZaloBotClient(TOKEN, fake.root) as z:
        await z.set_webhook(recorder.url("/hook"), SECRET)
        sent = fake.send_text(ALICE, "2")

        response = await fake.push(sent)

    ((headers, body),) = recorder.posts
    assert response.status_code == 200
    assert fake.pending() == 0
    assert headers[SECRET_HEADER.lower()] == SECRET
    assert ("result" in body) is wrapped
    update = parse_update(body)
    assert update is not None
    assert (update.text, update.message_id) == (
        "2",
        sent["message"]["message_id"],
    )
    assert parse_update(fake.webhook_body(sent, wrapped=not wrapped)) == update


def test_webhook_headers_carry_the_secret() -> None:
    assert webhook_headers(SECRET)[SECRET_HEADER] == SECRET


# --- sending -------------------------------------------------------------------------------


async def test_sent_texts_make_the_users_transcript(fake: FakeZalo, zalo: ZaloBotClient) -> None:
    fake.send_text(ALICE, "/batdau")

    sent = await zalo.send_message(ALICE, "Chào bạn")
    await zalo.send_message(ALICE, "1. Có\n2. Không")

    assert set(sent) == {"message_id", "date"}
    assert fake.texts(ALICE) == ["Chào bạn", "1. Có\n2. Không"]
    assert fake.chat(ALICE)[0] == SentMessage(sent["message_id"], ALICE, "Chào bạn")
    assert fake.last(ALICE).text == "1. Có\n2. Không"
    assert fake.chat(BOB) == []


async def test_texts_up_to_the_limit_pass_and_longer_ones_are_refused(
    fake: FakeZalo, zalo: ZaloBotClient
) -> None:
    fake.send_text(ALICE, "hi")
    assert TEXT_LIMIT == MAX_TEXT == 2000

    await zalo.send_message(ALICE, "ệ" * TEXT_LIMIT)
    with pytest.raises(ZaloBadRequest, match="2000"):
        await zalo.send_message(ALICE, "ệ" * (TEXT_LIMIT + 1))
    with pytest.raises(ZaloBadRequest):
        await zalo.send_message(ALICE, "  ")

    assert [len(text) for text in fake.texts(ALICE)] == [TEXT_LIMIT]


async def test_a_chat_the_user_never_opened_is_refused(zalo: ZaloBotClient) -> None:
    with pytest.raises(ZaloBadRequest, match="chat not found"):
        await zalo.send_message(BOB, "Nhắc bạn")
    with pytest.raises(ZaloBadRequest, match="chat not found"):
        await zalo.send_chat_action(BOB)


async def test_chat_action_typing(fake: FakeZalo, zalo: ZaloBotClient) -> None:
    fake.send_text(ALICE, "hi")

    await zalo.send_chat_action(ALICE)
    with pytest.raises(ZaloBadRequest):
        await zalo.send_chat_action(ALICE, "dancing")

    assert fake.calls_to("sendChatAction")[0].params == {"chat_id": ALICE, "action": "typing"}
    assert fake.chat(ALICE) == []


async def test_the_fake_reads_form_bodies_and_query_strings(fake: FakeZalo) -> None:
    fake.send_text(ALICE, "hi")
    async with httpx.AsyncClient(base_url=f"{fake.root}/bot{TOKEN}") as http:
        by_form = await http.post("/sendMessage", data={"chat_id": ALICE, "text": "form"})
        by_query = await http.get("/getMe", params={"x": "1"})
        not_json = await http.post(
            "/sendMessage", content=b"{", headers={"content-type": "application/json"}
        )
        unknown = await http.post("/sendmessage", json={"chat_id": ALICE, "text": "x"})

    assert by_form.json()["ok"]
    assert by_query.json()["result"]["id"] == BOT_ID
    assert (not_json.status_code, unknown.status_code) == (400, 400)
    assert fake.texts(ALICE) == ["form"]


# --- photos --------------------------------------------------------------------------------


async def test_a_photo_is_fetched_twice_and_stays_valid(
    fake: FakeZalo, zalo: ZaloBotClient, recorder: Recorder
) -> None:
    fake.send_text(ALICE, "hi")
    recorder.photos["chart.png"] = PNG

    sent = await zalo.send_photo(ALICE, recorder.url("/photos/chart.png"), caption="Tuần này")

    photo = fake.last(ALICE)
    assert (photo.kind, photo.text, photo.message_id) == ("photo", "Tuần này", sent["message_id"])
    assert [(f.status, f.content) for f in photo.fetches] == [(200, PNG), (200, PNG)]
    assert photo.photo_ok
    assert (await fake.fetch_again(photo)).ok
    assert len(fake.photo_fetches) == 3


async def test_a_photo_deleted_after_the_first_fetch_is_caught(
    fake: FakeZalo, zalo: ZaloBotClient, recorder: Recorder
) -> None:
    fake.send_text(ALICE, "hi")
    recorder.photos["chart.png"] = PNG
    recorder.once.add("chart.png")

    await zalo.send_photo(ALICE, recorder.url("/photos/chart.png"))

    photo = fake.last(ALICE)
    assert [f.status for f in photo.fetches] == [200, 404]
    assert not photo.photo_ok
    assert photo.text == ""


@pytest.mark.parametrize(
    ("path", "caption"),
    [("/photos/missing.png", None), ("/photos/chart.png", ""), ("/photos/chart.png", "x" * 2001)],
)
async def test_a_bad_photo_is_refused(
    fake: FakeZalo,
    zalo: ZaloBotClient,
    recorder: Recorder,
    path: str,
    caption: str | None,
) -> None:
    fake.send_text(ALICE, "hi")
    recorder.photos["chart.png"] = PNG

    with pytest.raises(ZaloBadRequest):
        await zalo.send_photo(ALICE, recorder.url(path), caption=caption)
    assert fake.chat(ALICE) == []


async def test_the_fake_fetches_only_local_photos(fake: FakeZalo, zalo: ZaloBotClient) -> None:
    fake.send_text(ALICE, "hi")

    with pytest.raises(ZaloBadRequest, match=r"127\.0\.0\.1"):
        await zalo.send_photo(ALICE, "https://example.com/chart.png")
    assert fake.photo_fetches == []


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, ZaloBadRequest),
        (401, ZaloForbidden),
        (403, ZaloForbidden),
        (404, ZaloBadRequest),
        (408, ZaloNetworkError),
        (429, ZaloRetryAfter),
        (500, ZaloNetworkError),
        (502, ZaloNetworkError),
    ],
)
@pytest.mark.parametrize("http_status", [None, 200])
async def test_each_error_code_maps_to_its_class(
    fake: FakeZalo,
    zalo: ZaloBotClient,
    status: int,
    error_class: type[ZaloError],
    http_status: int | None,
) -> None:
    """By HTTP status, and by the envelope alone (HTTP 200 with ``ok: false``)."""
    fake.send_text(ALICE, "hi")
    fake.fail_next("sendMessage", status=status, http_status=http_status)

    with pytest.raises(error_class) as caught:
        await zalo.send_message(ALICE, "x")

    assert type(caught.value) is error_class
    assert caught.value.error_code == status
    assert fake.chat(ALICE) == []
    await zalo.send_message(ALICE, "x")  # the fault was for one call only
    assert fake.texts(ALICE) == ["x"]


async def test_retry_after_comes_from_the_header_or_a_default(
    fake: FakeZalo, zalo: ZaloBotClient
) -> None:
    fake.send_text(ALICE, "hi")
    fake.fail_next("sendMessage", status=429, retry_after=7)
    fake.fail_next("sendMessage", status=429)

    with pytest.raises(ZaloRetryAfter) as told:
        await zalo.send_message(ALICE, "x")
    with pytest.raises(ZaloRetryAfter) as untold:
        await zalo.send_message(ALICE, "x")

    assert (told.value.retry_after, untold.value.retry_after) == (7.0, DEFAULT_RETRY_AFTER)
    assert fake.too_many == 2


async def test_forbidden_says_whether_the_token_or_the_person_is_the_problem(
    fake: FakeZalo, zalo: ZaloBotClient
) -> None:
    fake.send_text(ALICE, "hi")
    fake.blocked.add(ALICE)

    with pytest.raises(ZaloForbidden) as blocked:
        await zalo.send_message(ALICE, "x")
    async with ZaloBotClient(f"{BOT_ID}:wrong-secret", fake.root) as stranger:
        with pytest.raises(ZaloForbidden) as bad_token:
            await stranger.get_me()

    assert (blocked.value.error_code, blocked.value.bad_token) == (403, False)
    assert "blocked" in blocked.value.description
    assert (bad_token.value.error_code, bad_token.value.bad_token) == (401, True)


async def test_fail_next_counts_its_calls(fake: FakeZalo, zalo: ZaloBotClient) -> None:
    fake.fail_next("getMe", status=500, times=2)

    for _ in range(2):
        with pytest.raises(ZaloNetworkError):
            await zalo.get_me()
    assert (await zalo.get_me())["id"] == BOT_ID


async def test_per_chat_rate_limit_answers_429() -> None:
    now = [100.0]
    async with (
        FakeZalo(per_chat_per_second=1, clock=lambda: now[0]) as fake,
        ZaloBotClient(TOKEN, fake.root) as zalo,
    ):
        fake.send_text(ALICE, "hi")
        fake.send_text(BOB, "hi")
        await zalo.send_message(ALICE, "1")
        with pytest.raises(ZaloRetryAfter) as limited:
            await zalo.send_message(ALICE, "2")
        await zalo.send_message(BOB, "1")  # another chat is not limited
        now[0] += 1.5
        await zalo.send_message(ALICE, "2")

    assert limited.value.retry_after == 1.0
    assert (fake.texts(ALICE), fake.texts(BOB)) == (["1", "2"], ["1"])


async def test_an_unreachable_server_is_a_network_error(fake: FakeZalo) -> None:
    zalo = ZaloBotClient(TOKEN, fake.root)
    await fake.stop()
    with pytest.raises(ZaloNetworkError) as caught:
        await zalo.get_me()
    await fake.start()

    assert caught.value.error_code == 0
    assert (await zalo.get_me())["id"] == BOT_ID
    await zalo.aclose()


def _client_answering(response: Callable[[httpx.Request], httpx.Response]) -> ZaloBotClient:
    transport = httpx.MockTransport(response)
    return ZaloBotClient(TOKEN, "http://zalo.test", http=httpx.AsyncClient(transport=transport))


@pytest.mark.parametrize(
    ("response", "error_class", "code"),
    [
        (httpx.Response(502, text="<html>Bad gateway</html>"), ZaloNetworkError, 502),
        (httpx.Response(200, text="not json"), ZaloNetworkError, 502),
        (httpx.Response(200, json=["ok"]), ZaloNetworkError, 502),
        (
            httpx.Response(429, text="slow down", headers={"Retry-After": "12"}),
            ZaloRetryAfter,
            429,
        ),
        (httpx.Response(200, json={"ok": False}), ZaloBadRequest, 400),
        (httpx.Response(200, json={"ok": False, "error_code": -216}), ZaloBadRequest, -216),
        (httpx.Response(403, json={"ok": False, "error_code": "x"}), ZaloForbidden, 403),
    ],
)
async def test_odd_answers_map_to_an_error(
    response: httpx.Response, error_class: type[ZaloError], code: int
) -> None:
    async with _client_answering(lambda request: response) as zalo:
        with pytest.raises(error_class) as caught:
            await zalo.get_me()

    assert caught.value.error_code == code


async def test_retry_after_in_the_body_is_read_and_clamped() -> None:
    answers = iter(
        [
            {"ok": False, "error_code": 429, "parameters": {"retry_after": 3}},
            {"ok": False, "error_code": 429, "retry_after": 10**400},
            {"ok": False, "error_code": 429, "retry_after": "soon"},
        ]
    )
    async with _client_answering(lambda request: httpx.Response(200, json=next(answers))) as z:
        waits = []
        for _ in range(3):
            with pytest.raises(ZaloRetryAfter) as caught:
                await z.send_chat_action("u")
            waits.append(caught.value.retry_after)

    assert waits == [3.0, 3600.0, DEFAULT_RETRY_AFTER]


async def test_a_timeout_is_a_network_error() -> None:
    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout(f"timed out on {request.url}", request=request)

    async with _client_answering(hang) as zalo:
        with pytest.raises(ZaloNetworkError) as caught:
            await zalo.get_updates(30)

    assert caught.value.error_code == 0
    assert TOKEN not in str(caught.value)


async def test_the_token_never_shows_in_errors_or_reprs(fake: FakeZalo) -> None:
    def echo_url(request: httpx.Request) -> httpx.Response:
        description = f"Bad request: {request.url}"
        return httpx.Response(
            400, json={"ok": False, "error_code": 400, "description": description}
        )

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}", request=request)

    errors: list[ZaloError] = []
    for answer in (echo_url, refuse):
        async with _client_answering(answer) as zalo:
            with pytest.raises(ZaloError) as caught:
                await zalo.send_message(ALICE, "x")
            errors.append(caught.value)
            assert TOKEN not in repr(zalo)
    fake.fail_next("getMe", status=429, retry_after=1)
    async with ZaloBotClient(TOKEN, fake.root) as zalo:
        with pytest.raises(ZaloRetryAfter) as limited:
            await zalo.get_me()
    errors.append(limited.value)

    secret = TOKEN.split(":")[1]
    for error in errors:
        assert secret not in str(error)
        assert secret not in repr(error)
        assert secret not in error.description
    assert "[token]" in errors[0].description


def test_an_empty_token_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        ZaloBotClient("")


# --- parse_update --------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**20, max_value=10**5000)
    | st.floats()
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)

FIELDS = [
    ("event_name",),
    ("message",),
    ("message", "from"),
    ("message", "from", "id"),
    ("message", "chat"),
    ("message", "chat", "id"),
    ("message", "chat", "chat_type"),
    ("message", "message_id"),
    ("message", "date"),
    ("message", "text"),
    ("message", "photo_url"),
]


def text_update(user_id: str, message_id: str, text: str, date_ms: int) -> dict[str, Any]:
    return {
        "event_name": "message.text.received",
        "message": {
            "from": {"id": user_id, "display_name": "Test", "is_bot": False},
            "chat": {"id": user_id, "chat_type": "PRIVATE"},
            "text": text,
            "message_id": message_id,
            "date": date_ms,
        },
    }


@given(json_values)
def test_parse_update_never_raises_on_any_json(body: object) -> None:
    for shape in (body, {"ok": True, "result": body}):
        update = parse_update(shape)
        assert update is None or isinstance(update, ZaloUpdate)


@given(st.sampled_from(FIELDS), json_values, st.booleans())
def test_parse_update_never_raises_when_one_field_is_wrong(
    path: tuple[str, ...], value: object, wrapped: bool
) -> None:
    body = text_update(ALICE, "abc", "1", 1_750_316_131_602)
    target: Any = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value

    update = parse_update({"ok": True, "result": body} if wrapped else body)

    assert update is None or isinstance(update, ZaloUpdate)


hex_ids = st.text("0123456789abcdef", min_size=1, max_size=32)


@settings(max_examples=200)
@given(
    hex_ids,
    hex_ids,
    st.text(max_size=TEXT_LIMIT),
    st.integers(min_value=0, max_value=4_102_444_800_000),
    st.booleans(),
)
def test_a_valid_text_update_round_trips(
    user_id: str, message_id: str, text: str, date_ms: int, wrapped: bool
) -> None:
    body = text_update(user_id, message_id, text, date_ms)
    wire = json.loads(json.dumps({"ok": True, "result": body} if wrapped else body))

    update = parse_update(wire)

    assert update is not None
    assert (update.kind, update.user_id, update.chat_id) == (UpdateKind.TEXT, user_id, user_id)
    assert (update.message_id, update.text) == (message_id, text)
    assert update.date == datetime.fromtimestamp(date_ms / 1000, UTC)
    assert update.date.tzinfo is UTC


@pytest.mark.parametrize(
    "body",
    [
        {"ok": False, "result": text_update(ALICE, "a", "1", 1)},
        {"ok": True, "result": {}},
        {"ok": True, "result": [text_update(ALICE, "a", "1", 1)]},
        {"event_name": "message.text.received", "message": {"from": {"id": ALICE}}},
        text_update(ALICE, "a", "1", 10**30),
        text_update(ALICE, "a", "1", -1),
        text_update(ALICE, "", "1", 1),
        text_update(ALICE, "a", None, 1),  # type: ignore[arg-type]
        {**text_update(ALICE, "a", "1", 1), "event_name": 7},
    ],
)
def test_malformed_updates_are_none(body: object) -> None:
    assert parse_update(body) is None


def test_ids_and_dates_given_as_numbers_or_strings_are_read() -> None:
    body = text_update(ALICE, "a", "1", 0)
    body["message"] |= {"message_id": 42, "date": "1750316131602"}
    body["message"]["from"]["id"] = 7

    update = parse_update(body)

    assert update is not None
    assert (update.message_id, update.user_id) == ("42", "7")
    assert update.date == datetime(2025, 6, 19, 6, 55, 31, 602000, tzinfo=UTC)
    other = parse_update({**body, "event_name": "message.video.received"})
    assert other is not None
    assert other.kind is UpdateKind.OTHER
