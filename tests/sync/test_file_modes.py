"""Replicas hold raw events with personal data: DuckDB files and their logs are owner-only on disk."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from headwater.config import Settings
from headwater.connections import Connections
from headwater.store import Database
from headwater.sync.duckdb_dest import DuckDBDestination
from headwater.sync.runner import SyncRequest, run_sync
from headwater.sync.target import Target, default_duckdb_path
from tests.sync.conftest import T0, Sandbox, connect_fullstory


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def everyday_umask() -> Iterator[None]:
    """The umask most accounts have (files 0644), so the modes below are ours, not the test runner's."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_synced_duckdb_file_is_owner_only(
    settings: Settings, store: Database, connections: Connections, sandbox: Sandbox
) -> None:
    connect_fullstory(connections, transport=sandbox.fullstory_transport)
    run_sync(
        settings,
        SyncRequest("fs", start_date=T0.date()),
        db=store,
        transport=sandbox.fullstory_transport,
        now=sandbox.clock.now,
    )
    path = default_duckdb_path(settings.home, "fs")
    assert mode(path) == 0o600
    assert mode(settings.home / "sync") == 0o700  # downloads pass through sync/tmp
    assert mode(settings.home / "sync" / "tmp") == 0o700


def test_the_duckdb_log_written_while_loading_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "replica" / "events.duckdb"
    with DuckDBDestination(Target("duckdb", str(path), "fs")) as destination:
        destination.con.execute("CREATE TABLE fs.probe AS SELECT range AS n FROM range(1000)")
        written = {p.name: mode(p) for p in path.parent.iterdir()}
    assert {"events.duckdb", "events.duckdb.wal"} <= set(written)
    assert set(written.values()) == {0o600}, written
    created_after = tmp_path / "created-after-close.txt"
    created_after.write_text("the process umask is back once the replica is closed")
    assert mode(created_after) == 0o644
