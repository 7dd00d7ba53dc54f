"""Which messengers are configured: every channel whose token is set."""

from bot.channels.base import Channel
from bot.settings import Settings


def messengers(settings: Settings) -> list[Channel]:
    """The live channels, in a fixed order; none means the console only."""
    channels: list[Channel] = []
    if settings.telegram_bot_token is not None:
        from bot.channels.telegram import TelegramChannel  # PTB only when Telegram is on

        channels.append(TelegramChannel(settings))
    return channels
