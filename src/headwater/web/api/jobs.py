"""Background jobs: list, show with their recorded provider calls, retry."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from headwater.jobs import listing, registry
from headwater.jobs.effects import for_job
from headwater.jobs.models import JobRow
from headwater.jobs.views import effect_as_dict
from headwater.store import paging
from headwater.web.api.deps import RowId, Svc
from headwater.web.auth.principal import Forbidden, Operator, Principal, Viewer
from headwater.web.problems import documented
from headwater.web.redact import scrub, shown_job
from headwater.web.schemas.common import Line
from headwater.web.schemas.jobs import Job, JobDetail, JobPage
from headwater.web.services import Services

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get("", response_model=JobPage, summary="Jobs, newest first")
def list_jobs(
    principal: Viewer,
    services: Svc,
    status: Line | None = Query(default=None, max_length=16, description="queued, running, succeeded, dead"),
    kind: Line | None = Query(default=None, max_length=100),
    limit: int = Query(default=paging.DEFAULT_LIMIT, ge=1, le=paging.MAX_LIMIT),
    cursor: str | None = Query(default=None, max_length=500),
) -> dict[str, Any]:
    rows, next_cursor = listing.page(services.db, status=status, kind=kind, limit=limit, cursor=cursor)
    return {"items": [shown_job(row, principal) for row in rows], "next_cursor": next_cursor}


@router.get("/{job_id}", response_model=JobDetail, responses=documented(404), summary="One job")
def show_job(job_id: RowId, principal: Viewer, services: Svc) -> dict[str, Any]:
    job = shown_job(services.queue.get(job_id), principal)
    effects = [scrub(effect_as_dict(e)) for e in for_job(services.db, job_id)]
    return {**job, "effects": effects}


@router.post(
    "/{job_id}/retry",
    response_model=Job,
    responses=documented(403, 404, 409),
    summary="Run a dead job again with fresh attempts (or a waiting one now)",
)
def retry_job(job_id: RowId, principal: Operator, services: Svc) -> dict[str, Any]:
    return shown_job(retry_as(principal, services, job_id), principal)


def retry_as(principal: Principal, services: Services, job_id: int) -> JobRow:
    """Run a job again if `principal` may start its kind of work (`registry.role_to_start`)."""
    kind = services.queue.get(job_id).kind
    needed = registry.role_to_start(kind)
    if not principal.role.allows(needed):
        raise Forbidden(
            f"Running a {kind} job again needs the {needed} role, as starting one does; "
            f"{principal.name} is {principal.role}."
        )
    return services.queue.retry(job_id, actor=principal.actor)
