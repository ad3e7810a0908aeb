"""Background jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class Job(BaseModel):
    id: int
    kind: str
    status: str
    attempts: int
    max_attempts: int
    run_at: datetime
    dedupe_key: str | None
    lease_owner: str | None
    lease_expires_at: datetime | None
    dispatched_at: datetime | None
    last_error: str | None
    payload: dict[str, Any]
    result: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class Effect(BaseModel):
    key: str
    status: str
    calls: int
    intent: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    created_at: datetime
    done_at: datetime | None


class JobDetail(Job):
    effects: list[Effect] = Field(description="Provider calls recorded before and after")


class JobPage(BaseModel):
    items: list[Job]
    next_cursor: str | None
