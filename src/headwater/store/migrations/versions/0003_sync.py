"""Sync: loading reports (one row per run) and extraction logs (one row per provider call).

Revision ID: 0003_sync
Revises: 0002_jobs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_sync"
down_revision = "0002_jobs"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("connection", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("destination", sa.String(1000), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("full_refresh", sa.Boolean(), nullable=False),
        _when("started_at"),
        _when("finished_at", nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("tables", sa.JSON(), nullable=False),
        sa.Column("bookmark_before", sa.String(100), nullable=True),
        sa.Column("bookmark_after", sa.String(100), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_sync_runs_connection", "sync_runs", ["connection"])
    op.create_table(
        "sync_calls",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("sync_runs.id", ondelete="CASCADE"), nullable=False),
        _when("at"),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("elapsed_ms", sa.Float(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_sync_calls_run_id", "sync_calls", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_sync_calls_run_id", table_name="sync_calls")
    op.drop_table("sync_calls")
    op.drop_index("ix_sync_runs_connection", table_name="sync_runs")
    op.drop_table("sync_runs")
