"""Sync: each run carries its process and a lease it renews, so a run whose process died is found.

Revision ID: 0012_sync_run_leases
Revises: 0003_sync
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_sync_run_leases"
down_revision = "0003_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sync_runs", sa.Column("owner", sa.String(200), nullable=True))
    op.add_column("sync_runs", sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_runs") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("owner")
