"""Tables of workflows: definitions with their state, schedules, runs and the per-step run log.

The definition is stored (source and parsed form), not read from a file at run time: a worker on another
machine has no file, and a run must use the version that was added.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from headwater.store.models import Base, UtcDateTime, utcnow

QUEUED = "queued"
RUNNING = "running"
RETRYING = "retrying"  # failed on a transient error; its job runs it again
SUCCEEDED = "succeeded"
FAILED = "failed"
RUN_STATUSES = (QUEUED, RUNNING, RETRYING, SUCCEEDED, FAILED)
FINISHED = (SUCCEEDED, FAILED)


class WorkflowRow(Base):
    __tablename__ = "workflows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text)  # the YAML as added
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state_version: Mapped[int] = mapped_column(Integer, default=0)
    state_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ScheduleRow(Base):
    """When a workflow runs next; the scheduler moves `next_run_at` with a conditional UPDATE."""

    __tablename__ = "workflow_schedules"
    __table_args__ = (
        UniqueConstraint("workflow_id", name="uq_workflow_schedules_workflow_id"),
        Index("ix_workflow_schedules_due", "enabled", "next_run_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    cron: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    next_run_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_scheduled_for: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class RunRow(Base):
    """One run; a scheduled one carries `slot_key`, unique, so a tick can never make two.

    `run_key` is unique for ever: SQLite gives a new row the id of a deleted one (a removed workflow's
    runs go with it), so a run's job and its effect records are named by the key, never by the id.
    Runs made before the key existed have none and are named by their id.
    """

    __tablename__ = "workflow_runs"
    __table_args__ = (
        UniqueConstraint("slot_key", name="uq_workflow_runs_slot_key"),
        Index("ix_workflow_runs_workflow", "workflow_id", "id"),
        Index("ix_workflow_runs_run_key", "run_key", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    workflow_version: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(16))  # "schedule" | "manual"
    scheduled_for: Mapped[datetime] = mapped_column(UtcDateTime)
    slot_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    run_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    missed: Mapped[int] = mapped_column(Integer, default=0)  # earlier slots this catch-up run stands for
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class StepLogRow(Base):
    """One step (or one for-each item) of one attempt: inputs with secrets masked, never the output."""

    __tablename__ = "workflow_step_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("workflow_runs.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    step_id: Mapped[str] = mapped_column(String(100))
    uses: Mapped[str] = mapped_column(String(200))
    iteration: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # succeeded | failed | skipped
    inputs: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    output_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
