"""Own copies: the replicas syncs wrote, the suppression list (keyed hashes) and its key, and which
replica each replica task of a delete request erases.

Revision ID: 0014_own_copies
Revises: 0003_sync, 0004_privacy (its tables join sync's replicas to privacy's tasks)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_own_copies"
down_revision = ("0003_sync", "0004_privacy")
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "sync_replicas",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("connection", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("schema", sa.String(100), nullable=False),
        sa.Column("display", sa.String(1000), nullable=False),
        sa.Column("location", sa.LargeBinary(), nullable=False),
        _when("first_loaded_at"),
        _when("last_loaded_at"),
        sa.UniqueConstraint("connection", "display", name="uq_sync_replicas_place"),
    )
    op.create_index("ix_sync_replicas_connection", "sync_replicas", ["connection"])
    op.create_table(
        "sync_suppressions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("connection", sa.String(100), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("request", sa.String(40), nullable=False),
        _when("until", nullable=True),
        _when("created_at"),
        sa.UniqueConstraint("connection", "field", "digest", "request", name="uq_sync_suppressions_entry"),
    )
    op.create_index("ix_sync_suppressions_connection_until", "sync_suppressions", ["connection", "until"])
    op.create_index("ix_sync_suppressions_request", "sync_suppressions", ["request"])
    op.create_table(
        "sync_suppression_keys",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("secret_ref", sa.String(36), sa.ForeignKey("secrets.id"), nullable=False),
        _when("created_at"),
    )
    op.create_table(
        "dsr_replica_tasks",
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("dsr_tasks.id"), primary_key=True),
        sa.Column("replica_id", sa.Integer(), sa.ForeignKey("sync_replicas.id"), nullable=False),
    )
    op.create_index("ix_dsr_replica_tasks_replica_id", "dsr_replica_tasks", ["replica_id"])


def downgrade() -> None:
    op.drop_table("dsr_replica_tasks")
    op.drop_table("sync_suppression_keys")
    op.drop_table("sync_suppressions")
    op.drop_table("sync_replicas")
