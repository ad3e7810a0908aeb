"""Tuning of the web service, read from `HEADWATER_WEB_*` variables.

Separate from the core settings because only `headwater serve` cares, and tests shrink the login limits.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from headwater.errors import ConfigError


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HEADWATER_WEB_", env_file=".env", extra="ignore")

    session_hours: float = Field(default=12.0, gt=0, description="A login lasts this long")
    secure_cookies: Literal["auto", "always", "never"] = Field(
        default="auto", description="auto: Secure cookies when the request came over HTTPS"
    )
    login_failures_per_account: int = Field(default=5, ge=1, description="Before the account waits")
    login_failures_per_client: int = Field(default=20, ge=1, description="Before the client address waits")
    login_window_minutes: float = Field(default=15.0, gt=0, description="How long failures are counted")
    idempotency_hours: float = Field(default=24.0, gt=0, description="How long an Idempotency-Key holds")
    upload_max_bytes: int = Field(default=10_000_000, ge=1024, description="Largest CSV upload accepted")
    worker_concurrency: int = Field(default=2, ge=1, description="Embedded mode: jobs run at once")


def load_web_settings(**overrides: object) -> WebSettings:
    try:
        return WebSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"HEADWATER_WEB_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors(include_input=False)
        )
        raise ConfigError(f"Invalid web settings: {problems}") from None
