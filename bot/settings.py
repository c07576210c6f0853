"""The bot's configuration: one typed object, built once in ``__main__`` and passed in."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///agora.db"


class Settings(BaseSettings):
    """Every setting, read from the environment or a ``.env`` file in the working directory."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = Field(default=None, description="The bot's token.")
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite+aiosqlite:///file.db or postgresql+asyncpg://...",
    )
    discord_api_base: str = Field(
        default="https://discord.com/api/v10",
        description="REST base URL (a proxy or local Discord).",
    )
    discord_gateway_url: str = Field(
        default="wss://gateway.discord.gg", description="Gateway websocket URL."
    )
    dev_guild_id: int | None = Field(
        default=None, description="Sync commands to this server only (instant), not globally."
    )
    log_level: str = Field(default="INFO", description="Python logging level.")
    article_fetch_allow_loopback: bool = Field(
        default=False,
        description="Let article links point at this machine (127.0.0.1): for tests only.",
    )

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @field_validator("discord_api_base")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("dev_guild_id", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value
