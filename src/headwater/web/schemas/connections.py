"""Connections: never a credential in the clear, in or out (request keys are write-only)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from headwater.web.schemas.common import JsonObject, Line


class Connection(BaseModel):
    name: str
    kind: str
    enabled: bool
    settings: dict[str, Any]
    created_at: str
    updated_at: str


class ConnectionDetail(Connection):
    credentials: dict[str, str] = Field(description="Each credential masked")
    data_types: list[str] = Field(
        default_factory=list,
        description="Kinds of personal data its latest PII discovery scan found (empty if never scanned)",
        examples=[["email", "phone"]],
    )


class ConnectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Line = Field(min_length=1, max_length=40, examples=["fullstory", "amplitude"])
    name: Line = Field(min_length=1, max_length=100, examples=["fs-prod"])
    credentials: dict[str, SecretStr] = Field(
        description="fullstory: api_key; amplitude: api_key, secret_key (org_api_key, org_secret_key)"
    )
    settings: JsonObject = Field(
        default_factory=dict, description="region, base_url, identify_by (see `headwater connect`)"
    )


class CheckResult(BaseModel):
    name: str
    kind: str
    ok: bool
    message: str
