"""Errors on pages: a page saying what went wrong and what to do, or the login form for a stranger."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from headwater.web.dashboard.templating import render


def login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = "/"
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=401, headers={"HX-Redirect": f"/login?next={quote(target)}"})
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def error_page(request: Request, status: int, detail: str, hint: str | None = None) -> Response:
    principal = getattr(request.state, "principal", None)
    context = {"status": status, "title": HTTPStatus(status).phrase, "detail": detail, "hint": hint}
    return render(request, "error.html", context, principal=principal, status_code=status)
