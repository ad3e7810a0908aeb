"""Workflows: definitions with their state, cron schedules, runs and the per-step run log.

Revision ID: 0005_workflows
Revises: 0002_jobs
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005_workflows"
down_revision = "0002_jobs"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _workflow() -> sa.Column[Any]:
    return sa.Column(
        "workflow_id", sa.Integer(), sa.ForeignKey("workflows.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "workflows",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("state_version", sa.Integer(), nullable=False),
        _when("state_updated_at", nullable=True),
        _when("created_at"),
        _when("updated_at"),
    )
    op.create_table(
        "workflow_schedules",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _workflow(),
        sa.Column("cron", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        _when("next_run_at"),
        _when("last_scheduled_for", nullable=True),
        _when("updated_at"),
        sa.UniqueConstraint("workflow_id", name="uq_workflow_schedules_workflow_id"),
    )
    op.create_index("ix_workflow_schedules_due", "workflow_schedules", ["enabled", "next_run_at"])
    op.create_table(
        "workflow_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _workflow(),
        sa.Column("workflow_version", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        _when("scheduled_for"),
        sa.Column("slot_key", sa.String(200), nullable=True),
        sa.Column("missed", sa.Integer(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        _when("created_at"),
        _when("started_at", nullable=True),
        _when("finished_at", nullable=True),
        sa.UniqueConstraint("slot_key", name="uq_workflow_runs_slot_key"),
    )
    op.create_index("ix_workflow_runs_workflow", "workflow_runs", ["workflow_id", "id"])
    op.create_table(
        "workflow_step_logs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "run_id", sa.Integer(), sa.ForeignKey("workflow_runs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.String(100), nullable=False),
        sa.Column("uses", sa.String(200), nullable=False),
        sa.Column("iteration", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=True),
        sa.Column("output_size", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        _when("started_at"),
    )
    op.create_index("ix_workflow_step_logs_run_id", "workflow_step_logs", ["run_id"])


def downgrade() -> None:
    op.drop_table("workflow_step_logs")
    op.drop_table("workflow_runs")
    op.drop_table("workflow_schedules")
    op.drop_table("workflows")
