"""Web tests: the app in process (Starlette's TestClient) over a fresh store on SQLite and PostgreSQL,
with one user and one API token per role, and the sandbox on loopback ports when a test needs providers.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from headwater.accounts import passwords
from headwater.config import load_settings
from headwater.jobs import EmbeddedWorker
from headwater.privacy import states
from headwater.sandbox import SandboxOptions, SandboxServer, World
from headwater.store import Database
from headwater.web.app import create_app
from headwater.web.services import Services
from headwater.web.settings import load_web_settings
from tests.jobs.harness import FAST_SETTINGS
from tests.sandbox_connections import connect_sandbox
from tests.waiting import wait_until

ROLES = ("viewer", "operator", "admin")
PASSWORD = "a long enough password"
BUSY = (states.RECEIVED, states.IN_PROGRESS)


def email_of(role: str) -> str:
    return f"{role}@example.com"


@dataclass
class Web:
    """The app under test, its services, and credentials for every role."""

    app: FastAPI
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def services(self) -> Services:
        return self.app.state.services  # type: ignore[no-any-return]

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def browser(self, role: str) -> TestClient:
        """A second client, logged in through the form as the user of `role` (cookies kept)."""
        client = TestClient(self.app)
        login(client, email_of(role), PASSWORD)
        return client

    def drain(self, timeout: float = 30) -> None:
        """Run due jobs here until no ticket is received or in progress."""
        busy: list[dict[str, Any]] = []

        def settled() -> bool:
            EmbeddedWorker(self.services.queue, concurrency=2).run(once=True)
            busy[:] = [t for t in self.services.privacy.list_tickets() if t["status"] in BUSY]
            return not busy

        wait_until(
            settled, timeout=timeout, what="every ticket to settle", details=lambda: f"still busy: {busy}"
        )


def login(client: TestClient, email: str, password: str, *, next_: str = "/") -> Any:
    page = client.get("/login")
    token = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert token is not None
    data = {"email": email, "password": password, "login_csrf": token.group(1), "next": next_}
    return client.post("/login", data=data, follow_redirects=False)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "no CSRF field on the page"
    return found.group(1)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per session; each test copies it (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("web-template") / "store.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    db.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """As the root fixture, but SQLite stores start as a copy of a migrated template."""
    if request.param == "sqlite":
        target = tmp_path / "store.db"
        shutil.copy(sqlite_template, target)
        return f"sqlite:///{target}"
    return str(request.getfixturevalue("pg_templates").fresh())


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its real cost takes about half a second a hash here; the tests are about who may do
    what, not about argon2's parameters, so they use the cheapest ones."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def fast_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FAST_SETTINGS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def web(db: Database, fast_jobs: None) -> Iterator[Web]:
    settings = load_settings()
    app = create_app(settings, db=db, web_settings=load_web_settings(login_failures_per_account=3))
    services: Services = app.state.services
    tokens = {}
    for role in ROLES:
        services.users.add(email_of(role), SecretStr(PASSWORD), role, actor="setup")
        tokens[role] = services.tokens.create(f"{role}-token", role, actor="setup")[1].get_secret_value()
    with TestClient(app) as client:
        yield Web(app, client, tokens)


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(world=World(users=30), options=SandboxOptions(rate_limits=False)) as server:
        yield server


def connect(web: Web, sandbox: SandboxServer) -> None:
    """Connections `fs` and `amp` to the sandbox, made through the service (not the API under test)."""
    connect_sandbox(web.services.connections, sandbox)


@pytest.fixture
def connected(web: Web, sandbox: SandboxServer) -> Web:
    connect(web, sandbox)
    return web
