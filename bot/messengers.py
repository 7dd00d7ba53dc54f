"""Which messengers are configured: every channel whose token is set."""

from bot.budget import RateShare
from bot.channels.base import Channel
from bot.settings import Settings
from conversations.ports import Clock


def messengers(settings: Settings, clock: Clock, rates: RateShare | None = None) -> list[Channel]:
    """The live channels, in a fixed order; none means the console only. `rates` makes each
    bot's overall rate shared with the other processes (bot/budget.py), when there are any."""
    channels: list[Channel] = []
    if settings.telegram_bot_token is not None:
        from bot.channels.telegram import TelegramChannel  # PTB only when Telegram is on

        token = settings.telegram_bot_token.get_secret_value()
        rate = settings.telegram_rate_overall
        shared = rates("telegram", token, rate) if rates else None
        channels.append(TelegramChannel(settings, shared=shared))
    if settings.zalo_bot_token is not None:
        from bot.channels.zalo import ZaloChannel

        token = settings.zalo_bot_token.get_secret_value()
        shared = rates("zalo", token, settings.zalo_rate_overall) if rates else None
        channels.append(ZaloChannel(settings, clock, shared))
    return channels
