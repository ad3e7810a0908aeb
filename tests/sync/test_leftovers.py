"""Scratch folders of raw events: a sync removes those that runs killed outright left behind (their
process is gone), never a live run's, and its own when it ends, on error too."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from headwater.config import Settings
from headwater.connections import Connections
from headwater.errors import HeadwaterError
from headwater.store import Database
from headwater.sync.leftovers import host_tag
from headwater.sync.runner import SyncRequest, run_sync
from tests.sync.conftest import T0, Sandbox, connect_fullstory


@pytest.fixture
def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait(timeout=60)
    return process.pid


@pytest.fixture
def live_pid() -> Iterator[int]:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    yield process.pid
    process.kill()
    process.wait(timeout=60)


def scratch_with_events(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "bundle-1.json").write_text('[{"UserEmail": "someone@example.com"}]')
    return folder


def own_folders(root: Path) -> list[Path]:
    return [path for path in root.iterdir() if path.name.startswith(f"{os.getpid()}-")]


def test_a_sync_removes_dead_runs_folders_and_leaves_live_ones(
    settings: Settings,
    store: Database,
    connections: Connections,
    sandbox: Sandbox,
    dead_pid: int,
    live_pid: int,
) -> None:
    connect_fullstory(connections, transport=sandbox.fullstory_transport)
    root = settings.home / "sync" / "tmp"
    here = host_tag()
    dead = [
        scratch_with_events(root, f"{dead_pid}-{here}-0badf00d"),
        scratch_with_events(root, f"{dead_pid}-deadbeef"),  # as earlier versions named them
    ]
    kept = [
        scratch_with_events(root, f"{live_pid}-{here}-cafe0000"),  # a concurrent sync
        scratch_with_events(root, f"{dead_pid}-0f0f0f0f-00000000"),  # another host sharing the home
        scratch_with_events(root, "notes"),
    ]

    request = SyncRequest("fs", start_date=T0.date())
    report = run_sync(settings, request, db=store, transport=sandbox.fullstory_transport)

    assert report["status"] == "succeeded"
    assert [folder for folder in dead if folder.exists()] == []
    assert all(folder.exists() for folder in kept)
    assert own_folders(root) == []


def test_a_failing_sync_removes_its_own_folder(
    settings: Settings, store: Database, connections: Connections, sandbox: Sandbox
) -> None:
    connect_fullstory(connections, transport=sandbox.fullstory_transport)
    refusing = httpx.MockTransport(lambda request: httpx.Response(401, json={"message": "bad key"}))
    with pytest.raises(HeadwaterError):
        run_sync(settings, SyncRequest("fs", start_date=T0.date()), db=store, transport=refusing)
    root = settings.home / "sync" / "tmp"
    assert root.is_dir() and own_folders(root) == []
