"""Setting the session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS (or as configured)."""

from __future__ import annotations

from fastapi import Request, Response

from headwater.web.auth.principal import COOKIE
from headwater.web.services import Services


def secure(request: Request, services: Services) -> bool:
    mode = services.web.secure_cookies
    return mode == "always" or (mode == "auto" and request.url.scheme == "https")


def set_session(response: Response, request: Request, services: Services, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(services.web.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=secure(request, services),
        path="/",
    )


def clear_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")
