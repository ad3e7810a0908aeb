"""Tuning of the web service, read from `HEADWATER_WEB_*` variables.

Separate from the core settings because only `headwater serve` cares, and tests shrink the login limits.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from headwater.errors import ConfigError
from headwater.web.client_address import Network, parse_networks


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HEADWATER_WEB_", env_file=".env", extra="ignore")

    session_hours: float = Field(default=12.0, gt=0, description="A login lasts this long")
    secure_cookies: Literal["auto", "always", "never"] = Field(
        default="auto", description="auto: Secure cookies when the request came over HTTPS"
    )
    login_failures_per_account: int = Field(default=5, ge=1, description="Before the account waits")
    login_failures_per_client: int = Field(default=20, ge=1, description="Before the client address waits")
    login_window_minutes: float = Field(
        default=15.0, gt=0, description="Failures are forgotten after this long"
    )
    login_delay_seconds: float = Field(default=5.0, gt=0, description="First wait once the failures are used")
    login_max_delay_seconds: float = Field(default=300.0, gt=0, description="The wait doubles up to this")
    trusted_proxies: str = Field(
        default="",
        validation_alias=AliasChoices("HEADWATER_TRUSTED_PROXIES", "HEADWATER_WEB_TRUSTED_PROXIES"),
        description="Reverse proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For is believed",
    )
    idempotency_hours: float = Field(default=24.0, gt=0, description="How long an Idempotency-Key holds")
    upload_max_bytes: int = Field(default=10_000_000, ge=1024, description="Largest CSV upload accepted")
    worker_concurrency: int = Field(default=2, ge=1, description="Embedded mode: jobs run at once")

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        parse_networks(value)
        return value

    @property
    def trusted_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.trusted_proxies)


def load_web_settings(**overrides: object) -> WebSettings:
    try:
        return WebSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{_variable(err['loc'])}: {err['msg']}" for err in exc.errors(include_input=False)
        )
        raise ConfigError(f"Invalid web settings: {problems}") from None


def _variable(loc: tuple[int | str, ...]) -> str:
    name = "_".join(str(part) for part in loc).upper()
    return name if name.startswith("HEADWATER_") else f"HEADWATER_WEB_{name}"
