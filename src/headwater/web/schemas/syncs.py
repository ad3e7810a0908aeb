"""Replication runs: loading reports and extraction logs."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from headwater.web.schemas.common import Line


class SyncRun(BaseModel):
    id: int
    connection: str
    kind: str
    destination: str = Field(description="Where it loaded, password masked")
    status: str
    full_refresh: bool
    started_at: str | None
    finished_at: str | None
    duration_s: float
    batches: int
    batch_unit: str
    rows: int
    rows_per_second: float | None
    tables: dict[str, int]
    bookmark_before: str | None
    bookmark_after: str | None
    details: dict[str, Any]
    error: str | None


class SyncRunPage(BaseModel):
    items: list[SyncRun]
    next_cursor: str | None


class SyncCall(BaseModel):
    at: str
    method: str
    url: str = Field(description="Redacted: no key, no secret parameter")
    status: int | None
    elapsed_ms: float
    attempt: int
    error: str | None


class SyncStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Line | None = Field(
        default=None,
        max_length=1000,
        description="duckdb:///path.duckdb or postgresql://user@host/db (no password: use PGPASSWORD "
        "or .pgpass where the worker runs); default: a DuckDB file in the home",
    )
    start_date: date | None = Field(default=None, description="Where a first run starts")
    full_refresh: bool = False
