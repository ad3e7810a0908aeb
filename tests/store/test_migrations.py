from __future__ import annotations

import os
import subprocess
import sys
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


def test_a_store_migrated_by_a_newer_headwater_says_so_in_one_line(db: Database) -> None:
    """A newer version's revision in the store: one line naming it and exit 2, not alembic's traceback."""
    newer = "f00dfeed0099"
    with db.engine.begin() as conn:
        head = (
            conn.execute(text("SELECT version_num FROM alembic_version ORDER BY version_num"))
            .scalars()
            .first()
        )
        conn.execute(
            text("UPDATE alembic_version SET version_num = :new WHERE version_num = :old"),
            {"new": newer, "old": head},
        )
    run = subprocess.run(
        [sys.executable, "-m", "headwater", "dsr", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},  # the line as a wide terminal shows it, unwrapped
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines() == [
        f"Error: This store was migrated by a newer Headwater (revision {newer}); upgrade Headwater."
    ]
    assert db.current_revisions() >= {newer}  # nothing was changed
