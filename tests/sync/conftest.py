"""Sync tests run against the sandbox: in process for speed, on loopback where a real process or the
CLI must reach it. Worlds are small; a frozen sandbox clock is moved forward to reveal new bundles."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from headwater.config import Settings
from headwater.connections import Connections
from headwater.sandbox import (
    SandboxClock,
    SandboxCredentials,
    SandboxOptions,
    World,
    create_amplitude_app,
    create_fullstory_app,
)
from headwater.sandbox.inprocess import InProcessTransport
from headwater.store import Database
from headwater.vault import Vault, load_keyring

T0 = datetime(2026, 3, 2, tzinfo=UTC)
CREDS = SandboxCredentials()
FULLSTORY_URL = "http://fullstory.sandbox"
AMPLITUDE_URL = "http://amplitude.sandbox"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def small_world(days: int = 6, users: int = 8, events_per_user: int = 60) -> World:
    return World(
        seed=7, users=users, events_per_user=events_per_user, start=T0, end=T0 + timedelta(days=days)
    )


@dataclass
class Sandbox:
    world: World
    clock: SandboxClock
    fullstory: Any
    amplitude: Any
    fullstory_transport: InProcessTransport
    amplitude_transport: InProcessTransport

    def advance(self, days: float) -> None:
        self.clock.advance(days=days)

    def fullstory_calls(self, path: str) -> list[dict[str, Any]]:
        return list(self.fullstory.state.sandbox.calls.calls(path))


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """Six days of activity; the clock starts two days in, so two daily bundles exist."""
    world = small_world()
    clock = SandboxClock(start=T0 + timedelta(days=2))
    options = SandboxOptions(rate_limits=False)
    fullstory = create_fullstory_app(world, clock=clock, options=options)
    amplitude = create_amplitude_app(world, clock=clock, options=options)
    fs_transport, amp_transport = InProcessTransport(fullstory), InProcessTransport(amplitude)
    yield Sandbox(world, clock, fullstory, amplitude, fs_transport, amp_transport)
    fs_transport.close()
    amp_transport.close()


@pytest.fixture
def store(settings: Settings) -> Iterator[Database]:
    database = Database.open(settings)
    yield database
    database.dispose()


@pytest.fixture
def connections(settings: Settings, store: Database) -> Connections:
    return Connections(store, Vault(load_keyring(settings)))


def connect_fullstory(
    connections: Connections, base_url: str = FULLSTORY_URL, transport: httpx.BaseTransport | None = None
) -> None:
    connections.create(
        "fullstory",
        "fs",
        credentials={"api_key": CREDS.fullstory_admin_key},
        settings={"base_url": base_url},
        actor="test",
        transport=transport,
    )


def connect_amplitude(
    connections: Connections, base_url: str = AMPLITUDE_URL, transport: httpx.BaseTransport | None = None
) -> None:
    connections.create(
        "amplitude",
        "amp",
        credentials={"api_key": CREDS.amplitude_api_key, "secret_key": CREDS.amplitude_secret_key},
        settings={"base_url": base_url},
        actor="test",
        transport=transport,
    )


def millis(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)


def expected_fullstory(world: World, until: datetime) -> Counter[tuple[int, int, int, str]]:
    """(SessionId, PageId, EventStart ms, EventType) of every event the bundles up to `until` hold."""
    return Counter(
        (event.session_id, event.page_id, millis(event.time), event.kind)
        for event in world.events_between(world.start, until)
    )


def loaded_fullstory(path: Path, schema: str = "fs") -> Counter[tuple[int, int, int, str]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            'SELECT "SessionId", "PageId", epoch_ms("EventStart"), "EventType" '
            f'FROM "{path.stem}"."{schema}".events'
        ).fetchall()
    finally:
        con.close()
    return Counter((int(a), int(b), int(c), str(d)) for a, b, c, d in rows)


def bookmark_of(path: Path, schema: str) -> str | None:
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute(
            f'SELECT value FROM "{path.stem}"."{schema}"._headwater_bookmarks WHERE stream = \'events\''
        ).fetchone()
    finally:
        con.close()
    return None if row is None else str(row[0])
