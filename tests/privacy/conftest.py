"""Privacy tests run against the real sandbox on loopback ports, with the store on SQLite and PostgreSQL.

`desk` is a `Privacy` service with two connections, `fs` (FullStory, identify by email) and `amp`
(Amplitude, email as user id); `drain()` runs due jobs in this process until every ticket has settled.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from headwater.config import load_settings
from headwater.jobs import EmbeddedWorker
from headwater.privacy import states
from headwater.privacy.service import Privacy
from headwater.sandbox import SandboxOptions, SandboxServer, World
from headwater.store import Database
from tests.jobs.harness import FAST_SETTINGS, jobs_mode, reset_store, shared_pg_url
from tests.sandbox_connections import connect_sandbox
from tests.waiting import wait_until

__all__ = ["jobs_mode"]
PRIVACY_MODULES = "headwater.privacy.orchestration"
BUSY = (states.RECEIVED, states.IN_PROGRESS)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite store, copied for each test instead of migrating each one again."""
    path = tmp_path_factory.mktemp("template") / "store.db"
    template = Database(f"sqlite:///{path}")
    template.migrate()
    template.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Like the root fixture, but each store starts from a migrated one: a copied SQLite file, or the
    one shared PostgreSQL database emptied (creating and dropping a database per test costs seconds on
    a busy server)."""
    if request.param == "sqlite":
        store = tmp_path / "store.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), store)
        return f"sqlite:///{store}"
    return reset_store(shared_pg_url(request.getfixturevalue("pg_templates")))


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A fresh sandbox (both emulators on loopback ports) for each test."""
    with SandboxServer(world=World(users=60), options=SandboxOptions(rate_limits=False)) as server:
        yield server


def connect(privacy: Privacy, sandbox: SandboxServer, *, fs: str = "email", amp: str = "email") -> None:
    connect_sandbox(
        privacy.connections, sandbox, actor="tester", fs={"identify_by": fs}, amp={"identify_by": amp}
    )


@dataclass
class Desk:
    privacy: Privacy
    sandbox: SandboxServer

    def create(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("kind", "delete")
        kwargs.setdefault("actor", "officer")
        return self.privacy.create(**kwargs)

    def drain(self, timeout: float = 30) -> None:
        """Run due jobs here until no ticket is received or in progress."""
        busy: list[dict[str, Any]] = []

        def settled() -> bool:
            EmbeddedWorker(self.privacy.queue, concurrency=2).run(once=True)
            busy[:] = [t for t in self.privacy.list_tickets() if t["status"] in BUSY]
            return not busy

        wait_until(
            settled, timeout=timeout, what="every ticket to settle", details=lambda: f"still busy: {busy}"
        )

    def show(self, ticket_id: str) -> dict[str, Any]:
        return self.privacy.show(ticket_id)

    def task(self, ticket_id: str, connection: str) -> dict[str, Any]:
        return next(t for t in self.show(ticket_id)["tasks"] if t["connection"] == connection)


@pytest.fixture
def fast_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEADWATER_JOBS_MODULES", PRIVACY_MODULES)
    for name, value in FAST_SETTINGS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def desk(db: Database, sandbox: SandboxServer, fast_jobs: None) -> Desk:
    privacy = Privacy.open(load_settings(), db)
    connect(privacy, sandbox)
    return Desk(privacy, sandbox)
