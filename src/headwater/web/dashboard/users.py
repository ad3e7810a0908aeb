"""Users (admins only): add one, change a role, remove one. The same rules as `headwater users`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import SecretStr
from starlette.responses import HTMLResponse

from headwater.accounts.roles import ROLES
from headwater.errors import HeadwaterError
from headwater.web.auth.principal import PageAdmin
from headwater.web.dashboard.flash import set_flash
from headwater.web.dashboard.templating import render
from headwater.web.services import get_services

router = APIRouter()
Email = Annotated[str, Form(max_length=320)]


@router.get("/users", response_class=HTMLResponse)
def user_list(request: Request, principal: PageAdmin) -> HTMLResponse:
    users = get_services(request).users.list_all()
    return render(request, "users.html", {"users": users, "roles": ROLES}, principal=principal)


def _done(request: Request, work: object, message: str) -> Response:
    services = get_services(request)
    response = RedirectResponse("/users", status_code=303)
    try:
        work()  # type: ignore[operator]
    except HeadwaterError as exc:
        set_flash(response, services, str(exc), kind="error")
        return response
    set_flash(response, services, message)
    return response


@router.post("/users")
def add_user(
    request: Request,
    principal: PageAdmin,
    email: Email,
    password: Annotated[SecretStr, Form(max_length=1024)],
    role: Annotated[str, Form(max_length=16)],
) -> Response:
    users = get_services(request).users
    return _done(
        request, lambda: users.add(email, password, role, actor=principal.actor), f"Added {email} as {role}."
    )


@router.post("/users/role")
def set_role(
    request: Request, principal: PageAdmin, email: Email, role: Annotated[str, Form(max_length=16)]
) -> Response:
    users = get_services(request).users
    return _done(
        request, lambda: users.set_role(email, role, actor=principal.actor), f"{email} is now {role}."
    )


@router.post("/users/remove")
def remove_user(request: Request, principal: PageAdmin, email: Email) -> Response:
    users = get_services(request).users
    return _done(request, lambda: users.remove(email, actor=principal.actor), f"Removed {email}.")
