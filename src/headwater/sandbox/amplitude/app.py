"""The Amplitude emulator app: every Amplitude API family on one base URL, told apart by path."""

from __future__ import annotations

import json

from fastapi import FastAPI

from headwater.sandbox.amplitude import dsar, errors, export, ingest, privacy, storage, users
from headwater.sandbox.amplitude.limits import WithoutRetryAfter
from headwater.sandbox.amplitude.state import AmplitudeState, build_state
from headwater.sandbox.clock import SandboxClock
from headwater.sandbox.common import CallLogMiddleware, FaultMiddleware, SandboxOptions, sandbox_router
from headwater.sandbox.credentials import SandboxCredentials
from headwater.sandbox.stats import install_stats
from headwater.sandbox.world import World

DOWNLOAD_PREFIXES = ("/api/2/export", "/api/2/dsar/requests", storage.PREFIX)


#: Amplitude's answers to a bad key, a refused request and a wrong path (see the API notes)
_FAULT_ERRORS = {
    401: "Invalid API key or secret key",
    403: "HTTP 403: Forbidden (Invalid API Key)",
    404: "Not found",
}


def _fault_body(status: int) -> bytes:
    error = _FAULT_ERRORS.get(status, "Internal error (sandbox injected fault)")
    return json.dumps({"code": status, "error": error}).encode()


def _events_held(state: AmplitudeState) -> int:
    state.settle()  # deletion scrubs the clock has reached
    return state.store.events_held(state.clock.now())


def create_amplitude_app(
    world: World | None = None,
    *,
    clock: SandboxClock | None = None,
    credentials: SandboxCredentials | None = None,
    options: SandboxOptions | None = None,
) -> FastAPI:
    """A fresh emulator; its state lives on ``app.state.sandbox`` so two apps never share anything."""
    state: AmplitudeState = build_state(
        world if world is not None else World(),
        clock if clock is not None else SandboxClock(),
        credentials if credentials is not None else SandboxCredentials(),
        options if options is not None else SandboxOptions(),
    )
    app = FastAPI(title="Amplitude API (Headwater sandbox)", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sandbox = state
    errors.install(app)
    for module in (privacy, dsar, users, export, ingest):
        app.include_router(module.router())
    if state.strict:
        app.include_router(storage.router())
    app.include_router(sandbox_router(state.clock, state.calls, state.faults))
    install_stats(app, "amplitude_events", lambda: _events_held(state))
    app.add_middleware(
        FaultMiddleware, injector=state.faults, error_body=_fault_body, download_prefixes=DOWNLOAD_PREFIXES
    )
    if state.strict:
        app.add_middleware(WithoutRetryAfter)
    app.add_middleware(CallLogMiddleware, calllog=state.calls)
    return app
