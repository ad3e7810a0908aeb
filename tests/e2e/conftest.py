"""Browser tests: the real app served by uvicorn on a loopback port (with its embedded worker), the
sandbox on loopback ports, and Debian's Chromium driven by Playwright — launched by path, so Playwright
downloads nothing. Skipped, with the reason shown, where /usr/bin/chromium is not installed.

Screenshots of the main pages go to $HEADWATER_TEST_OUTPUT/screenshots (default: pytest's base
temporary directory), named after the page.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from argon2 import PasswordHasher
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright
from pydantic import SecretStr

from headwater.accounts import passwords
from headwater.config import Settings
from headwater.sandbox import SandboxOptions, SandboxServer, World
from headwater.store import Database
from headwater.web.app import create_app
from headwater.web.settings import load_web_settings
from tests.jobs.harness import FAST_SETTINGS
from tests.sandbox_connections import connect_sandbox
from tests.waiting import wait_until

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # the closed network would make Chromium wait on lookups
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "a long enough password"
ROLES = ("viewer", "operator", "admin")

NO_CHROMIUM = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"


class LiveServer:
    """uvicorn in a thread on a free loopback port, with the app's lifespan (so its worker runs)."""

    def __init__(self, app: FastAPI) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # Nagle off
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()

        def started() -> bool:
            assert self.thread.is_alive(), "the web server stopped before it started"
            return bool(self.server.started)

        wait_until(started, timeout=30, what="the web server to start", interval=0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.socket.close()


@dataclass
class Site:
    url: str
    app: FastAPI
    sandbox: SandboxServer
    shots: Path

    def email(self, role: str) -> str:
        return f"{role}@example.com"


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    output = Path(os.environ.get("HEADWATER_TEST_OUTPUT") or tmp_path_factory.getbasetemp())
    shots = output / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    home = tmp_path_factory.mktemp("e2e-home")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAST_SETTINGS.items():
            patch.setenv(name, value)
        patch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        settings = Settings(home=home, database_url=f"sqlite:///{home / 'store.db'}")
        world = World(users=30)
        with SandboxServer(world=world, options=SandboxOptions(rate_limits=False)) as sandbox:
            db = Database.open(settings)
            app = create_app(settings, db=db, web_settings=load_web_settings(), run_worker=True)
            services = app.state.services
            for role in ROLES:
                services.users.add(f"{role}@example.com", SecretStr(PASSWORD), role, actor="setup")
            connect_sandbox(services.connections, sandbox)
            with LiveServer(app) as server:
                yield Site(server.url, app, sandbox, shots)
            db.dispose()


@pytest.fixture(scope="package")
def browser(site: Site) -> Iterator[Browser]:
    """Package-scoped: Playwright's sync API holds an asyncio loop on this thread while it runs, which
    would break any later test (on the same worker) that starts a loop of its own."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, site: Site) -> Iterator[Page]:
    context = browser.new_context(
        base_url=site.url, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page: Page, site: Site, role: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(site.email(role))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site.url}/")
