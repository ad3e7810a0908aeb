"""Rendering pages: one Jinja2 environment (autoescaped), the filters the templates use, and `render`,
which adds what every page needs — who is logged in, the CSRF token, the pending flash message.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import HTMLResponse

from headwater.accounts.roles import Role
from headwater.web.auth.principal import Principal
from headwater.web.dashboard.flash import COOKIE as FLASH_COOKIE
from headwater.web.dashboard.flash import read_flash
from headwater.web.services import get_services


def when(value: Any, *, seconds: bool = False) -> str:
    """A moment as `2026-11-23 18:27 UTC`, from a datetime or an ISO string; '' for nothing."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + " UTC"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value if value is not None else "")


def deadline(ticket: dict[str, Any]) -> str:
    if ticket.get("closed_at") or ticket.get("days_left") is None:
        return "closed"
    days = ticket["days_left"]
    if ticket.get("overdue"):
        return f"overdue by {-days} day{'s' if -days != 1 else ''}" if days < 0 else "overdue"
    return f"{days} day{'s' if days != 1 else ''} left"


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("headwater.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(when=when, number=number, deadline=deadline)
    return env


templates = Jinja2Templates(env=_environment())


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    principal: Principal | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    services = get_services(request)
    flash = read_flash(request, services)
    role = principal.role if principal else None
    page = {
        "principal": principal,
        "csrf": principal.csrf_token if principal else None,
        "flash": flash,
        "can_operate": bool(role and role.allows(Role.OPERATOR)),
        "can_admin": bool(role and role.allows(Role.ADMIN)),
        "path": request.url.path,
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, page, status_code=status_code, headers=headers)
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response
