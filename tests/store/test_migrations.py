from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from headwater.store import Database
from headwater.store.audit import record, trail


def test_migrations_run_on_an_empty_sqlite_database(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    assert db.current_revisions() == set()
    db.migrate()
    assert db.is_current() and db.current_revisions()
    assert {"secrets", "connections", "audit_log"} <= set(inspect(db.engine).get_table_names())
    db.migrate()  # a second run is a no-op
    assert db.is_current()


@pytest.mark.postgres
def test_migrations_run_on_an_empty_postgresql_database(pg_templates) -> None:  # type: ignore[no-untyped-def]
    db = Database(pg_templates.empty())
    try:
        assert db.current_revisions() == set()
        db.migrate()
        assert db.is_current()
        assert {"secrets", "connections", "audit_log"} <= set(inspect(db.engine).get_table_names())
    finally:
        db.dispose()


def test_sqlite_store_uses_wal(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'wal.db'}")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_audit_log_is_append_only(db: Database) -> None:
    with db.session() as session:
        record(session, actor="alice", action="created", subject_type="ticket", subject_id=7)
    with db.session() as session:
        assert [row.action for row in trail(session, "ticket", 7)] == ["created"]
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), db.session() as session:
            session.execute(text(statement))
    with db.session() as session:
        assert [row.actor for row in trail(session, "ticket", 7)] == ["alice"]
