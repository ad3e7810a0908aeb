"""Ticket forms: a new request, a CSV upload with per-row results, and the actions on one ticket
(retry, cancel, set identity, check providers now). Each POST answers with a redirect and a message, or
the same form again with what went wrong."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.responses import HTMLResponse

from headwater.errors import HeadwaterError, NotFound
from headwater.privacy import deadlines, following, intake
from headwater.privacy.models import normalise_ticket_id
from headwater.web.api.ticket_actions import run_import
from headwater.web.auth.principal import PageOperator
from headwater.web.dashboard.flash import set_flash
from headwater.web.dashboard.templating import render
from headwater.web.services import get_services

router = APIRouter()
Text = Annotated[str, Form(max_length=320)]


def _new_context(request: Request, values: dict[str, Any], error: str | None = None) -> dict[str, Any]:
    connections = [c for c in get_services(request).connections.list_all() if c.enabled]
    return {
        "values": values,
        "error": error,
        "kinds": intake.KINDS,
        "regulations": deadlines.REGULATIONS,
        "connections": connections,
    }


@router.get("/tickets/new", response_class=HTMLResponse)
def new_ticket_form(request: Request, principal: PageOperator, kind: str = "delete") -> HTMLResponse:
    values = {"kind": kind if kind in intake.KINDS else "delete", "regulation": "gdpr"}
    return render(request, "tickets/new.html", _new_context(request, values), principal=principal)


@router.post("/tickets/new", response_model=None)
def create_ticket(
    request: Request,
    principal: PageOperator,
    kind: Annotated[str, Form(max_length=10)],
    email: Text,
    regulation: Annotated[str, Form(max_length=10)] = "gdpr",
    fullstory_uid: Text = "",
    amplitude_user_id: Text = "",
    amplitude_id: Text = "",
    connections: Annotated[list[str] | None, Form()] = None,
) -> Response:
    values = {
        "kind": kind,
        "email": email,
        "regulation": regulation,
        "fullstory_uid": fullstory_uid,
        "amplitude_user_id": amplitude_user_id,
        "amplitude_id": amplitude_id,
        "connections": connections or [],
    }
    services = get_services(request)
    identifiers = {
        "fullstory_uid": fullstory_uid,
        "amplitude_user_id": amplitude_user_id,
        "amplitude_id": amplitude_id,
    }
    try:
        ticket = services.privacy.create(
            kind=kind,
            email=email,
            identifiers={k: v for k, v in identifiers.items() if v.strip()},
            connections=connections or None,
            regulation=regulation,
            actor=principal.actor,
        )
    except HeadwaterError as exc:
        context = _new_context(request, values, error=str(exc))
        return render(request, "tickets/new.html", context, principal=principal, status_code=422)
    response = RedirectResponse(f"/tickets/{ticket['id']}", status_code=303)
    set_flash(response, services, f"Opened {ticket['id']}: {kind} request for {ticket['email']}.")
    return response


@router.get("/tickets/import", response_class=HTMLResponse)
def import_form(request: Request, principal: PageOperator) -> HTMLResponse:
    context = {"kinds": intake.KINDS, "regulations": deadlines.REGULATIONS, "result": None, "error": None}
    return render(request, "tickets/import.html", context, principal=principal)


@router.post("/tickets/import", response_class=HTMLResponse)
def import_upload(
    request: Request,
    principal: PageOperator,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form(max_length=10)] = "delete",
    regulation: Annotated[str, Form(max_length=10)] = "gdpr",
) -> HTMLResponse:
    context: dict[str, Any] = {"kinds": intake.KINDS, "regulations": deadlines.REGULATIONS, "error": None}
    try:
        context["result"] = run_import(
            get_services(request), file, kind=kind, regulation=regulation, actor=principal.actor
        )
    except HeadwaterError as exc:
        context.update(result=None, error=str(exc))
        return render(request, "tickets/import.html", context, principal=principal, status_code=422)
    return render(request, "tickets/import.html", context, principal=principal)


def _after(request: Request, ticket_id: str, work: Any, done: str) -> Response:
    """Run one ticket action; come back to the ticket with what happened."""
    services = get_services(request)
    response = RedirectResponse(f"/tickets/{normalise_ticket_id(ticket_id)}", status_code=303)
    try:
        work()
    except NotFound:
        raise
    except HeadwaterError as exc:
        set_flash(response, services, str(exc), kind="error")
        return response
    set_flash(response, services, done)
    return response


@router.post("/tickets/{ticket_id}/retry")
def retry(request: Request, ticket_id: str, principal: PageOperator) -> Response:
    privacy = get_services(request).privacy
    return _after(
        request,
        ticket_id,
        lambda: privacy.retry(ticket_id, actor=principal.actor),
        "Failed tasks started again.",
    )


@router.post("/tickets/{ticket_id}/cancel")
def cancel(
    request: Request,
    ticket_id: str,
    principal: PageOperator,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    privacy = get_services(request).privacy
    return _after(
        request,
        ticket_id,
        lambda: privacy.cancel(ticket_id, actor=principal.actor, reason=reason),
        "Request cancelled.",
    )


@router.post("/tickets/{ticket_id}/identity")
def set_identity(
    request: Request,
    ticket_id: str,
    principal: PageOperator,
    connection: Annotated[str, Form(max_length=100)],
    uid: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    privacy = get_services(request).privacy

    def work() -> None:
        privacy.set_identity(ticket_id, connection=connection, uid=uid, actor=principal.actor)

    return _after(request, ticket_id, work, f"Identity set for {connection}; its task runs again.")


@router.post("/tickets/{ticket_id}/refresh")
def refresh(request: Request, ticket_id: str, principal: PageOperator) -> Response:
    services = get_services(request)
    response = RedirectResponse(f"/tickets/{normalise_ticket_id(ticket_id)}", status_code=303)
    try:
        data = services.privacy.refresh(ticket_id, actor=principal.actor)
    except NotFound:
        raise
    except HeadwaterError as exc:
        set_flash(response, services, str(exc), kind="error")
        return response
    text = " ".join(following.summary(data["polled"], data["poll_failures"]))
    set_flash(response, services, text, kind="error" if data["poll_failures"] else "ok")
    return response
