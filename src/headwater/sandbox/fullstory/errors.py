"""FullStory's v2 error shape, ``{"message", "code"}``, used for every error the emulator returns."""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from headwater.sandbox.common.limits import retry_after_header

RATE_LIMIT_MESSAGE = "Too many requests. Client has exceeded the rate limit for this endpoint."

_CODES_BY_STATUS = {
    400: "invalid_argument",
    401: "unauthorized",
    403: "forbidden",
    404: "resource_not_found",
    405: "invalid_argument",
    409: "conflict",
    429: "too_many_requests",
    500: "server_error",
    503: "server_error",
}


class FullStoryError(Exception):
    """Raised by route code; rendered as the documented error body and status."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def unauthorized() -> FullStoryError:
    return FullStoryError(401, "unauthorized", "access is unauthorized")


def forbidden() -> FullStoryError:
    return FullStoryError(403, "forbidden", "insufficient permissions")


def not_found(message: str = "Requested resource does not exist") -> FullStoryError:
    return FullStoryError(404, "resource_not_found", message)


def required(field: str) -> FullStoryError:
    return FullStoryError(400, "required_field", f"{field} is required")


def invalid(message: str) -> FullStoryError:
    return FullStoryError(400, "invalid_argument", message)


def rate_limited(wait_seconds: float) -> FullStoryError:
    return FullStoryError(
        429, "too_many_requests", RATE_LIMIT_MESSAGE, {"Retry-After": retry_after_header(wait_seconds)}
    )


_FAULT_MESSAGES = {
    401: unauthorized().message,
    403: forbidden().message,
    404: not_found().message,
    429: RATE_LIMIT_MESSAGE,
}


def error_body(status: int) -> bytes:
    """The body an injected fault carries, so faults look like the real API's errors."""
    code = _CODES_BY_STATUS.get(status, "server_error")
    message = _FAULT_MESSAGES.get(status, "Server error was encountered")
    return json.dumps({"message": message, "code": code}).encode()


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(FullStoryError)
    async def _fullstory_error(request: Request, error: FullStoryError) -> JSONResponse:
        return JSONResponse({"message": error.message, "code": error.code}, error.status, error.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("query", "body"))
        return JSONResponse(
            {"message": f"{where}: {first.get('msg', 'invalid')}", "code": "invalid_argument"}, 400
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = _CODES_BY_STATUS.get(error.status_code, "server_error")
        message = "Requested resource does not exist" if error.status_code == 404 else str(error.detail)
        return JSONResponse({"message": message, "code": code}, error.status_code, error.headers)
