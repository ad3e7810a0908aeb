"""The OpenAPI document: FastAPI's, with every error described as the one Problem shape it really is.

FastAPI documents validation errors with its own `HTTPValidationError`; ours answer with a Problem, so
that schema is replaced, and the 401 every protected operation can answer is added to each of them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from headwater.web.auth.principal import Viewer
from headwater.web.problems import PROBLEM_CONTENT, Problem

PREFIX = "/api/v1"
OPENAPI_URL = f"{PREFIX}/openapi.json"
UNPROTECTED = frozenset({"/healthz", "/readyz"})
_FASTAPI_ERRORS = ("HTTPValidationError", "ValidationError")


def _problem_schemas() -> dict[str, Any]:
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    nested = schema.pop("$defs", {})
    return {"Problem": schema, **nested}


def build(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        servers=app.servers,
    )
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in _FASTAPI_ERRORS:
        schemas.pop(name, None)
    schemas.update(_problem_schemas())
    for path, item in document.get("paths", {}).items():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = {"description": "Invalid input", "content": dict(PROBLEM_CONTENT)}
            if path not in UNPROTECTED:
                responses.setdefault(
                    "401", {"description": "Not authenticated", "content": dict(PROBLEM_CONTENT)}
                )
    app.openapi_schema = document
    return document


def install(app: FastAPI) -> None:
    app.openapi = lambda: build(app)  # type: ignore[method-assign]


router = APIRouter()


@router.get(OPENAPI_URL, include_in_schema=False)
def document(request: Request, _: Viewer) -> JSONResponse:
    """The OpenAPI document, for logged-in people and token holders like every other route."""
    return JSONResponse(request.app.openapi())
