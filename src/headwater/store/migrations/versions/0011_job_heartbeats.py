"""Jobs: a heartbeat row per process that runs jobs or periodic work, so a stalled queue can be told apart.

Revision ID: 0011_job_heartbeats
Revises: 0002_jobs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_job_heartbeats"
down_revision = "0002_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_heartbeats",
        sa.Column("process", sa.String(200), primary_key=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("runs_jobs", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_job_heartbeats_beat_at", "job_heartbeats", ["beat_at"])


def downgrade() -> None:
    op.drop_index("ix_job_heartbeats_beat_at", table_name="job_heartbeats")
    op.drop_table("job_heartbeats")
