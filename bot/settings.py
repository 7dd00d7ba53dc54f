"""Settings from the environment (or a .env file); the defaults run offline on SQLite."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from conversations.i18n import SUPPORTED


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field("sqlite+aiosqlite:///var/cdht.db", validation_alias="DATABASE_URL")
    locale: str = Field("vi", validation_alias="CDHT_LOCALE")
    timezone: str = Field("Asia/Ho_Chi_Minh", validation_alias="CDHT_TIMEZONE")
    log_level: str = Field("INFO", validation_alias="CDHT_LOG_LEVEL")

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in SUPPORTED:
            raise ValueError(f"CDHT_LOCALE must be one of {', '.join(SUPPORTED)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("CDHT_TIMEZONE must be an IANA time zone name") from error
        return value
