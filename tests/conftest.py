"""Shared fixtures: an isolated HEADWATER_HOME per test, and stores on SQLite and (when CI provides it)
a real PostgreSQL server, each test on a fresh database cloned from a migrated template."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from headwater.config import Settings, load_settings
from headwater.store import Database

PG_URL = os.environ.get("HEADWATER_TEST_DATABASE_URL", "")
PG_SKIP_REASON = "PostgreSQL tests need HEADWATER_TEST_DATABASE_URL (CI sets it; see README)"
#: the sandbox listens on loopback, which Headwater refuses to connect to unless it is allowed
SANDBOX_OUTBOUND_ALLOW = "127.0.0.1,::1"


def pytest_configure(config: pytest.Config) -> None:
    """Session-scoped fixtures (the browser tests' site) run before `_isolated_env`: they connect to a
    sandbox too."""
    os.environ["HEADWATER_OUTBOUND_ALLOW"] = SANDBOX_OUTBOUND_ALLOW


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the developer's real home, key or database; allow the sandbox's loopback address."""
    for name in list(os.environ):
        if name.startswith("HEADWATER_") and name != "HEADWATER_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("HEADWATER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HEADWATER_OUTBOUND_ALLOW", SANDBOX_OUTBOUND_ALLOW)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings()


class _PgTemplates:
    """Creates one migrated template database per test session; each test clones it (fast)."""

    def __init__(self, admin_url: str) -> None:
        self.admin = create_engine(
            admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
        )
        self.base = make_url(self.admin.url)
        self.template = f"hw_tmpl_{uuid.uuid4().hex[:8]}"
        self.created: list[str] = []
        self._execute(f'CREATE DATABASE "{self.template}"')
        db = Database(self.url_for(self.template))
        db.migrate()
        db.dispose()

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def url_for(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def fresh(self) -> str:
        name = f"hw_test_{uuid.uuid4().hex[:10]}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.created.append(name)
        return self.url_for(name)

    def empty(self) -> str:
        name = f"hw_empty_{uuid.uuid4().hex[:10]}"
        self._execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.url_for(name)

    def drop_all(self) -> None:
        for name in [*self.created, self.template]:
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_templates() -> Iterator[_PgTemplates]:
    if not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    templates = _PgTemplates(PG_URL)
    yield templates
    templates.drop_all()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty-but-migratable store URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    templates: _PgTemplates = request.getfixturevalue("pg_templates")
    return templates.fresh()


@pytest.fixture
def db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A migrated store on SQLite and PostgreSQL; HEADWATER_DATABASE_URL points at it for subprocesses."""
    monkeypatch.setenv("HEADWATER_DATABASE_URL", database_url)
    database = Database(database_url)
    database.migrate()
    yield database
    database.dispose()
