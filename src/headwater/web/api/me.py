"""`GET /me`: who the API thinks the caller is (handy to check a token)."""

from __future__ import annotations

from fastapi import APIRouter

from headwater.web.auth.principal import Viewer
from headwater.web.schemas.common import Me

router = APIRouter(tags=["auth"])


@router.get("/me", response_model=Me, summary="The caller's identity and role")
def me(principal: Viewer) -> Me:
    return Me(kind=principal.kind, name=principal.name, role=principal.role.value)
