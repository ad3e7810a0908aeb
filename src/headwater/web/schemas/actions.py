"""Actions: the catalogue and running one on a connection."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from headwater.web.schemas.common import JsonObject


class ActionSummary(BaseModel):
    key: str
    provider: str
    title: str
    description: str
    read_only: bool
    destructive: bool
    score: float | None = Field(default=None, description="Relevance to the intent searched for")


class ActionDetail(ActionSummary):
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]


class ActionRun(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: JsonObject = Field(default_factory=dict, description="Checked against the input schema")
    limit: int | None = Field(default=None, ge=1, le=1_000_000, description="List actions stop here")
    confirm: bool = Field(default=False, description="Must be true to run a destructive action")


class DryRun(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: JsonObject = Field(default_factory=dict)


class ActionResult(BaseModel):
    action: str
    connection: str
    output: Any


class DryRunResult(BaseModel):
    action: str
    connection: str
    dry_run: bool = True
    request: dict[str, Any] = Field(description="The first HTTP request it would send, secrets masked")
