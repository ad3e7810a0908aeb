"""Replication runs: loading reports and extraction logs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

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

    destination: Line | None = Field(
        default=None,
        max_length=100,
        description="The name of a destination an admin defined (GET /destinations); "
        "default: a DuckDB file in the home. Never a URL",
    )
    start_date: date | None = Field(default=None, description="Where a first run starts")
    full_refresh: bool = False

    @model_validator(mode="before")
    @classmethod
    def _no_url(cls, data: Any) -> Any:
        if isinstance(data, dict) and "to" in data:
            if data["to"] is not None:
                raise ValueError(
                    "to: the API takes no destination URL; name one an admin defined (`destination`)"
                )
            data = {key: value for key, value in data.items() if key != "to"}  # null: the default, as before
        return data


class Destination(BaseModel):
    name: str
    kind: str
    url: str = Field(description="Password masked")
    created_by: str
    created_at: datetime
