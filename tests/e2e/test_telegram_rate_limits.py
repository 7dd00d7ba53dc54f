"""With the real default limits (30 messages/s overall, 1/s per chat) against a fake that
answers 429 above them, replies are paced and not one 429 comes back."""

import itertools
import time

from tests.e2e.telegram_support import running, telegram_settings
from tests.fakes.telegram_api import FakeTelegram
from tests.support import FakeClock

DEFAULTS = {"TELEGRAM_RATE_OVERALL": 30, "TELEGRAM_RATE_PER_CHAT": 1}


async def test_sixty_people_at_once_are_answered_within_the_overall_limit(
    sqlite_url: str, clock: FakeClock
) -> None:
    users = range(7000, 7060)
    async with FakeTelegram(overall_per_second=30, per_chat_per_second=1) as fake:
        for user in users:
            fake.send_text(user, "/start")
        async with running(telegram_settings(sqlite_url, fake, **DEFAULTS), clock):
            started = time.monotonic()
            await fake.wait_for(lambda: all(fake.chat(u) for u in users), seconds=30)
            elapsed = time.monotonic() - started
        assert fake.too_many == 0
        assert elapsed >= 1.0  # 60 messages cannot go out in under a second at 30/s


async def test_several_replies_to_one_person_are_paced_at_one_per_second(
    sqlite_url: str, clock: FakeClock
) -> None:
    async with FakeTelegram(overall_per_second=30, per_chat_per_second=1) as fake:
        for line in ("/start", "/trogiup", "/dulieu"):
            fake.send_text(8000, line)
        async with running(telegram_settings(sqlite_url, fake, **DEFAULTS), clock):
            await fake.wait_for(lambda: len(fake.chat(8000)) == 3, seconds=30)
        sends = [call.at for call in fake.calls_to("sendMessage") if call.status == 200]
        assert fake.too_many == 0
        assert all(later - earlier >= 0.9 for earlier, later in itertools.pairwise(sends))
