"""A lab for workflow tests: the sandbox (FullStory + Slack) on a frozen clock, a store with connections
`fs` and `team`, and the workflow service whose "now" is the sandbox's.

Stores: SQLite copies of one migrated file (migrating per test is slow), and PostgreSQL — one shared
database emptied before each test — when HEADWATER_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from headwater.store import Database
from tests.jobs.harness import reset_store, shared_pg_store
from tests.workflows.support import Lab, make_lab, sandbox_server

__all__ = ["shared_pg_store"]

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "store.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    db.dispose()
    return path


def sqlite_copy(template: Path, folder: Path) -> str:
    target = folder / "store.db"
    shutil.copy(template, target)
    return f"sqlite:///{target}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        return sqlite_copy(sqlite_template, tmp_path)
    return reset_store(request.getfixturevalue("shared_pg_store"))


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """For tests that are not about the store: SQLite only."""
    url = sqlite_copy(sqlite_template, tmp_path)
    monkeypatch.setenv("HEADWATER_DATABASE_URL", url)
    database = Database(url)
    yield database
    database.dispose()


@pytest.fixture
def lab(db: Database) -> Iterator[Lab]:
    """On SQLite and PostgreSQL."""
    with sandbox_server(NOW, history=timedelta(days=60), events_per_user=2000) as server:
        yield make_lab(db, server)


@pytest.fixture
def store_lab(db: Database) -> Lab:
    """On SQLite and PostgreSQL, without a sandbox: for steps that call no provider."""
    return make_lab(db, None)


@pytest.fixture
def sqlite_lab(sqlite_db: Database) -> Iterator[Lab]:
    with sandbox_server(NOW, history=timedelta(days=60), events_per_user=2000) as server:
        yield make_lab(sqlite_db, server)
