"""Settings, read from `HEADWATER_*` environment variables (and a `.env` file in the working directory).

Nothing here is cached: each entry point builds one `Settings` and passes it down, so tests can point a
process at a fresh home with a plain environment variable.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from headwater.addresses import parse_allow_list
from headwater.errors import ConfigError

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_MEMORY_SIZE = re.compile(r"\d+(\.\d+)?(KB|MB|GB|KIB|MIB|GIB)", re.IGNORECASE)


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("headwater", appauthor=False))


class OutboundSettings(BaseSettings):
    """What every outbound HTTP client reads when it is built: where it may connect, and how long it waits.

    A separate class because `headwater.http` builds clients deep inside connectors, where no `Settings`
    is handed down; reading these four is cheap. `Settings` includes them, for `config show`.
    """

    model_config = SettingsConfigDict(env_prefix="HEADWATER_", env_file=".env", extra="ignore")

    outbound_allow: str = Field(
        default="",
        description="Internal hosts, addresses and networks Headwater may connect to, comma-separated",
    )
    provider_connect_timeout: float = Field(
        default=10.0, gt=0, le=600, description="Seconds to wait for a provider to accept a connection"
    )
    provider_read_timeout: float = Field(
        default=60.0, gt=0, le=3600, description="Seconds to wait for a provider's next byte"
    )
    provider_attempts: int = Field(
        default=5, ge=1, le=20, description="Attempts per provider call before it counts as failed"
    )

    @field_validator("outbound_allow")
    @classmethod
    def _allow_list(cls, value: str) -> str:
        parse_allow_list(value)
        return value


class Settings(OutboundSettings):
    model_config = SettingsConfigDict(env_prefix="HEADWATER_", env_file=".env", extra="ignore")

    home: Path = Field(default_factory=_default_home, description="Where the embedded store and key live")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in home")
    secret_key: SecretStr | None = Field(
        default=None, description="Fernet key(s), comma-separated, newest first; default: key file in home"
    )
    broker_url: SecretStr | None = Field(default=None, description="redis:// or amqp://; unset = in-process")
    log_level: str = Field(default="WARNING", description="Python logging level")
    sync_memory: str = Field(
        default="224MB", description="DuckDB's memory budget while a sync loads (e.g. 224MB, 1GB)"
    )

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"log level must be one of {', '.join(_LOG_LEVELS)}")
        return level

    @field_validator("sync_memory")
    @classmethod
    def _memory_size(cls, value: str) -> str:
        size = value.strip().replace(" ", "")
        if not _MEMORY_SIZE.fullmatch(size):
            raise ValueError("sync memory must be a size such as 224MB or 1GB")
        return size.upper()

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'headwater.db'}"

    @property
    def key_file(self) -> Path:
        return self.home / "secret.key"

    def ensure_home(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self.home

    def masked(self) -> dict[str, Any]:
        """Every setting, with secrets and passwords inside URLs masked (for `config show`)."""
        return {
            "home": str(self.home),
            "database_url": mask_url(self.effective_database_url),
            "secret_key": "********" if self.secret_key else f"(key file {self.key_file})",
            "broker_url": mask_url(self.broker_url.get_secret_value()) if self.broker_url else None,
            "jobs_mode": "celery" if self.broker_url else "embedded",
            "log_level": self.log_level,
            "sync_memory": self.sync_memory,
            "outbound_allow": self.outbound_allow,
            "provider_connect_timeout": self.provider_connect_timeout,
            "provider_read_timeout": self.provider_read_timeout,
            "provider_attempts": self.provider_attempts,
        }


def mask_url(url: str) -> str:
    """Hide the password of a database or broker URL; keep the rest readable."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "********"


def load_settings(**overrides: Any) -> Settings:
    """Read the environment; malformed values become a `ConfigError` (exit 2), never a traceback."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        # never echo the offending value: it may be a secret
        problems = "; ".join(
            f"HEADWATER_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors(include_input=False)
        )
        raise ConfigError(f"Invalid Headwater settings: {problems}") from None
    logging.getLogger("headwater").setLevel(settings.log_level)
    return settings
