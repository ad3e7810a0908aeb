"""The few pieces of SQL that differ between SQLite and PostgreSQL, for every feature's tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring_conflict(session: Session, table: Table, values: dict[str, Any], key: str) -> bool:
    """INSERT unless a row with the same unique `key` exists; True when this call inserted it.

    `ON CONFLICT DO NOTHING` works inside the caller's transaction, where catching an IntegrityError
    would need a savepoint (which pysqlite does not handle well).
    """
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[key])
        .returning(table.c[key])
    )
    return session.execute(statement).first() is not None  # rowcount is not reliable for INSERT
