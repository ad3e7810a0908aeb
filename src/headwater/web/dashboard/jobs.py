"""Background jobs: the newest first, live while the page is open, with a retry for dead ones."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.responses import HTMLResponse

from headwater.errors import HeadwaterError
from headwater.jobs import listing
from headwater.jobs.models import STATUSES
from headwater.web.api.deps import RowId
from headwater.web.api.jobs import retry_as
from headwater.web.auth.principal import PageOperator, PageViewer
from headwater.web.dashboard.flash import set_flash
from headwater.web.dashboard.templating import is_htmx, render
from headwater.web.redact import shown_job
from headwater.web.schemas.common import Line
from headwater.web.services import get_services

router = APIRouter()


@router.get("/jobs", response_class=HTMLResponse)
def job_list(
    request: Request,
    principal: PageViewer,
    status: Line | None = Query(default=None, max_length=16),
    cursor: str | None = Query(default=None, max_length=500),
) -> HTMLResponse:
    services = get_services(request)
    rows, next_cursor = listing.page(services.db, status=status or None, limit=50, cursor=cursor)
    context = {
        "jobs": [shown_job(row, principal) for row in rows],
        "next_cursor": next_cursor,
        "status": status or "",
        "statuses": STATUSES,
    }
    name = "jobs_table.html" if is_htmx(request) else "jobs.html"
    return render(request, name, context, principal=principal)


@router.post("/jobs/{job_id}/retry")
def retry(request: Request, job_id: RowId, principal: PageOperator) -> Response:
    services = get_services(request)
    response = RedirectResponse("/jobs", status_code=303)
    try:
        retry_as(principal, services, job_id)
    except HeadwaterError as exc:
        set_flash(response, services, str(exc), kind="error")
        return response
    set_flash(response, services, f"Job {job_id} queued to run again.")
    return response
