"""Users and API tokens, managed by admins (the CLI does the same with `headwater users|tokens`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from headwater.web.api.deps import Svc
from headwater.web.auth.principal import Admin
from headwater.web.problems import documented
from headwater.web.schemas.accounts import RoleChange, Token, TokenCreate, TokenCreated, User, UserCreate

router = APIRouter(tags=["users and tokens"])


@router.get("/users", response_model=list[User], responses=documented(403))
def list_users(_: Admin, services: Svc) -> list[dict[str, Any]]:
    return [u.as_dict() for u in services.users.list_all()]


@router.post("/users", status_code=201, response_model=User, responses=documented(403, 409))
def add_user(body: UserCreate, principal: Admin, services: Svc) -> dict[str, Any]:
    return services.users.add(body.email, body.password, body.role, actor=principal.actor).as_dict()


@router.put("/users/{email}/role", response_model=User, responses=documented(403, 404, 409))
def set_role(email: str, body: RoleChange, principal: Admin, services: Svc) -> dict[str, Any]:
    return services.users.set_role(email, body.role, actor=principal.actor).as_dict()


@router.delete("/users/{email}", status_code=204, responses=documented(403, 404, 409))
def remove_user(email: str, principal: Admin, services: Svc) -> Response:
    services.users.remove(email, actor=principal.actor)
    return Response(status_code=204)


@router.get("/tokens", response_model=list[Token], responses=documented(403))
def list_tokens(_: Admin, services: Svc) -> list[dict[str, Any]]:
    return [t.as_dict() for t in services.tokens.list_all()]


@router.post(
    "/tokens",
    status_code=201,
    response_model=TokenCreated,
    responses=documented(403, 409),
    summary="Create an API token; the answer is the only time it is shown",
)
def create_token(body: TokenCreate, principal: Admin, services: Svc) -> dict[str, Any]:
    info, token = services.tokens.create(
        body.name, body.role, actor=principal.actor, expires_in=body.expires_in
    )
    return {**info.as_dict(), "token": token.get_secret_value()}


@router.delete("/tokens/{name}", status_code=204, responses=documented(403, 404))
def revoke_token(name: str, principal: Admin, services: Svc) -> Response:
    services.tokens.revoke(name, actor=principal.actor)
    return Response(status_code=204)
