"""Workflows, runs and step logs as plain dicts: the shape `--json` prints and a REST API would return."""

from __future__ import annotations

from typing import Any

from headwater.workflows.runlog import mask
from headwater.workflows.tables import RunRow, ScheduleRow, StepLogRow, WorkflowRow


def workflow_as_dict(
    row: WorkflowRow, schedule: ScheduleRow | None, last_run: RunRow | None = None
) -> dict[str, Any]:
    triggers = row.definition.get("on") or {}
    return {
        "name": row.name,
        "description": row.description,
        "enabled": row.enabled,
        "version": row.version,
        "manual": bool(triggers.get("manual")),
        "schedule": schedule_as_dict(schedule) if schedule is not None else None,
        "state": row.state,
        "state_updated_at": row.state_updated_at,
        "last_run": run_as_dict(last_run, row.name) if last_run is not None else None,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def schedule_as_dict(row: ScheduleRow) -> dict[str, Any]:
    return {
        "cron": row.cron,
        "timezone": row.timezone,
        "enabled": row.enabled,
        "next_run_at": row.next_run_at,
        "last_scheduled_for": row.last_scheduled_for,
    }


def run_as_dict(row: RunRow, workflow: str, job_status: str | None = None) -> dict[str, Any]:
    return {
        "id": row.id,
        "workflow": workflow,
        "trigger": row.trigger,
        "scheduled_for": row.scheduled_for,
        "missed": row.missed,
        "status": row.status,
        "attempt": row.attempt,
        "job_id": row.job_id,
        "job_status": job_status,
        "inputs": mask(row.inputs),
        "error": row.error,
        "created_at": row.created_at,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
    }


def step_as_dict(row: StepLogRow) -> dict[str, Any]:
    return {
        "attempt": row.attempt,
        "position": row.position,
        "step": row.step_id,
        "uses": row.uses,
        "iteration": row.iteration,
        "status": row.status,
        "inputs": row.inputs,
        "output_size": row.output_size,
        "duration_ms": row.duration_ms,
        "error": row.error,
        "started_at": row.started_at,
    }
