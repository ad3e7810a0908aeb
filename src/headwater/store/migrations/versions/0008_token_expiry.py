"""API tokens get a lifetime: `expires_at` (null for tokens that never expire, as every older one).

Revision ID: 0008_token_expiry
Revises: 0007_web
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_token_expiry"
down_revision = "0007_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("web_tokens") as batch:
        batch.drop_column("expires_at")
