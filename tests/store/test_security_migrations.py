"""The migrations of token lifetimes, login throttling and named destinations: each builds exactly what
its models say, upgrades a store that already holds tokens, and steps back down cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from headwater.accounts.tokens import Tokens, digest
from headwater.store import Database, all_models
from headwater.store.db import _alembic_config

TABLES = {"web_tokens", "web_login_throttle", "sync_destinations"}


def _alembic(db: Database, action: str, revision: str) -> None:
    with db.engine.begin() as conn:
        config = _alembic_config(db.engine)
        config.attributes["connection"] = conn
        getattr(command, action)(config, revision)


def _differences(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        found = compare_metadata(context, all_models.metadata())
    return [diff for diff in found if any(name in repr(diff) for name in (*TABLES, "web_login_failures"))]


def test_the_migrations_build_exactly_the_models(db: Database) -> None:
    assert {"0009_login_throttle", "0010_sync_destinations"} <= db.current_revisions()
    assert _differences(db) == []


def test_a_store_with_tokens_upgrades_and_steps_back(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    _alembic(db, "upgrade", "0007_web")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO web_tokens (name, role, digest, prefix, created_by, created_at) "
                "VALUES ('ci', 'viewer', :digest, 'hwt_abcd', 'ann', CURRENT_TIMESTAMP)"
            ),
            {"digest": digest("hwt_old-token")},
        )
    db.migrate()
    assert db.is_current()
    tables = set(inspect(db.engine).get_table_names())
    assert {"web_login_throttle", "sync_destinations"} <= tables and "web_login_failures" not in tables
    token = Tokens(db).authenticate("hwt_old-token")
    assert token is not None and token.expires_at is None  # an older token keeps working
    for each_branch_alone in ("0009_login_throttle@-2", "0010_sync_destinations@-1"):
        _alembic(db, "downgrade", each_branch_alone)
    tables = set(inspect(db.engine).get_table_names())
    assert "web_login_failures" in tables and not {"web_login_throttle", "sync_destinations"} & tables
    assert {"0007_web", "0012_sync_run_leases"} <= db.current_revisions()  # the other branches stay
    db.migrate()
    assert _differences(db) == []
    db.dispose()


@pytest.mark.postgres
def test_the_postgresql_store_steps_back_too(pg_templates) -> None:  # type: ignore[no-untyped-def]
    db = Database(pg_templates.fresh())
    try:
        _alembic(db, "downgrade", "0009_login_throttle@-2")
        assert "expires_at" not in {c["name"] for c in inspect(db.engine).get_columns("web_tokens")}
        db.migrate()
        assert _differences(db) == []
    finally:
        db.dispose()
