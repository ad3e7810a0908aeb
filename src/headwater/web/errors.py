"""Turning exceptions into answers: a Problem for the API, a page (or the login form) for the dashboard."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from headwater.errors import HeadwaterError
from headwater.web import problems
from headwater.web.auth.principal import LoginRequired
from headwater.web.dashboard.errors import error_page, login_redirect

_NOT_PAGES = ("/api/v1", "/healthz", "/readyz", "/static")


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith(_NOT_PAGES)


async def on_headwater_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HeadwaterError)
    if _is_page(request):
        if isinstance(exc, LoginRequired):
            return login_redirect(request)
        return error_page(request, problems.http_status(exc), exc.message, exc.hint)
    return problems.from_error(exc)


async def on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if _is_page(request):
        fields = ", ".join(e.field for e in problems.field_errors(exc))
        return error_page(request, 422, f"Some of what was sent is not valid: {fields}.")
    return problems.from_validation(exc)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "The request could not be handled."
    if _is_page(request):
        return error_page(request, exc.status_code, detail)
    answer = problems.problem(exc.status_code, detail, code=_code(exc.status_code))
    answer.headers.update(exc.headers or {})
    return answer


async def on_unexpected(request: Request, exc: Exception) -> Response:
    answer = problems.unexpected(request, exc)
    if _is_page(request):
        return error_page(request, 500, "Something went wrong on the server; it has been logged.")
    return answer


def _code(status: int) -> str:
    return {404: "not_found", 405: "method_not_allowed", 401: "unauthenticated"}.get(status, "http_error")


def install(app: FastAPI) -> None:
    app.add_exception_handler(HeadwaterError, on_headwater_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
