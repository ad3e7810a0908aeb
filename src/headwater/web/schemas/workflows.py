"""Workflows: definitions with their schedule, runs, and the per-step run log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from headwater.web.schemas.common import JsonObject, Text


class Schedule(BaseModel):
    cron: str
    timezone: str
    enabled: bool
    next_run_at: datetime | None
    last_scheduled_for: datetime | None


class WorkflowRun(BaseModel):
    id: int
    workflow: str
    trigger: str = Field(description="schedule or manual")
    scheduled_for: datetime | None
    missed: int = Field(description="Earlier slots this catch-up run stands for")
    status: str
    attempt: int
    job_id: int | None
    job_status: str | None
    inputs: dict[str, Any] = Field(description="Secrets masked")
    error: str | None
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None


class StepLog(BaseModel):
    attempt: int
    position: int
    step: str
    uses: str
    iteration: int | None
    status: str
    inputs: dict[str, Any] | None = Field(description="What the step was given, secrets masked")
    output_size: int | None = Field(description="Bytes of output (outputs are not kept)")
    duration_ms: float
    error: str | None
    started_at: datetime | None


class WorkflowRunLog(WorkflowRun):
    steps: list[StepLog]


class WorkflowSummary(BaseModel):
    name: str
    description: str | None
    enabled: bool
    version: int
    manual: bool
    schedule: Schedule | None
    state: dict[str, Any]
    state_updated_at: datetime | None
    last_run: WorkflowRun | None
    created_at: datetime | None
    updated_at: datetime | None


class WorkflowDetail(WorkflowSummary):
    source: str = Field(description="The YAML as added")


class WorkflowAdded(WorkflowDetail):
    created: bool = Field(description="False when it replaced a workflow of the same name")


class WorkflowUpload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    yaml: Text = Field(min_length=1, max_length=200_000, description="The workflow file's text")


class WorkflowStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    inputs: JsonObject = Field(default_factory=dict, description="Values for the workflow's inputs")
