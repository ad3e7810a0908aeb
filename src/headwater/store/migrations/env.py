"""Alembic environment: runs on the connection the store hands over (see `store.db.Database.migrate`)."""

from __future__ import annotations

from alembic import context

from headwater.store import all_models

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=all_models.metadata(),
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
