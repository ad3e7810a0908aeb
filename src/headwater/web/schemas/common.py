"""Shapes shared by several resources."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class AuditEntry(BaseModel):
    id: int
    at: str = Field(description="ISO 8601, UTC")
    actor: str = Field(description="Who: a user's email, token:NAME, an OS user, or worker")
    action: str
    subject_type: str
    subject_id: str
    details: dict[str, Any]
    message: str


class Me(BaseModel):
    kind: str = Field(description="user or token")
    name: str
    role: str


class Health(BaseModel):
    status: str
    checks: dict[str, str] = Field(default_factory=dict)
