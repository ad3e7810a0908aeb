"""Who is calling: a bearer token (machines) or a session cookie (browsers), resolved once per request.

`require(role)` gives the dependency each route declares; a missing or refused identity is a 401, a role
below the one needed a 403 — decided here, on the server, whatever the page showed.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from headwater.accounts.roles import Role
from headwater.accounts.tokens import TokenExpired
from headwater.errors import AuthError, PermissionDenied
from headwater.web.services import Services, get_services

#: the session cookie: the signed session id `accounts.sessions` gives out
COOKIE = "headwater_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
_UNKNOWN = object()  # "not looked up yet", as opposed to None: "nobody"

bearer = HTTPBearer(auto_error=False, description="An API token from `headwater tokens create`.")


class Unauthenticated(AuthError):
    """The caller did not prove who they are to Headwater itself (not a provider refusing a key)."""

    code = "unauthenticated"


class Forbidden(PermissionDenied):
    """The caller is known but their role may not do this."""

    code = "forbidden_role"


class CsrfRefused(Forbidden):
    code = "csrf_refused"


@dataclass(frozen=True)
class Principal:
    kind: Literal["user", "token"]
    name: str
    role: Role
    csrf_token: str | None = None  # sessions only

    @property
    def actor(self) -> str:
        """The name written to the audit trail."""
        return self.name if self.kind == "user" else f"token:{self.name}"


class ExpiredToken(Unauthenticated):
    code = "token_expired"


class LoginRequired(Unauthenticated):
    """A page asked for without a session: the browser is sent to the login form."""

    code = "login_required"


def identify(
    request: Request, services: Services, credentials: HTTPAuthorizationCredentials | None
) -> Principal | None:
    """The caller, or None; a bearer header that is present but wrong is never ignored for a cookie."""
    known = getattr(request.state, "principal", _UNKNOWN)
    if known is None or isinstance(known, Principal):
        return known
    found: Principal | None = None
    if credentials is not None:
        try:
            token = services.tokens.authenticate(credentials.credentials)
        except TokenExpired as exc:
            raise ExpiredToken(exc.message, hint=exc.hint) from None
        if token is None:
            raise Unauthenticated("The API token is not valid (revoked or mistyped).")
        found = Principal("token", token.name, token.role)
    elif cookie := request.cookies.get(COOKIE):
        session = services.sessions.resolve(cookie)
        if session is not None:
            found = Principal("user", session.user.email, session.user.role, session.csrf_token)
    request.state.principal = found
    return found


async def check_csrf(request: Request, principal: Principal) -> None:
    """Cookie-authenticated changes must carry the session's CSRF token (form field or header)."""
    if principal.kind != "user" or request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and "form" in request.headers.get("content-type", ""):
        sent = str((await request.form()).get(CSRF_FIELD) or "")
    expected = principal.csrf_token or ""
    if not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused(
            "This form has expired or did not come from Headwater.", hint="Reload the page and try again."
        )


def require(role: Role, *, page: bool = False) -> Callable[..., object]:
    """The dependency of a route that needs `role`; `page` routes send strangers to the login form."""

    async def dependency(
        request: Request,
        services: Annotated[Services, Depends(get_services)],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Principal:
        principal = await run_in_threadpool(identify, request, services, credentials)
        if principal is None:
            if page:
                raise LoginRequired("Log in to continue.")
            raise Unauthenticated("Log in, or send an API token as `Authorization: Bearer TOKEN`.")
        await check_csrf(request, principal)
        if not principal.role.allows(role):
            raise Forbidden(f"This needs the {role} role; {principal.name} is {principal.role}.")
        return principal

    return dependency


Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
PageViewer = Annotated[Principal, Depends(require(Role.VIEWER, page=True))]
PageOperator = Annotated[Principal, Depends(require(Role.OPERATOR, page=True))]
PageAdmin = Annotated[Principal, Depends(require(Role.ADMIN, page=True))]
