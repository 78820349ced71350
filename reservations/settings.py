"""Configuration from environment variables (see `.env.example`)."""

from __future__ import annotations

import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class Environment(StrEnum):
    """Where the process runs; production refuses unsafe defaults."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


VAR_DIR = Path("var")


class Settings(BaseSettings):
    """Every setting the API, the worker and the dev runner read."""

    # an empty variable (NO_SHOW_GRACE_MINUTES=) means "not set"
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", frozen=True, env_parse_none_str=""
    )

    environment: Environment = Environment.DEVELOPMENT
    database_url: str | None = Field(
        default=None, description="SQLAlchemy async URL; unset = SQLite under ./var"
    )
    redis_url: str | None = Field(default=None, description="unset = in-process cache")
    temporal_address: str | None = Field(default=None, description="unset = embedded dev server")
    temporal_namespace: str = "default"
    temporal_task_queue: str = "reservations"
    temporal_ui_port: int = 8233
    jwt_secret: str | None = None
    jwt_ttl_minutes: int = Field(default=12 * 60, gt=0)
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, gt=0, lt=65536)
    public_base_url: str = "http://127.0.0.1:8000"
    hold_minutes: int = Field(default=15, gt=0)
    reminder_hours_before: int = Field(default=24, gt=0)
    manual_confirmation_hours: int = Field(default=24, gt=0)
    no_show_grace_minutes: int | None = Field(default=None, gt=0)
    review_request_delay_hours: int = Field(default=3, ge=0)
    payment_provider: Literal["local", "adyen"] = "local"
    sms_provider: Literal["outbox", "twilio"] = "outbox"
    email_provider: Literal["outbox", "smtp"] = "outbox"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if not value:
            return None
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"not a database URL: {exc}") from None
        if url.drivername not in {"postgresql+asyncpg", "sqlite+aiosqlite"}:
            raise ValueError("use postgresql+asyncpg://... or sqlite+aiosqlite:///...")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("use redis://host:port/db")
        return value or None

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(VAR_DIR / 'reservations.db').resolve()}"

    def effective_jwt_secret(self) -> str:
        """The JWT secret; in development one is generated once and kept under ./var."""
        if self.jwt_secret:
            return self.jwt_secret
        if self.environment is Environment.PRODUCTION:
            raise ConfigurationError("JWT_SECRET", "must be set in production")
        path = VAR_DIR / "jwt_secret"
        if not path.exists():
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


class ConfigurationError(Exception):
    """A setting that stops start-up; its message is one line naming the variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"configuration error: {variable}: {problem}")
        self.variable = variable


def load_settings() -> Settings:
    """Read settings, turning a validation failure into one line that names the variable."""
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "?"
        raise ConfigurationError(variable, first["msg"]) from None
    if settings.environment is Environment.PRODUCTION and len(settings.jwt_secret or "") < 32:
        raise ConfigurationError("JWT_SECRET", "must be set in production, 32 characters or more")
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings."""
    return load_settings()
