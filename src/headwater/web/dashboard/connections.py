"""Connections: their state and settings, a Test button (live check of the stored key), on and off."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.responses import HTMLResponse

from headwater.errors import HeadwaterError, NotFound
from headwater.web.auth.principal import PageAdmin, PageOperator, PageViewer
from headwater.web.dashboard.flash import set_flash
from headwater.web.dashboard.templating import is_htmx, render, templates
from headwater.web.services import get_services

router = APIRouter()


@router.get("/connections", response_class=HTMLResponse)
def connection_list(request: Request, principal: PageViewer) -> HTMLResponse:
    services = get_services(request)
    return render(
        request, "connections.html", {"connections": services.connections.list_all()}, principal=principal
    )


@router.post("/connections/{name}/test")
def test_connection(request: Request, name: str, principal: PageOperator) -> Response:
    services = get_services(request)
    try:
        summary = services.connections.test(name, actor=principal.actor, transport=services.transport)
        ok, message = True, f"Works: {summary.kind} accepted the credentials."
    except NotFound:
        raise
    except HeadwaterError as exc:
        ok, message = False, f"Failed: {exc}"
    if is_htmx(request):
        return templates.TemplateResponse(
            request, "connection_test.html", {"ok": ok, "message": message, "name": name}
        )
    response = RedirectResponse("/connections", status_code=303)
    set_flash(response, services, f"{name}: {message}", kind="ok" if ok else "error")
    return response


def _switch(request: Request, name: str, principal: PageAdmin, enabled: bool) -> Response:
    services = get_services(request)
    if enabled:
        services.connections.enable(name, actor=principal.actor)
    else:
        services.connections.disable(name, actor=principal.actor)
    response = RedirectResponse("/connections", status_code=303)
    set_flash(response, services, f"Connection {name} {'enabled' if enabled else 'disabled'}.")
    return response


@router.post("/connections/{name}/enable")
def enable(request: Request, name: str, principal: PageAdmin) -> Response:
    return _switch(request, name, principal, True)


@router.post("/connections/{name}/disable")
def disable(request: Request, name: str, principal: PageAdmin) -> Response:
    return _switch(request, name, principal, False)
