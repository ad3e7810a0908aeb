"""Privacy requests: tickets, tasks, provider jobs, delete batches, lanes and export chunks.

Revision ID: 0004_privacy
Revises: 0002_jobs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_privacy"
down_revision = "0002_jobs"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg,unused-ignore]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "dsr_tickets",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("identifiers", sa.JSON(), nullable=False),
        sa.Column("regulation", sa.String(10), nullable=False),
        _when("received_at"),
        _when("due_at"),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        _when("closed_at", nullable=True),
    )
    op.create_index("ix_dsr_tickets_email", "dsr_tickets", ["email"])
    op.create_index("ix_dsr_tickets_status_due", "dsr_tickets", ["status", "due_at"])
    op.create_table(
        "dsr_tasks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.String(16), sa.ForeignKey("dsr_tickets.id"), nullable=False),
        sa.Column("connection", sa.String(100), nullable=False),
        sa.Column("provider", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("identities", sa.JSON(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        _when("finished_at", nullable=True),
    )
    op.create_index("ix_dsr_tasks_ticket_id", "dsr_tasks", ["ticket_id"])
    op.create_index("ix_dsr_tasks_lane", "dsr_tasks", ["connection", "status"])
    op.create_index("ix_dsr_tasks_batch_id", "dsr_tasks", ["batch_id"])
    op.create_table(
        "dsr_provider_jobs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("connection", sa.String(100), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        _when("next_poll_at", nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("polls", sa.Integer(), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        _when("finished_at", nullable=True),
    )
    op.create_index("ix_dsr_provider_jobs_next_poll_at", "dsr_provider_jobs", ["next_poll_at"])
    op.create_table(
        "dsr_task_provider_jobs",
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("dsr_tasks.id"), primary_key=True),
        sa.Column("provider_job_id", sa.Integer(), sa.ForeignKey("dsr_provider_jobs.id"), primary_key=True),
    )
    op.create_table(
        "dsr_batches",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("connection", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("task_ids", sa.JSON(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        _when("created_at"),
        _when("finished_at", nullable=True),
    )
    op.create_index("ix_dsr_batches_connection", "dsr_batches", ["connection"])
    op.create_index("ix_dsr_batches_job_id", "dsr_batches", ["job_id"])
    op.create_table(
        "dsr_lanes",
        sa.Column("connection", sa.String(100), primary_key=True),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(200), nullable=True),
        _when("lease_until", nullable=True),
        _when("next_call_at", nullable=True),
    )
    op.create_table(
        "dsr_export_chunks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("dsr_tasks.id"), nullable=False),
        sa.Column("section", sa.String(20), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        _when("created_at"),
    )
    op.create_index("ix_dsr_export_chunks_task_id", "dsr_export_chunks", ["task_id"])


def downgrade() -> None:
    for table in (
        "dsr_export_chunks",
        "dsr_lanes",
        "dsr_batches",
        "dsr_task_provider_jobs",
        "dsr_provider_jobs",
        "dsr_tasks",
        "dsr_tickets",
    ):
        op.drop_table(table)
