"""Web: users, API tokens, sessions, idempotency keys, failed logins and the web service's vault secrets.

Revision ID: 0007_web
Revises: 0002_jobs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_web"
down_revision = "0002_jobs"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg,unused-ignore]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "web_users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        _when("last_login_at", nullable=True),
    )
    op.create_table(
        "web_tokens",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        _when("created_at"),
        _when("last_used_at", nullable=True),
    )
    op.create_table(
        "web_sessions",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("web_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        _when("created_at"),
        _when("expires_at"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_index("ix_web_sessions_expires_at", "web_sessions", ["expires_at"])
    op.create_table(
        "web_idempotency_keys",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("principal", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", sa.JSON(), nullable=True),
        _when("created_at"),
        sa.UniqueConstraint("principal", "key", name="uq_web_idempotency_principal_key"),
    )
    op.create_index("ix_web_idempotency_keys_created_at", "web_idempotency_keys", ["created_at"])
    op.create_table(
        "web_login_failures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("subject", sa.String(400), nullable=False),
        _when("at"),
    )
    op.create_index("ix_web_login_failures_subject_at", "web_login_failures", ["subject", "at"])
    op.create_table(
        "web_secrets",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("secret_ref", sa.String(36), sa.ForeignKey("secrets.id"), nullable=False),
        _when("created_at"),
    )


def downgrade() -> None:
    op.drop_table("web_secrets")
    op.drop_index("ix_web_login_failures_subject_at", table_name="web_login_failures")
    op.drop_table("web_login_failures")
    op.drop_index("ix_web_idempotency_keys_created_at", table_name="web_idempotency_keys")
    op.drop_table("web_idempotency_keys")
    op.drop_index("ix_web_sessions_expires_at", table_name="web_sessions")
    op.drop_index("ix_web_sessions_user_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("web_tokens")
    op.drop_table("web_users")
