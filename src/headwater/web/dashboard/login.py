"""Logging in and out. The login form has its own CSRF token (a cookie and a field that must match),
so another site cannot log a browser into an account of its choosing; attempts are throttled per account
and per client address (`accounts.ratelimit`, `web.client_address`).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import SecretStr
from starlette.concurrency import run_in_threadpool

from headwater.accounts.ratelimit import TooManyAttempts
from headwater.accounts.users import UserInfo
from headwater.text_input import control_character
from headwater.web.auth.principal import COOKIE, PageViewer
from headwater.web.client_address import client_address
from headwater.web.dashboard.cookies import clear_session, secure, set_session
from headwater.web.dashboard.templating import render
from headwater.web.services import Services, get_services

router = APIRouter()
LOGIN_CSRF = "headwater_login_csrf"


def safe_next(target: str | None) -> str:
    """Only a path on this site: never `//evil.example` or `https://...`."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _form(
    request: Request, *, next_: str, error: str | None = None, email: str = "", status: int = 200
) -> Response:
    token = secrets.token_urlsafe(24)
    services = get_services(request)
    response = render(
        request,
        "login.html",
        {"next": safe_next(next_), "error": error, "email": email, "login_csrf": token},
        status_code=status,
    )
    response.set_cookie(
        LOGIN_CSRF,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        path="/login",
        secure=secure(request, services),
    )
    return response


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    return _form(request, next_=next)


@router.post("/login")
async def login(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[SecretStr, Form(max_length=1024)],
    login_csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    services = get_services(request)
    shown = email if control_character(email) is None else ""  # refused in `_check`, never shown again
    expected = request.cookies.get(LOGIN_CSRF, "")
    if not expected or not hmac.compare_digest(expected.encode(), login_csrf.encode()):
        return _form(
            request, next_=next, email=shown, status=403, error="The login form expired. Please try again."
        )
    client = client_address(request, services.web.trusted_networks)
    try:
        user = await run_in_threadpool(_check, services, email, password, client)
    except TooManyAttempts as exc:
        refused = _form(request, next_=next, email=shown, status=429, error=f"{exc.message} {exc.hint}")
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    if user is None:
        return _form(request, next_=next, email=shown, status=401, error="Wrong email or password.")
    value = await run_in_threadpool(services.sessions.start, user)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session(response, request, services, value)
    response.delete_cookie(LOGIN_CSRF, path="/login")
    return response


def _check(services: Services, email: str, password: SecretStr, client: str) -> UserInfo | None:
    if control_character(email) is not None:  # no account has such an email: recorded without it
        services.users.record("(refused email)", "web", "user.login_failed", "Login refused: unusable email.")
        return None
    services.limiter.attempt(email, client)  # counted before the password is looked at
    user = services.users.check_password(email, password)
    if user is None:
        services.users.record(email.strip().lower()[:320], "web", "user.login_failed", "Login refused.")
        return None
    services.limiter.succeeded(email, client)
    services.users.record(user.email, user.email, "user.logged_in", f"{user.email} logged in.")
    return user


@router.post("/logout")
def logout(request: Request, principal: PageViewer) -> Response:
    services = get_services(request)
    cookie = request.cookies.get(COOKIE)
    if cookie:
        services.sessions.end(cookie)
    services.users.record(principal.name, principal.actor, "user.logged_out", f"{principal.name} logged out.")
    response = RedirectResponse("/login", status_code=303)
    clear_session(response)
    return response
