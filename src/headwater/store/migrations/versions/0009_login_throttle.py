"""Login throttling counts each attempt with one conditional write: a row per account or client address
(`web_login_throttle`) replaces the list of failures that parallel attempts could all slip past.

Revision ID: 0009_login_throttle
Revises: 0008_token_expiry
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_login_throttle"
down_revision = "0008_token_expiry"
branch_labels = None
depends_on = None


def _when(name: str) -> sa.Column:  # type: ignore[type-arg,unused-ignore]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "web_login_throttle",
        sa.Column("subject", sa.String(400), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        _when("not_before"),
        _when("last_attempt_at"),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.drop_index("ix_web_login_failures_subject_at", table_name="web_login_failures")
    op.drop_table("web_login_failures")


def downgrade() -> None:
    op.create_table(
        "web_login_failures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("subject", sa.String(400), nullable=False),
        _when("at"),
    )
    op.create_index("ix_web_login_failures_subject_at", "web_login_failures", ["subject", "at"])
    op.drop_table("web_login_throttle")
