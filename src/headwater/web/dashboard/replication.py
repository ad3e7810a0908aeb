"""Replication: events loaded per day (a chart), every run's loading report, one run's extraction log,
and a button to sync a connection now (a job) into the default or a named destination."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.responses import HTMLResponse

from headwater.accounts.roles import Role
from headwater.errors import HeadwaterError
from headwater.sync import listing as syncs
from headwater.sync.destinations import check_name
from headwater.sync.history import calls
from headwater.sync.job import SYNC_KIND
from headwater.web.api.deps import RowId
from headwater.web.auth.principal import PageOperator, PageViewer
from headwater.web.dashboard import chart
from headwater.web.dashboard.flash import set_flash
from headwater.web.dashboard.templating import render
from headwater.web.redact import shown_run
from headwater.web.schemas.common import Line
from headwater.web.services import get_services

router = APIRouter()
DAYS = 30


@router.get("/replication", response_class=HTMLResponse)
def history(
    request: Request,
    principal: PageViewer,
    connection: Line | None = Query(default=None, max_length=100),
    cursor: str | None = Query(default=None, max_length=500),
) -> HTMLResponse:
    services = get_services(request)
    runs, next_cursor = syncs.page(services.db, connection=connection or None, limit=50, cursor=cursor)
    points = syncs.rows_per_day(services.db, days=DAYS, connection=connection or None)
    bars, top = chart.bars(points)
    context = {
        "runs": runs,
        "next_cursor": next_cursor,
        "connection": connection or "",
        "connections": services.connections.list_all(),
        "bars": bars,
        "top": top,
        "total": sum(value for _, value in points),
        "days": DAYS,
        "chart": chart,
        "destinations": services.destinations.list_all() if principal.role.allows(Role.OPERATOR) else [],
    }
    return render(request, "replication/index.html", context, principal=principal)


@router.get("/replication/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: RowId, principal: PageViewer) -> HTMLResponse:
    services = get_services(request)
    run = shown_run(syncs.get(services.db, run_id), principal)
    made = calls(services.db, run["connection"], run_id)[1]
    return render(request, "replication/run.html", {"run": run, "calls": made}, principal=principal)


@router.post("/replication/{name}/sync")
def sync_now(
    request: Request,
    name: str,
    principal: PageOperator,
    destination: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    services = get_services(request)
    response = RedirectResponse("/replication", status_code=303)
    try:
        services.connections.usable_info(name)
        if destination:
            services.destinations.get(check_name(destination))
        payload = {"connection": name, "destination": destination or None, "requested_by": principal.actor}
        job = services.queue.submit(SYNC_KIND, payload)
    except HeadwaterError as exc:
        set_flash(response, services, str(exc), kind="error")
        return response
    set_flash(response, services, f"Sync of {name} queued as job {job.id}.")
    return response
