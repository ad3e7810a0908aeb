"""Fixtures for discovery: small labelled export files from the sandbox, and connections in the store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from headwater.discovery.labelled import sandbox
from headwater.store import Database
from headwater.store.models import ConnectionRow

EVENTS = 2000
PER_USER = 40  # fifty people: each planted kind shows up in well over 5% of a field's distinct values


@pytest.fixture(scope="session")
def world() -> Any:
    return sandbox.world(EVENTS, events_per_user=PER_USER)


@pytest.fixture(scope="session")
def exports(tmp_path_factory: pytest.TempPathFactory, world: Any) -> dict[str, Path]:
    """FullStory bundles and Amplitude export parts, gzipped and plain, written once per session."""
    folder = tmp_path_factory.mktemp("exports")
    files = {
        "fullstory.json.gz": lambda p: sandbox.write_fullstory(p, world),
        "fullstory.json": lambda p: sandbox.write_fullstory(p, world, compress=False),
        "fullstory.ndjson.gz": lambda p: sandbox.write_fullstory(p, world, ndjson=True),
        "amplitude.json.gz": lambda p: sandbox.write_amplitude(p, world),
        "amplitude.json": lambda p: sandbox.write_amplitude(p, world, compress=False),
    }
    paths = {}
    for name, write in files.items():
        paths[name] = folder / name
        write(paths[name])
    return paths


@pytest.fixture
def add_connection(db: Database) -> Callable[[str, str], None]:
    """Store a connection row directly: discovery needs a name to file results under, not a live key."""

    def add(name: str, kind: str = "amplitude") -> None:
        with db.session() as session:
            session.add(ConnectionRow(name=name, kind=kind, settings={}, credential_ref=None, enabled=True))

    return add
