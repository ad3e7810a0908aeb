"""Workflows: a key per run that is never reused, to name its job and effect records.

SQLite reuses the ids of deleted rows, and removing a workflow deletes its runs: a new run could get an
old run's id and find that run's finished job under the same dedupe key. Existing runs keep no key and
are still named by their id.

Revision ID: 0013_workflow_run_keys
Revises: 0005_workflows
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_workflow_run_keys"
down_revision = "0005_workflows"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("workflow_runs", sa.Column("run_key", sa.String(40), nullable=True))
    op.create_index("ix_workflow_runs_run_key", "workflow_runs", ["run_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_workflow_runs_run_key", table_name="workflow_runs")
    with op.batch_alter_table("workflow_runs") as batch:
        batch.drop_column("run_key")
