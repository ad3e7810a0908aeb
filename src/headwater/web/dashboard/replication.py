"""Replication: events loaded per day (a chart), every run's loading report, one run's extraction log,
and a button to sync a connection now (a job)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.responses import HTMLResponse

from headwater.errors import HeadwaterError
from headwater.sync import listing as syncs
from headwater.sync.history import calls
from headwater.sync.job import SYNC_KIND
from headwater.web.api.deps import RowId
from headwater.web.auth.principal import PageOperator, PageViewer
from headwater.web.dashboard import chart
from headwater.web.dashboard.flash import set_flash
from headwater.web.dashboard.templating import render
from headwater.web.services import get_services

router = APIRouter()
DAYS = 30


@router.get("/replication", response_class=HTMLResponse)
def history(
    request: Request,
    principal: PageViewer,
    connection: str | None = Query(default=None, max_length=100),
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
    }
    return render(request, "replication/index.html", context, principal=principal)


@router.get("/replication/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: RowId, principal: PageViewer) -> HTMLResponse:
    services = get_services(request)
    run = syncs.get(services.db, run_id)
    made = calls(services.db, run["connection"], run_id)[1]
    return render(request, "replication/run.html", {"run": run, "calls": made}, principal=principal)


@router.post("/replication/{name}/sync")
def sync_now(request: Request, name: str, principal: PageOperator) -> Response:
    services = get_services(request)
    response = RedirectResponse("/replication", status_code=303)
    try:
        services.connections.usable_info(name)
        job = services.queue.submit(SYNC_KIND, {"connection": name, "requested_by": principal.actor})
    except HeadwaterError as exc:
        set_flash(response, services, str(exc), kind="error")
        return response
    set_flash(response, services, f"Sync of {name} queued as job {job.id}.")
    return response
