"""Replication: start a sync (a job) into a named destination, and read the destinations, the history,
loading reports and extraction logs. A failed sync's error is an admin's to read: it may hold what the
destination's server answered."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from headwater.store import paging
from headwater.sync import listing
from headwater.sync.destinations import check_name
from headwater.sync.history import calls
from headwater.sync.job import SYNC_KIND
from headwater.web.api.deps import RowId, Svc
from headwater.web.auth.principal import Operator, Viewer
from headwater.web.problems import documented
from headwater.web.redact import shown_job, shown_run
from headwater.web.schemas.common import Line
from headwater.web.schemas.jobs import Job
from headwater.web.schemas.syncs import Destination, SyncCall, SyncRun, SyncRunPage, SyncStart

router = APIRouter(tags=["replication"])


@router.get("/syncs", response_model=SyncRunPage, summary="Sync runs (loading reports), newest first")
def list_runs(
    principal: Viewer,
    services: Svc,
    connection: Line | None = Query(default=None, max_length=100),
    limit: int = Query(default=paging.DEFAULT_LIMIT, ge=1, le=paging.MAX_LIMIT),
    cursor: str | None = Query(default=None, max_length=500),
) -> dict[str, Any]:
    items, next_cursor = listing.page(services.db, connection=connection, limit=limit, cursor=cursor)
    return {"items": [shown_run(item, principal) for item in items], "next_cursor": next_cursor}


@router.get(
    "/syncs/{run_id}", response_model=SyncRun, responses=documented(404), summary="One loading report"
)
def show_run(run_id: RowId, principal: Viewer, services: Svc) -> dict[str, Any]:
    return shown_run(listing.get(services.db, run_id), principal)


@router.get(
    "/destinations",
    response_model=list[Destination],
    responses=documented(403),
    summary="The destinations a sync may load into (defined with `headwater destinations add`)",
)
def list_destinations(_: Operator, services: Svc) -> list[dict[str, Any]]:
    return [d.as_dict() for d in services.destinations.list_all()]


@router.get(
    "/syncs/{run_id}/calls",
    response_model=list[SyncCall],
    responses=documented(404),
    summary="The run's extraction log: every provider call, URLs redacted",
)
def run_calls(run_id: RowId, _: Viewer, services: Svc) -> list[dict[str, Any]]:
    run = listing.get(services.db, run_id)
    return calls(services.db, run["connection"], run_id)[1]


@router.post(
    "/connections/{name}/syncs",
    status_code=202,
    response_model=Job,
    responses=documented(403, 404),
    summary="Start a sync of the connection's events into a named destination; it runs as a job",
)
def start_sync(name: str, body: SyncStart, principal: Operator, services: Svc) -> dict[str, Any]:
    services.connections.usable_info(name)
    if body.destination is not None:
        services.destinations.get(check_name(body.destination))  # 422 for a URL, 404 for an unknown name
    payload = {
        "connection": name,
        "destination": body.destination,
        "start_date": body.start_date.isoformat() if body.start_date else None,
        "full_refresh": body.full_refresh,
        "requested_by": principal.actor,
    }
    job = services.queue.submit(SYNC_KIND, payload)
    return shown_job(job, principal)
