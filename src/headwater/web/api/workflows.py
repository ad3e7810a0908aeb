"""Workflows: list, add (from YAML, checked first), show, switch, remove, run, and read runs and logs."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path as FilePath
from typing import Any

from fastapi import APIRouter, Query, Response

from headwater.store import audit
from headwater.web.api.deps import RowId, Svc
from headwater.web.auth.principal import Admin, Viewer
from headwater.web.problems import documented
from headwater.web.redact import scrub_text
from headwater.web.schemas.workflows import (
    WorkflowAdded,
    WorkflowDetail,
    WorkflowRun,
    WorkflowRunLog,
    WorkflowStart,
    WorkflowSummary,
    WorkflowUpload,
)
from headwater.web.services import Services

router = APIRouter(tags=["workflows"])
UPLOAD_NAME = "uploaded-on-the-web.yaml"


def add_from_text(services: Services, text: str, *, actor: str) -> dict[str, Any]:
    """The workflow service adds files; the text goes through a private temporary one."""
    folder = FilePath(tempfile.mkdtemp(prefix="workflow-", dir=services.settings.ensure_home()))
    try:
        path = folder / UPLOAD_NAME
        path.write_text(text, encoding="utf-8")
        return shown(services.workflows.add(path, actor=actor))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def shown(workflow: dict[str, Any]) -> dict[str, Any]:
    if "source" in workflow:
        workflow = {**workflow, "source": scrub_text(workflow["source"])}
    return workflow


@router.get("/workflows", response_model=list[WorkflowSummary], summary="Every workflow with its schedule")
def list_workflows(_: Viewer, services: Svc) -> list[dict[str, Any]]:
    return services.workflows.list_all()


@router.post(
    "/workflows",
    status_code=201,
    response_model=WorkflowAdded,
    responses=documented(403),
    summary="Add a workflow (or replace the one of the same name); every problem is listed if it is invalid",
)
def add_workflow(body: WorkflowUpload, principal: Admin, services: Svc) -> dict[str, Any]:
    return add_from_text(services, body.yaml, actor=principal.actor)


@router.get("/workflows/{name}", response_model=WorkflowDetail, responses=documented(404))
def show_workflow(name: str, _: Viewer, services: Svc) -> dict[str, Any]:
    return shown(services.workflows.show(name))


@router.post("/workflows/{name}/enable", response_model=WorkflowDetail, responses=documented(403, 404))
def enable_workflow(name: str, principal: Admin, services: Svc) -> dict[str, Any]:
    return shown(services.workflows.enable(name, actor=principal.actor))


@router.post("/workflows/{name}/disable", response_model=WorkflowDetail, responses=documented(403, 404))
def disable_workflow(name: str, principal: Admin, services: Svc) -> dict[str, Any]:
    return shown(services.workflows.disable(name, actor=principal.actor))


@router.delete("/workflows/{name}", status_code=204, responses=documented(403, 404))
def remove_workflow(name: str, principal: Admin, services: Svc) -> Response:
    services.workflows.remove(name, actor=principal.actor)
    return Response(status_code=204)


@router.post(
    "/workflows/{name}/runs",
    status_code=202,
    response_model=WorkflowRun,
    responses=documented(403, 404),
    summary="Run a workflow now (a job); follow it with the run endpoints",
)
def start_run(
    name: str, principal: Admin, services: Svc, body: WorkflowStart | None = None
) -> dict[str, Any]:
    return start(services, name, body.inputs if body else {}, actor=principal.actor)


def start(services: Services, name: str, inputs: dict[str, Any], *, actor: str) -> dict[str, Any]:
    """The workflow service's manual start, plus the audit entry saying who asked for it."""
    run = services.workflows.start(name, inputs)
    with services.db.session() as session:
        audit.record(
            session,
            actor=actor,
            action="workflow.run_requested",
            subject_type="workflow",
            subject_id=name,
            details={"run": run.id},
            message=f"Run {run.id} of {name!r} requested.",
        )
    return services.workflows.run(run.id)


@router.get("/workflows/{name}/runs", response_model=list[WorkflowRun], responses=documented(404))
def list_runs(
    name: str, _: Viewer, services: Svc, limit: int = Query(default=20, ge=1, le=500)
) -> list[dict[str, Any]]:
    return services.workflows.runs(name, limit=limit)


@router.get(
    "/workflow-runs/{run_id}",
    response_model=WorkflowRunLog,
    responses=documented(404),
    summary="One run with its step log",
)
def run_log(run_id: RowId, _: Viewer, services: Svc) -> dict[str, Any]:
    return services.workflows.run_log(run_id)
