"""Users and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from headwater.web.schemas.common import Line

RoleName = Literal["viewer", "operator", "admin"]


class User(BaseModel):
    email: str
    role: str
    created_at: datetime
    last_login_at: datetime | None


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Line = Field(min_length=3, max_length=200)
    password: SecretStr = Field(min_length=10, max_length=1024)
    role: RoleName


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: RoleName


class Token(BaseModel):
    name: str
    role: str
    prefix: str = Field(description="The token's first characters, to recognise it")
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None = Field(description="When it stops working; null: never")
    expired: bool


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Line = Field(min_length=1, max_length=100)
    role: RoleName
    expires_in: str | None = Field(
        default=None,
        max_length=20,
        description="Lifetime such as 90d, 12h or never; default: HEADWATER_TOKEN_DEFAULT_TTL (else never)",
    )


class TokenCreated(Token):
    token: str = Field(description="Shown this once; only its digest is stored")
