"""The overview: open tickets by status, what is overdue or due within 7 days, recent runs and failures."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from headwater.jobs import listing as jobs
from headwater.privacy.listing import TicketFilter
from headwater.sync import listing as syncs
from headwater.web.auth.principal import PageViewer, Principal
from headwater.web.dashboard.templating import is_htmx, render
from headwater.web.dashboard.work_health import work_health
from headwater.web.redact import shown_job, shown_run
from headwater.web.services import get_services

router = APIRouter()
SOON_DAYS = 7


def _context(request: Request, principal: Principal) -> dict[str, Any]:
    services = get_services(request)
    recent, _ = services.privacy.page_tickets(TicketFilter(), limit=8)
    runs, _ = syncs.page(services.db, limit=5)
    return {
        "counts": services.privacy.ticket_counts(soon_days=SOON_DAYS),
        "soon_days": SOON_DAYS,
        "recent_tickets": recent,
        "recent_runs": runs,
        "failed_jobs": [shown_job(row, principal) for row in jobs.recent_failures(services.db)],
        "failed_runs": [shown_run(run, principal) for run in syncs.recent_failures(services.db)],
        "health": work_health(services),
    }


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, principal: PageViewer) -> HTMLResponse:
    name = "overview_live.html" if is_htmx(request) else "overview.html"
    return render(request, name, _context(request, principal), principal=principal)
