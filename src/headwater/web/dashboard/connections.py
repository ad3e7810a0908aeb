"""Connections: their state and settings, a Test button (live check of the stored key), on and off;
switching one off that open privacy requests still need asks first, naming them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.responses import HTMLResponse

from headwater.errors import HeadwaterError, NotFound
from headwater.privacy import dependents
from headwater.web.auth.principal import PageAdmin, PageOperator, PageViewer
from headwater.web.dashboard.flash import set_flash
from headwater.web.dashboard.templating import is_htmx, render, templates
from headwater.web.services import get_services

router = APIRouter()


@router.get("/connections", response_class=HTMLResponse)
def connection_list(request: Request, principal: PageViewer) -> HTMLResponse:
    services = get_services(request)
    connections = services.connections.list_all()
    needed_by = {c.name: dependents.open_tickets(services.db, c.name) for c in connections if c.enabled}
    context = {"connections": connections, "needed_by": needed_by, "shown": dependents.SHOWN}
    return render(request, "connections.html", context, principal=principal)


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


def _switch(
    request: Request, name: str, principal: PageAdmin, enabled: bool, force: bool = False
) -> Response:
    services = get_services(request)
    response = RedirectResponse("/connections", status_code=303)
    message = f"Connection {name} {'enabled' if enabled else 'disabled'}."
    if enabled:
        services.connections.enable(name, actor=principal.actor)
    else:
        services.connections.get(name)
        try:
            tickets = dependents.check(services.db, name, action="disable", force=force)
        except dependents.ConnectionInUse as exc:
            set_flash(response, services, str(exc), kind="error")
            return response
        services.connections.disable(name, actor=principal.actor)
        message += f" {dependents.warning(name, tickets)}" if tickets else ""
    set_flash(response, services, message)
    return response


@router.post("/connections/{name}/enable")
def enable(request: Request, name: str, principal: PageAdmin) -> Response:
    return _switch(request, name, principal, True)


@router.post("/connections/{name}/disable")
def disable(
    request: Request, name: str, principal: PageAdmin, force: Annotated[bool, Form()] = False
) -> Response:
    return _switch(request, name, principal, False, force)
