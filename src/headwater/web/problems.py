"""Every API error in one shape: RFC 9457 `application/problem+json`, with the CLI's exit code and error
code beside the HTTP status, so a script can treat a failure the same way from either face.

401 and 403 always mean the caller's own standing with Headwater. A provider refusing a stored key is a
different thing (the caller cannot fix it by logging in again), so it is answered as 422 with the
provider's code (`unauthorized`, `forbidden`) and exit code 4.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from headwater.accounts.ratelimit import TooManyAttempts
from headwater.errors import AuthError, HeadwaterError, PermissionDenied
from headwater.web.auth.principal import Forbidden, Unauthenticated

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"
_EXIT_CODES = {400: 2, 401: 4, 403: 4, 404: 3, 405: 2, 409: 2, 413: 2, 415: 2, 422: 2}


class FieldError(BaseModel):
    field: str = Field(description="The offending field, dotted for nested ones")
    location: str = Field(description="body, query, path, header or form")
    message: str


class Problem(BaseModel):
    """An error. `code` and `exit_code` mean the same as in the CLI."""

    type: str = Field(description="A URI naming the kind of problem")
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable machine-readable code, e.g. not_found, bad_input")
    exit_code: int = Field(description="The exit code the CLI uses for the same failure")
    hint: str | None = Field(default=None, description="What to do next")
    errors: list[FieldError] = Field(default_factory=list, description="Each invalid field, when any")
    tickets: list[str] | None = Field(
        default=None, description="The tickets concerned, e.g. the open ones that need a connection"
    )


class ProblemResponse(JSONResponse):
    media_type = MEDIA_TYPE


def problem(
    status: int,
    detail: str,
    *,
    code: str,
    exit_code: int | None = None,
    hint: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    tickets: list[str] | None = None,
) -> ProblemResponse:
    body = Problem(
        type=f"urn:headwater:problem:{code}",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        code=code,
        exit_code=exit_code if exit_code is not None else _EXIT_CODES.get(status, 1),
        hint=hint,
        errors=errors or [],
        tickets=tickets,
    )
    shown = body.model_dump(mode="json", exclude={"tickets"} if tickets is None else set())
    return ProblemResponse(shown, status_code=status, headers=headers)


def http_status(exc: HeadwaterError) -> int:
    if isinstance(exc, (AuthError, PermissionDenied)) and not isinstance(exc, (Unauthenticated, Forbidden)):
        return 422 if exc.status in (401, 403) else exc.status
    return exc.status


def from_error(exc: HeadwaterError) -> ProblemResponse:
    status = http_status(exc)
    headers: dict[str, str] = {}
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after)
    return problem(
        status,
        exc.message,
        code=exc.code,
        exit_code=exc.exit_code,
        hint=exc.hint,
        errors=_listed(exc),
        headers=headers,
        tickets=getattr(exc, "tickets", None),
    )


def _listed(exc: HeadwaterError) -> list[FieldError]:
    """Errors that carry a list of problems (an invalid workflow file: one per line) keep them apart."""
    found = []
    for item in getattr(exc, "problems", None) or []:
        described = item.as_dict() if hasattr(item, "as_dict") else {}
        line = described.get("line")
        where = str(described.get("where") or "")
        message = str(described.get("message") or item)
        found.append(
            FieldError(
                field=where or "(file)",
                location="body",
                message=f"line {line}: {message}" if line else message,
            )
        )
    return found


def field_errors(exc: RequestValidationError) -> list[FieldError]:
    """Each invalid field with where it was sent; never the value (it may be personal data or a key)."""
    found = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        where = loc[0] if loc and loc[0] in ("body", "query", "path", "header", "cookie") else "body"
        name = ".".join(loc[1:] if loc and loc[0] == where else loc) or "(body)"
        found.append(FieldError(field=name, location=where, message=str(error.get("msg", "invalid"))))
    return found


def from_validation(exc: RequestValidationError) -> ProblemResponse:
    errors = field_errors(exc)
    detail = "Invalid input: " + "; ".join(f"{e.field}: {e.message}" for e in errors) + "."
    return problem(422, detail, code="bad_input", errors=errors)


def unexpected(request: Request, exc: Exception) -> ProblemResponse:
    log.error("unexpected error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return problem(500, "Something went wrong on the server; it has been logged.", code="error")


PROBLEM_CONTENT: dict[str, Any] = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry of a route: these statuses answer with a Problem (see `openapi`)."""
    return {
        status: {"description": HTTPStatus(status).phrase, "content": dict(PROBLEM_CONTENT)}
        for status in statuses
    }
