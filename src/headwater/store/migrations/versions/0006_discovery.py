"""Discovery: scans, their fields, Preview mode per connection and encrypted preview samples.

Revision ID: 0006_discovery
Revises: 0002_jobs
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0006_discovery"
down_revision = "0002_jobs"
branch_labels = None
depends_on = None


def _connection() -> sa.ForeignKey:
    return sa.ForeignKey("connections.id", ondelete="CASCADE")


def _when(name: str) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "discovery_scans",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("connection_id", sa.Integer(), _connection(), nullable=False),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("events_scanned", sa.Integer(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("data_types", sa.JSON(), nullable=False),
        _when("started_at"),
        _when("finished_at"),
    )
    op.create_index("ix_discovery_scans_connection_id", "discovery_scans", ["connection_id"])
    op.create_table(
        "discovery_fields",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "scan_id", sa.Integer(), sa.ForeignKey("discovery_scans.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("values_sampled", sa.Integer(), nullable=False),
        sa.Column("types", sa.JSON(), nullable=False),
    )
    op.create_index("ix_discovery_fields_scan_id", "discovery_fields", ["scan_id"])
    op.create_table(
        "discovery_preferences",
        sa.Column("connection_id", sa.Integer(), _connection(), primary_key=True),
        sa.Column("preview_enabled", sa.Boolean(), nullable=False),
        _when("updated_at"),
    )
    op.create_table(
        "discovery_previews",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "scan_id", sa.Integer(), sa.ForeignKey("discovery_scans.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("connection_id", sa.Integer(), _connection(), nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("pii_type", sa.String(40), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        _when("taken_at"),
        _when("expires_at"),
    )
    op.create_index("ix_discovery_previews_scan_id", "discovery_previews", ["scan_id"])
    op.create_index("ix_discovery_previews_connection_id", "discovery_previews", ["connection_id"])
    op.create_index("ix_discovery_previews_expires_at", "discovery_previews", ["expires_at"])


def downgrade() -> None:
    op.drop_table("discovery_previews")
    op.drop_table("discovery_preferences")
    op.drop_table("discovery_fields")
    op.drop_table("discovery_scans")
