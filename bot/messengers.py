"""Which messengers are configured: every channel whose token is set."""

from bot.channels.base import Channel
from bot.settings import Settings
from conversations.ports import Clock


def messengers(settings: Settings, clock: Clock) -> list[Channel]:
    """The live channels, in a fixed order; none means the console only."""
    channels: list[Channel] = []
    if settings.telegram_bot_token is not None:
        from bot.channels.telegram import TelegramChannel  # PTB only when Telegram is on

        channels.append(TelegramChannel(settings))
    if settings.zalo_bot_token is not None:
        from bot.channels.zalo import ZaloChannel

        channels.append(ZaloChannel(settings, clock))
    return channels
