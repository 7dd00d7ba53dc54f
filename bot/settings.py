"""Settings from the environment (or a .env file); the defaults run offline on SQLite."""

import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from conversations.i18n import N_, SUPPORTED, ExplainedError

SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
ZALO_SECRET = re.compile(r"[A-Za-z0-9_-]{8,256}")
# Plain HTTP only on this machine (tests, a reverse proxy on the same host).
LOOPBACK = ("http://127.0.0.1:", "http://localhost:")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field("sqlite+aiosqlite:///var/cdht.db", validation_alias="DATABASE_URL")
    locale: str = Field("vi", validation_alias="CDHT_LOCALE")
    timezone: str = Field("Asia/Ho_Chi_Minh", validation_alias="CDHT_TIMEZONE")
    log_level: str = Field("INFO", validation_alias="CDHT_LOG_LEVEL")
    telegram_bot_token: SecretStr | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_api_url: str = Field("https://api.telegram.org", validation_alias="TELEGRAM_API_URL")
    telegram_webhook_url: str | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: SecretStr | None = Field(
        None, validation_alias="TELEGRAM_WEBHOOK_SECRET"
    )
    telegram_poll_timeout: int = Field(10, validation_alias="TELEGRAM_POLL_TIMEOUT")
    telegram_rate_overall: float = Field(30, gt=0, validation_alias="TELEGRAM_RATE_OVERALL")
    telegram_rate_per_chat: float = Field(1, gt=0, validation_alias="TELEGRAM_RATE_PER_CHAT")
    telegram_bot_username: str | None = Field(None, validation_alias="TELEGRAM_BOT_USERNAME")
    zalo_bot_token: SecretStr | None = Field(None, validation_alias="ZALO_BOT_TOKEN")
    zalo_api_url: str = Field("https://bot-api.zaloplatforms.com", validation_alias="ZALO_API_URL")
    zalo_webhook_url: str | None = Field(None, validation_alias="ZALO_WEBHOOK_URL")
    zalo_webhook_secret: SecretStr | None = Field(None, validation_alias="ZALO_WEBHOOK_SECRET")
    zalo_poll_timeout: int = Field(30, ge=1, le=60, validation_alias="ZALO_POLL_TIMEOUT")
    # Zalo publishes no rate limit (UNCONFIRMED): a modest pace, 429s waited out.
    zalo_rate_overall: float = Field(10, gt=0, validation_alias="ZALO_RATE_OVERALL")
    zalo_rate_per_chat: float = Field(1, gt=0, validation_alias="ZALO_RATE_PER_CHAT")
    # No official deep-link format for Zalo bots is published (UNCONFIRMED): a template.
    zalo_invite_link: str = Field(
        "https://zalo.me/{bot_id}?start={code}", validation_alias="ZALO_INVITE_LINK"
    )
    public_url: str | None = Field(None, validation_alias="CDHT_PUBLIC_URL")
    reports_dir: str = Field("var/reports", validation_alias="CDHT_REPORTS_DIR")
    http_host: str = Field("127.0.0.1", validation_alias="CDHT_HTTP_HOST")
    http_port: int = Field(8080, validation_alias="CDHT_HTTP_PORT")
    # Who holds the personal data (Law 91/2025/QH15); unset: the association of the commune.
    data_controller: str | None = Field(None, validation_alias="CDHT_DATA_CONTROLLER")
    keep_drafts_days: int = Field(365, ge=1, validation_alias="CDHT_KEEP_DRAFTS_DAYS")
    keep_messages_days: int = Field(30, ge=1, validation_alias="CDHT_KEEP_MESSAGES_DAYS")

    def secrets(self) -> list[str]:
        values = (
            self.telegram_bot_token,
            self.telegram_webhook_secret,
            self.zalo_bot_token,
            self.zalo_webhook_secret,
        )
        return [value.get_secret_value() for value in values if value is not None]

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> "Settings":
        if self.telegram_webhook_url and self.telegram_webhook_secret is None:
            raise ExplainedError(N_("TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET"))
        secret = self.telegram_webhook_secret
        if secret is not None and not SECRET_PATTERN.fullmatch(secret.get_secret_value()):
            raise ExplainedError(N_("TELEGRAM_WEBHOOK_SECRET must be 1-256 of A-Z a-z 0-9 _ -"))
        if self.zalo_webhook_url and self.zalo_webhook_secret is None:
            raise ExplainedError(N_("ZALO_WEBHOOK_URL needs ZALO_WEBHOOK_SECRET"))
        zalo = self.zalo_webhook_secret
        if zalo is not None and not ZALO_SECRET.fullmatch(zalo.get_secret_value()):
            raise ExplainedError(N_("ZALO_WEBHOOK_SECRET must be 8-256 of A-Z a-z 0-9 _ -"))
        for name, url in (
            ("ZALO_WEBHOOK_URL", self.zalo_webhook_url),
            ("CDHT_PUBLIC_URL", self.public_url),
        ):
            if url and not url.startswith(("https://", *LOOPBACK)):
                raise ExplainedError(N_("{name} must be an https:// address"), name=name)
        if "{code}" not in self.zalo_invite_link:
            raise ExplainedError(N_("ZALO_INVITE_LINK must contain {code}"))
        return self

    @model_validator(mode="after")
    def _webhook_paths_apart(self) -> "Settings":
        """Both webhooks share one HTTP server: their paths must differ from each other and
        from the server's own (/healthz, /files/…)."""
        paths = [
            urlsplit(url).path or "/"
            for url in (self.telegram_webhook_url, self.zalo_webhook_url)
            if url
        ]
        if len(set(paths)) < len(paths):
            raise ExplainedError(
                N_("TELEGRAM_WEBHOOK_URL and ZALO_WEBHOOK_URL need different paths")
            )
        if any(path == "/healthz" or path.startswith("/files") for path in paths):
            raise ExplainedError(N_("a webhook path may not be /healthz or under /files"))
        return self

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in SUPPORTED:
            raise ExplainedError(
                N_("CDHT_LOCALE must be one of {locales}"), locales=", ".join(SUPPORTED)
            )
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ExplainedError(
                N_("CDHT_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
            )
        return value.upper()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ExplainedError(N_("CDHT_TIMEZONE must be an IANA time zone name")) from error
        return value
