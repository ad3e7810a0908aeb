"""One way for any route to answer with an Amplitude-shaped error, whatever its body format."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response


class ApiError(Exception):
    """Raised by routes; rendered as JSON (dict body) or plain text (str body) with optional headers."""

    def __init__(
        self, status: int, body: dict[str, Any] | str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = headers or {}

    def response(self) -> Response:
        if isinstance(self.body, str):
            return PlainTextResponse(self.body, status_code=self.status, headers=self.headers)
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


def bad_request(message: str) -> ApiError:
    """The Dashboard/Privacy APIs leave 400 bodies undocumented; a JSON ``error`` string is our choice."""
    return ApiError(400, {"error": message})


def install(app: FastAPI) -> None:
    async def render(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return exc.response()

    app.add_exception_handler(ApiError, render)
