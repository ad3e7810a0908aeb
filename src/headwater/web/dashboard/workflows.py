"""Workflows: each with its schedule and last run, its runs, and every run's step log; admins run them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.responses import HTMLResponse

from headwater.errors import HeadwaterError, NotFound
from headwater.web.api.deps import RowId
from headwater.web.api.workflows import shown, start
from headwater.web.auth.principal import PageAdmin, PageViewer
from headwater.web.dashboard.flash import set_flash
from headwater.web.dashboard.templating import render
from headwater.web.services import get_services

router = APIRouter()


@router.get("/workflows", response_class=HTMLResponse)
def workflow_list(request: Request, principal: PageViewer) -> HTMLResponse:
    workflows = get_services(request).workflows.list_all()
    return render(request, "workflows/index.html", {"workflows": workflows}, principal=principal)


@router.get("/workflows/{name}", response_class=HTMLResponse)
def workflow_page(request: Request, name: str, principal: PageViewer) -> HTMLResponse:
    service = get_services(request).workflows
    context = {"workflow": shown(service.show(name)), "runs": service.runs(name, limit=50)}
    return render(request, "workflows/detail.html", context, principal=principal)


@router.get("/workflows/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: RowId, principal: PageViewer) -> HTMLResponse:
    log = get_services(request).workflows.run_log(run_id)
    live = log["status"] not in ("succeeded", "failed", "cancelled")
    return render(request, "workflows/run.html", {"run": log, "live": live}, principal=principal)


@router.post("/workflows/{name}/run")
def run_now(request: Request, name: str, principal: PageAdmin) -> Response:
    services = get_services(request)
    try:
        run = start(services, name, {}, actor=principal.actor)
    except NotFound:
        raise
    except HeadwaterError as exc:
        response = RedirectResponse(f"/workflows/{name}", status_code=303)
        set_flash(response, services, str(exc), kind="error")
        return response
    response = RedirectResponse(f"/workflows/runs/{run['id']}", status_code=303)
    set_flash(response, services, f"Run {run['id']} of {name} queued.")
    return response
