"""A `headwater sync` process killed with SIGKILL mid-run, then run again, ends with exactly the right rows:
every committed bundle came with its bookmark, so nothing is loaded twice and nothing is skipped; and the
raw events the killed process left in its scratch folder are removed by the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta

from headwater.config import Settings
from headwater.connections import Connections
from headwater.sandbox import SandboxClock, SandboxOptions
from headwater.sandbox.server import SandboxServer
from headwater.store import Database
from headwater.sync import history
from headwater.sync.target import default_duckdb_path
from tests.sync.conftest import (
    T0,
    bookmark_of,
    connect_fullstory,
    expected_fullstory,
    loaded_fullstory,
    small_world,
)
from tests.waiting import wait_until

KILL_AFTER_DOWNLOADS = 6


def test_sigkilled_sync_resumes_with_exactly_the_right_rows(
    settings: Settings, store: Database, connections: Connections
) -> None:
    world = small_world(days=6, users=6, events_per_user=80)
    clock = SandboxClock(start=T0 + timedelta(days=6))
    options = SandboxOptions(rate_limits=False, bundle_hours=6, latency_ms=80)
    command = [
        sys.executable,
        "-m",
        "headwater",
        "sync",
        "fs",
        "--start-date",
        T0.date().isoformat(),
        "--json",
    ]
    with SandboxServer(world=world, clock=clock, options=options) as server:
        connect_fullstory(connections, base_url=server.fullstory_url)
        calls = server.fullstory_app.state.sandbox.calls
        victim = subprocess.Popen(
            command, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        wait_until(
            lambda: (
                len(calls.calls("/api/v1/export/get")) >= KILL_AFTER_DOWNLOADS or victim.poll() is not None
            ),
            timeout=60,
            what=f"the sync to download {KILL_AFTER_DOWNLOADS} bundles",
            interval=0.02,
        )
        assert victim.poll() is None, "the sync finished before it could be killed; slow the sandbox down"
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        assert victim.returncode == -signal.SIGKILL
        scratch = settings.home / "sync" / "tmp"
        assert [p.name for p in scratch.iterdir() if p.name.startswith(f"{victim.pid}-")], "nothing to clean"

        path = default_duckdb_path(settings.home, "fs")
        partial = loaded_fullstory(path)
        final_stop = T0 + timedelta(days=6)
        expected = expected_fullstory(world, final_stop)
        committed = bookmark_of(path, "fs")
        assert committed is not None and committed < final_stop.strftime("%Y-%m-%dT%H:%M:%SZ")
        # what is in is exactly the bundles up to the committed bookmark: no half bundle, no duplicate
        assert partial == expected_fullstory(world, _parse(committed))

        rerun = subprocess.run(command, env=os.environ.copy(), capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
        assert list(scratch.iterdir()) == []
    assert loaded_fullstory(path) == expected
    runs = history.runs(store, "fs")
    assert [run["status"] for run in runs] == ["succeeded", "interrupted"]
    assert runs[0]["bookmark_before"] == committed
    assert runs[0]["rows"] + sum(partial.values()) == sum(expected.values())


def _parse(value: str):  # type: ignore[no-untyped-def]
    from headwater.sync.source import parse_bookmark

    return parse_bookmark(value)
