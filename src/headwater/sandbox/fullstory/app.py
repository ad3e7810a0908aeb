"""Build the FullStory emulator: routes, auth, the v2 error shape, faults, limits and the call log."""

from __future__ import annotations

from fastapi import FastAPI

from headwater.sandbox.clock import SandboxClock
from headwater.sandbox.common.calllog import CallLogMiddleware
from headwater.sandbox.common.faults import FaultMiddleware
from headwater.sandbox.common.routes import sandbox_router
from headwater.sandbox.common.state import SandboxOptions
from headwater.sandbox.credentials import SandboxCredentials
from headwater.sandbox.fullstory import (
    batch,
    events,
    exports,
    legacy,
    operations_api,
    segments,
    sessions,
    settings,
    users,
    users_v1,
    visits,
    webhooks,
)
from headwater.sandbox.fullstory.counts import events_held
from headwater.sandbox.fullstory.errors import error_body, install_error_handlers
from headwater.sandbox.fullstory.state import FullStoryState
from headwater.sandbox.stats import install_stats
from headwater.sandbox.world import World

DOWNLOAD_PREFIXES = ("/api/v1/export/get", exports.DOWNLOAD_PREFIX)


def create_fullstory_app(
    world: World | None = None,
    *,
    clock: SandboxClock | None = None,
    credentials: SandboxCredentials | None = None,
    options: SandboxOptions | None = None,
) -> FastAPI:
    """A fresh emulator; its state lives on ``app.state.sandbox`` so two apps never share anything."""
    options = options if options is not None else SandboxOptions()
    state = FullStoryState(
        world if world is not None else World(seed=options.seed),
        clock if clock is not None else SandboxClock(),
        credentials if credentials is not None else SandboxCredentials(),
        options,
    )
    app = FastAPI(
        title="FullStory API emulator",
        docs_url=None,
        redoc_url=None,
        openapi_url="/_sandbox/openapi.json",
    )
    app.state.sandbox = state
    install_error_handlers(app)
    for prefix in ("/v2", "/v2beta"):
        app.include_router(batch.router, prefix=prefix)
        app.include_router(users.router, prefix=prefix)
        app.include_router(events.router, prefix=prefix)
        app.include_router(visits.router, prefix=prefix)
    for router in (
        sessions.router,
        users_v1.router,
        segments.router,
        exports.router,
        operations_api.router,
        legacy.router,
        settings.router,
        webhooks.router,
    ):
        app.include_router(router)
    app.include_router(sandbox_router(state.clock, state.calls, state.faults))
    install_stats(app, "fullstory_events", lambda: events_held(state))
    app.add_middleware(
        FaultMiddleware, injector=state.faults, error_body=error_body, download_prefixes=DOWNLOAD_PREFIXES
    )
    app.add_middleware(CallLogMiddleware, calllog=state.calls)
    return app
