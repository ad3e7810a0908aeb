"""The API reference: Swagger UI served from the package's own files (no CDN), behind the login."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from headwater.web.auth.principal import PageViewer
from headwater.web.dashboard.templating import render
from headwater.web.openapi import OPENAPI_URL

router = APIRouter()


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request, principal: PageViewer) -> HTMLResponse:
    return render(request, "api_docs.html", {"openapi_url": OPENAPI_URL}, principal=principal)
