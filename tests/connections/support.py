"""Both emulators in process, with their call logs at hand, for the connection and action tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select

from headwater.config import load_settings
from headwater.connections import Connections
from headwater.sandbox import (
    SandboxCredentials,
    SandboxOptions,
    World,
    create_amplitude_app,
    create_fullstory_app,
)
from headwater.sandbox.inprocess import InProcessTransport
from headwater.store import Database
from headwater.store.models import ConnectionRow, SecretRow

CREDS = SandboxCredentials()
FULLSTORY_URL = "http://fullstory.sandbox"
AMPLITUDE_URL = "http://amplitude.sandbox"
ACTOR = "tester"


@dataclass
class Emulator:
    app: Any
    transport: InProcessTransport
    url: str

    def calls(self, path: str = "") -> list[dict[str, Any]]:
        """What the emulator answered, read over its own `/_sandbox/calls` route."""
        with httpx.Client(transport=_Borrow(self.transport), base_url=self.url) as control:
            return list(control.get("/_sandbox/calls", params={"path": path}).json()["calls"])


class _Borrow(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.inner.handle_request(request)


@dataclass
class Sandboxes:
    fullstory: Emulator
    amplitude: Emulator


@contextmanager
def sandboxes() -> Iterator[Sandboxes]:
    world = World(users=20, events_per_user=20)
    options = SandboxOptions(rate_limits=False)
    fs_app = create_fullstory_app(world, options=options)
    amp_app = create_amplitude_app(world, options=options)
    fs = Emulator(fs_app, InProcessTransport(fs_app), FULLSTORY_URL)
    amp = Emulator(amp_app, InProcessTransport(amp_app), AMPLITUDE_URL)
    try:
        yield Sandboxes(fs, amp)
    finally:
        fs.transport.close()
        amp.transport.close()


def local_connections() -> Connections:
    """The service on the embedded SQLite store of this test's own HEADWATER_HOME.

    For tests about actions and requests rather than storage: the store's behaviour on both backends is
    covered by the service tests, which use the `db` fixture.
    """
    return Connections.open(load_settings())


def connect_fullstory(
    service: Connections, sandbox: Sandboxes, name: str = "fs", key: str | None = None
) -> None:
    service.create(
        "fullstory",
        name,
        credentials={"api_key": key or CREDS.fullstory_admin_key},
        settings={"base_url": FULLSTORY_URL},
        actor=ACTOR,
        transport=sandbox.fullstory.transport,
    )


def connect_amplitude(service: Connections, sandbox: Sandboxes, name: str = "amp") -> None:
    service.create(
        "amplitude",
        name,
        credentials={"api_key": CREDS.amplitude_api_key, "secret_key": CREDS.amplitude_secret_key},
        settings={"base_url": AMPLITUDE_URL},
        actor=ACTOR,
        transport=sandbox.amplitude.transport,
    )


def stored_counts(db: Database) -> tuple[int, int]:
    """(connections, secrets) in the store: what a refused connect must leave at (0, 0)."""
    with db.session() as session:
        connections = session.scalar(select(func.count()).select_from(ConnectionRow)) or 0
        secrets = session.scalar(select(func.count()).select_from(SecretRow)) or 0
    return connections, secrets
