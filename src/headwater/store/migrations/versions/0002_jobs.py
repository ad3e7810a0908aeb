"""Jobs: the durable task rows, effect records, lock leases and periodic ticks.

Revision ID: 0002_jobs
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_jobs"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        _when("run_at"),
        sa.Column("dedupe_key", sa.String(200), nullable=True, unique=True),
        sa.Column("lease_owner", sa.String(200), nullable=True),
        _when("lease_expires_at", nullable=True),
        _when("dispatched_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        _when("started_at", nullable=True),
        _when("finished_at", nullable=True),
    )
    op.create_index("ix_jobs_kind", "jobs", ["kind"])
    op.create_index("ix_jobs_status_run_at", "jobs", ["status", "run_at"])
    op.create_table(
        "job_effects",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("intent", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        _when("done_at", nullable=True),
    )
    op.create_index("ix_job_effects_job_id", "job_effects", ["job_id"])
    op.create_table(
        "job_locks",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        _when("expires_at"),
        _when("acquired_at"),
    )
    op.create_table(
        "job_ticks",
        sa.Column("name", sa.String(100), primary_key=True),
        _when("last_tick_at", nullable=True),
        _when("next_tick_at"),
    )


def downgrade() -> None:
    op.drop_table("job_ticks")
    op.drop_table("job_locks")
    op.drop_index("ix_job_effects_job_id", table_name="job_effects")
    op.drop_table("job_effects")
    op.drop_index("ix_jobs_status_run_at", table_name="jobs")
    op.drop_index("ix_jobs_kind", table_name="jobs")
    op.drop_table("jobs")
