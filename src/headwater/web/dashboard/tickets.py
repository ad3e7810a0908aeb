"""Ticket pages: the filtered list, and one ticket with its tasks, actions and audit trail, kept current
by polling while work is going on."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from starlette.responses import HTMLResponse

from headwater.privacy import deadlines, intake, states
from headwater.privacy.listing import TicketFilter
from headwater.web.auth.principal import PageOperator, PageViewer
from headwater.web.dashboard.templating import render
from headwater.web.dashboard.work_health import work_health
from headwater.web.downloads import package_response
from headwater.web.schemas.common import Line
from headwater.web.services import get_services

router = APIRouter()
PAGE_SIZE = 50
#: how often the page asks again, by ticket status (seconds); closed tickets are not polled
POLL_SECONDS = {states.RECEIVED: 2, states.IN_PROGRESS: 2, states.WAITING: 15, states.NEEDS_INPUT: 15}


@router.get("/tickets", response_class=HTMLResponse)
def ticket_list(
    request: Request,
    principal: PageViewer,
    status: Line | None = Query(default=None, max_length=20),
    kind: Line | None = Query(default=None, max_length=10),
    regulation: Line | None = Query(default=None, max_length=10),
    overdue: bool = False,
    due_within_days: int | None = Query(default=None, ge=0, le=3650),
    connection: Line | None = Query(default=None, max_length=100),
    q: Line | None = Query(default=None, max_length=320),
    needs_attention: bool = False,
    cursor: str | None = Query(default=None, max_length=500),
) -> HTMLResponse:
    services = get_services(request)
    flt = TicketFilter(
        status or None,
        kind or None,
        regulation or None,
        overdue,
        due_within_days,
        connection or None,
        q or None,
        needs_attention,
    )
    items, next_cursor = services.privacy.page_tickets(flt, limit=PAGE_SIZE, cursor=cursor)
    query = {k: v for k, v in request.query_params.items() if k != "cursor" and v}
    context = {
        "tickets": items,
        "filters": flt,
        "query": query,
        "next_cursor": next_cursor,
        "paged": cursor is not None,
        "statuses": states.TICKET_STATUSES,
        "kinds": intake.KINDS,
        "regulations": deadlines.REGULATIONS,
        "connections": [c.name for c in services.connections.list_all()],
        "health": work_health(services),
    }
    return render(request, "tickets/list.html", context, principal=principal)


def _detail(request: Request, ticket_id: str) -> dict[str, Any]:
    services = get_services(request)
    ticket = services.privacy.show(ticket_id)
    closed = ticket["status"] in states.CLOSED
    context = {
        "ticket": ticket,
        "trail": services.privacy.audit(ticket["id"]),
        "poll": POLL_SECONDS.get(ticket["status"]),
        "closed": closed,
        "package": ticket["kind"] == "copy" and ticket["status"] == states.COMPLETED,
        "retryable": not closed and any(t["status"] in states.RETRYABLE for t in ticket["tasks"]),
        "identity_tasks": [] if closed else [t for t in ticket["tasks"] if t["status"] in states.RETRYABLE],
        "attention_tasks": [t for t in ticket["tasks"] if t["status"] in states.ATTENTION],
    }
    context["has_actions"] = context["package"] or not closed
    return context


@router.get("/tickets/{ticket_id}", response_class=HTMLResponse)
def ticket_page(request: Request, ticket_id: str, principal: PageViewer) -> HTMLResponse:
    return render(request, "tickets/detail.html", _detail(request, ticket_id), principal=principal)


@router.get("/tickets/{ticket_id}/live", response_class=HTMLResponse)
def ticket_live(request: Request, ticket_id: str, principal: PageViewer, seen: str = "") -> HTMLResponse:
    """The part of the ticket page that changes; a new status reloads the page so its actions match."""
    context = _detail(request, ticket_id)
    headers = {"HX-Refresh": "true"} if seen and seen != context["ticket"]["status"] else None
    return render(request, "tickets/live.html", context, principal=principal, headers=headers)


@router.get("/tickets/{ticket_id}/package")
def ticket_package(request: Request, ticket_id: str, principal: PageOperator) -> FileResponse:
    return package_response(get_services(request), ticket_id, actor=principal.actor)
