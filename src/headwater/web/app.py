"""The app factory: the REST API, the dashboard, static files, error shapes and security headers, over
one set of services. `headwater serve` runs it with uvicorn; tests run it in process or on a port.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from headwater import __version__
from headwater.config import Settings, load_settings
from headwater.store import Database
from headwater.vault import Vault, load_keyring
from headwater.web import api, dashboard, errors, health, openapi
from headwater.web.headers import SecurityHeaders
from headwater.web.runtime import lifespan_with_worker, load_task_modules
from headwater.web.services import Services
from headwater.web.settings import WebSettings, load_web_settings

STATIC = Path(__file__).parent / "static"
DESCRIPTION = """Privacy requests, connections, actions, replication and jobs over HTTP.

Authenticate with `Authorization: Bearer TOKEN` (create one with `headwater tokens create`). Every error
answers `application/problem+json`; its `code` and `exit_code` mean the same as in the CLI."""


def create_app(
    settings: Settings | None = None,
    *,
    db: Database | None = None,
    web_settings: WebSettings | None = None,
    transport: httpx.BaseTransport | None = None,
    run_worker: bool = False,
) -> FastAPI:
    """The whole web service; with `run_worker`, embedded mode also runs jobs in this process."""
    settings = settings or load_settings()
    web = web_settings or load_web_settings()
    db = db or Database.open(settings)
    load_task_modules()
    services = Services(settings, web, db, Vault(load_keyring(settings)), transport)
    app = FastAPI(
        title="Headwater",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=None,  # served by `openapi.router`, behind authentication
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan_with_worker(run_worker, web.worker_concurrency),  # type: ignore[arg-type]
    )
    app.state.services = services
    app.add_middleware(SecurityHeaders)
    errors.install(app)
    openapi.install(app)
    app.include_router(health.router)
    app.include_router(openapi.router)
    app.include_router(api.router())
    app.include_router(dashboard.router())
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
