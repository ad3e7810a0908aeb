"""Privacy tickets: list (filters, cursor paging), create (idempotent), show, audit, package download."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse, JSONResponse

from headwater.privacy.listing import TicketFilter
from headwater.privacy.subjects import SUBJECT_FIELDS
from headwater.store import paging
from headwater.store.idempotency import HEADER, fingerprint
from headwater.web.api.deps import Svc
from headwater.web.auth.principal import Operator, Viewer
from headwater.web.downloads import package_response
from headwater.web.problems import documented
from headwater.web.schemas.common import AuditEntry, Line
from headwater.web.schemas.tickets import Ticket, TicketCreate, TicketPage

router = APIRouter(prefix="/tickets", tags=["privacy tickets"])
PATH = "/api/v1/tickets"
ZIP: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The access package (ZIP)",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get("", response_model=TicketPage, summary="Tickets, newest first, filtered and paged")
def list_tickets(
    _: Viewer,
    services: Svc,
    status: Line | None = Query(default=None, max_length=20),
    kind: Line | None = Query(default=None, max_length=10, description="delete or copy"),
    regulation: Line | None = Query(default=None, max_length=10, description="gdpr or ccpa"),
    overdue: bool = Query(default=False, description="Only open tickets past their deadline"),
    due_within_days: int | None = Query(default=None, ge=0, le=3650, description="Open, due this soon"),
    connection: Line | None = Query(default=None, max_length=100, description="Only those with a task here"),
    q: Line | None = Query(
        default=None, max_length=320, description="An email (or its start) or a ticket id"
    ),
    needs_attention: bool = Query(
        default=False,
        description="Only tickets with a failed task or one needing input, whatever their status",
    ),
    limit: int = Query(default=paging.DEFAULT_LIMIT, ge=1, le=paging.MAX_LIMIT),
    cursor: str | None = Query(default=None, max_length=500),
) -> dict[str, Any]:
    flt = TicketFilter(status, kind, regulation, overdue, due_within_days, connection, q, needs_attention)
    items, next_cursor = services.privacy.page_tickets(flt, limit=limit, cursor=cursor)
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "",
    status_code=201,
    response_model=Ticket,
    responses=documented(403, 409),
    summary="Open a privacy request; send an Idempotency-Key so a retried POST never opens two",
)
def create_ticket(
    body: TicketCreate,
    principal: Operator,
    services: Svc,
    idempotency_key: Annotated[
        str | None, Header(alias=HEADER, max_length=200, description="Any unique string, e.g. a UUID")
    ] = None,
) -> JSONResponse:
    keys = services.idempotency
    sent = body.model_dump(mode="json")
    if idempotency_key is not None:
        replay = keys.claim(principal.actor, idempotency_key, fingerprint("POST", PATH, sent))
        if replay is not None:
            return JSONResponse(replay.body, replay.status_code, headers={"Idempotent-Replayed": "true"})
    try:
        ticket = services.privacy.create(
            kind=body.kind,
            email=body.email,
            identifiers={k: sent[k] for k in SUBJECT_FIELDS if k != "email" and sent.get(k) is not None},
            connections=body.connections,
            regulation=body.regulation,
            actor=principal.actor,
            received_at=body.received_at,
        )
    except BaseException:
        if idempotency_key is not None:
            keys.release(principal.actor, idempotency_key)
        raise
    answer = jsonable_encoder(Ticket.model_validate(ticket))
    if idempotency_key is not None:
        keys.complete(principal.actor, idempotency_key, 201, answer)
    return JSONResponse(answer, 201, headers={"Location": f"{PATH}/{ticket['id']}"})


@router.get("/{ticket_id}", response_model=Ticket, responses=documented(404), summary="One ticket")
def show_ticket(ticket_id: str, _: Viewer, services: Svc) -> dict[str, Any]:
    return services.privacy.show(ticket_id)


@router.get(
    "/{ticket_id}/audit",
    response_model=list[AuditEntry],
    responses=documented(404),
    summary="The ticket's append-only audit trail",
)
def ticket_audit(ticket_id: str, _: Viewer, services: Svc) -> list[dict[str, Any]]:
    return services.privacy.audit(ticket_id)


@router.get(
    "/{ticket_id}/package",
    response_class=FileResponse,
    responses={**ZIP, **documented(403, 404, 409)},
    summary="Download a completed copy request's access package",
)
def download_package(ticket_id: str, principal: Operator, services: Svc) -> FileResponse:
    return package_response(services, ticket_id, actor=principal.actor)
