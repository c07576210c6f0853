"""The bot's configuration: one typed object, built once in ``__main__`` and passed in."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.shards import Shards

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

    shard_count: int | None = Field(
        default=None,
        ge=1,
        description="Gateway shards of the whole bot; unset: the number Discord recommends.",
    )
    shard_ids: Annotated[tuple[int, ...] | None, NoDecode] = Field(
        default=None,
        description="The shards this process runs, e.g. 0,1 (needs SHARD_COUNT); unset: all.",
    )

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.isdigit() for part in parts):
                raise ValueError("SHARD_IDS must be shard numbers separated by commas, e.g. 0,1")
            return tuple(int(part) for part in parts) or None
        return value

    @model_validator(mode="after")
    def _shards_fit(self) -> Settings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("SHARD_IDS needs SHARD_COUNT: how many shards there are in all")
            self.shards()  # raises with what is wrong
        return self

    def shards(self) -> Shards:
        """The shards this process runs."""
        return Shards.of(self.shard_count, self.shard_ids)

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
