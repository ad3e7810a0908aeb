"""Tuning of the job system, read from `HEADWATER_JOBS_*` variables.

They are separate from the core settings because only workers and the ticker care about them, and tests
shrink them (leases of seconds, polls of milliseconds) to exercise crashes and retries quickly.
"""

from __future__ import annotations

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from headwater.errors import ConfigError


class JobSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HEADWATER_JOBS_", env_file=".env", extra="ignore")

    lease_seconds: float = Field(default=60.0, gt=0, description="A claimed job is re-run after this")
    poll_seconds: float = Field(default=1.0, gt=0, description="Embedded worker: how often to look for work")
    tick_seconds: float = Field(default=5.0, gt=0, description="How often the ticker runs periodic work")
    redispatch_seconds: float = Field(
        default=300.0, gt=0, description="Celery mode: a sent job not started after this is sent again"
    )
    backoff_seconds: float = Field(default=10.0, ge=0, description="First retry delay; doubles per attempt")
    backoff_max_seconds: float = Field(default=3600.0, ge=0)
    max_attempts: int = Field(default=5, ge=1, description="Attempts before a failing job is dead")
    shutdown_grace_seconds: float = Field(default=30.0, ge=0, description="SIGTERM: time to finish a job")
    queue: str = Field(default="headwater", min_length=1, description="Celery queue name")
    modules: str = Field(default="", description="Extra task modules to import, comma-separated")
    retention_days: float = Field(default=14.0, gt=0, description="Succeeded jobs are purged after this")
    broker_timeout_seconds: float = Field(default=5.0, gt=0, description="Connecting to the broker")
    ticker: bool = Field(default=True, description="Whether workers take part in running periodic work")
    heartbeat_seconds: float = Field(
        default=15.0, gt=0, description="How often a worker says it is alive; silent for 3 times this: gone"
    )
    stall_seconds: float = Field(
        default=300.0, ge=0, description="Due work waiting this long with no live worker is reported"
    )

    @property
    def extra_modules(self) -> list[str]:
        return [name.strip() for name in self.modules.split(",") if name.strip()]


def load_job_settings(**overrides: object) -> JobSettings:
    """Like `config.load_settings`: a malformed value is a `ConfigError` (exit 2), not a traceback."""
    try:
        return JobSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"HEADWATER_JOBS_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors(include_input=False)
        )
        raise ConfigError(f"Invalid job settings: {problems}") from None
